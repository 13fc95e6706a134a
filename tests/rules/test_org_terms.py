"""Per-organisation terms: hot-swapped without restart, allow terms cancel overlapping hits, versions recorded."""

import threading

from classifiers.base import Content
from modpipe.domain import Category, Decision, Kind
from rules.classifier import OrgTerm


def classify(rc, text, org=None):
    return {r.category: r for r in rc.classify(Content(kind=Kind.TEXT, text=text, org_id=org))}


def test_org_block_review_allow(default_rules):
    rc = default_rules
    rc.set_org_terms("org-a", [OrgTerm("内部暗号", "block"), OrgTerm("竞品名字", "review", Category.SPAM_ADS_SEXUAL),
                               OrgTerm("真人荷官体验馆", "allow")], "v1")
    try:
        r = classify(rc, "内 部 暗 号泄露了", "org-a")
        assert r[Category.OTHER_ILLEGAL].floor is Decision.BLOCK
        assert r[Category.OTHER_ILLEGAL].evidence[0].rule_id == "org:org-a/内部暗号"
        assert classify(rc, "看看竞品名字", "org-a")[Category.SPAM_ADS_SEXUAL].floor is Decision.REVIEW
        # another organisation does not see org-a's terms
        assert classify(rc, "内部暗号泄露了", "org-b") == {}
        # allow cancels the default block hit it overlaps, for org-a only
        assert Category.PORN_GAMBLING_VIOLENCE not in classify(rc, "欢迎来真人荷官体验馆参观", "org-a")
        assert classify(rc, "欢迎来真人荷官体验馆参观", "org-b")[Category.PORN_GAMBLING_VIOLENCE].floor is Decision.BLOCK
        # a non-overlapping default hit in the same text stays
        r = classify(rc, "真人荷官体验馆，另有网络赌博", "org-a")
        assert r[Category.PORN_GAMBLING_VIOLENCE].floor is Decision.BLOCK
    finally:
        rc.clear_org_terms("org-a")


def test_swap_takes_effect_and_version_changes(default_rules):
    rc = default_rules
    base = rc.version
    assert rc.version_for("org-c") == base
    rc.set_org_terms("org-c", [OrgTerm("甲词", "block")], "7")
    try:
        assert rc.version_for("org-c") == f"{base}+org-c@7"
        assert classify(rc, "甲词", "org-c")[Category.OTHER_ILLEGAL].floor is Decision.BLOCK
        rc.set_org_terms("org-c", [OrgTerm("乙词", "block")], "8")
        assert rc.version_for("org-c") == f"{base}+org-c@8"
        assert classify(rc, "甲词", "org-c") == {}
        assert Category.OTHER_ILLEGAL in classify(rc, "乙词", "org-c")
    finally:
        rc.clear_org_terms("org-c")
    assert classify(rc, "乙词", "org-c") == {}


def test_swaps_while_scanning_in_threads(default_rules):
    rc = default_rules
    errors = []
    stop = threading.Event()

    def scanner():
        try:
            while not stop.is_set():
                hits = rc.scan(["丙词 丁词"] * 20, "org-d")
                assert all(len(h) <= 1 for h in hits)  # one org list at a time, never a mix
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scanner) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(20):
        rc.set_org_terms("org-d", [OrgTerm("丙词" if i % 2 else "丁词", "review")], str(i))
    stop.set()
    for t in threads:
        t.join()
    rc.clear_org_terms("org-d")
    assert errors == []


def test_default_contexts_apply_to_org_terms(default_rules):
    rc = default_rules
    rc.set_org_terms("org-e", [OrgTerm("戊词", "block")], "1")
    try:
        assert classify(rc, "戊词", "org-e")[Category.OTHER_ILLEGAL].floor is Decision.BLOCK
        assert classify(rc, "警惕戊词", "org-e")[Category.OTHER_ILLEGAL].floor is Decision.REVIEW
    finally:
        rc.clear_org_terms("org-e")
