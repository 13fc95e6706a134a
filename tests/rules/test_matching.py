"""The default rule set against evasions per category, and a false-positive suite of innocent texts."""

import pytest

from modpipe.domain import Category as C
from rules.examples import CASES, INNOCENT



def decision(hits, category) -> str:
    """The strongest severity among hits of one category: pass, review or block."""
    sev = {h.severity for h in hits if h.category == category}
    return "block" if "block" in sev else "review" if "review" in sev else "pass"

EVASIONS = [  # one or more per normalisation, per category where it applies
    ("網絡賭博", C.PORN_GAMBLING_VIOLENCE, "block"),  # traditional
    ("ｗａｎｇｌｕｏｄｕｂｏ", C.PORN_GAMBLING_VIOLENCE, "block"),  # fullwidth + pinyin
    ("WangLuoDuBo", C.PORN_GAMBLING_VIOLENCE, "block"),  # case + pinyin
    ("网\u200b络\u200b赌\u200b博", C.PORN_GAMBLING_VIOLENCE, "block"),  # zero-width
    ("百 家 乐", C.PORN_GAMBLING_VIOLENCE, "block"),  # spaces
    ("六-合-彩", C.PORN_GAMBLING_VIOLENCE, "block"),  # inserted symbols
    ("贝者十尃网站 网上贝者场", C.PORN_GAMBLING_VIOLENCE, "block"),  # split characters 赌 博
    ("真真真人荷荷官", C.PORN_GAMBLING_VIOLENCE, "block"),  # repeats
    ("法*轮*功", C.RELIGION_CULT_SUPERSTITION, "block"),
    ("falungong", C.RELIGION_CULT_SUPERSTITION, "block"),  # pinyin
    ("法lun功", C.RELIGION_CULT_SUPERSTITION, "block"),  # pinyin mixed with characters
    ("真人he官", C.PORN_GAMBLING_VIOLENCE, "block"),
    ("F.L.G", C.RELIGION_CULT_SUPERSTITION, "block"),  # initials
    ("三去车仑工力", C.RELIGION_CULT_SUPERSTITION, "block"),  # split characters
    ("全能神", C.RELIGION_CULT_SUPERSTITION, "block"),
    ("出售木仓支", C.ILLEGAL_CONTENT, "block"),  # split 枪
    ("出售手槍", C.ILLEGAL_CONTENT, "block"),  # traditional 槍
    ("出售冰毒①号", C.ILLEGAL_CONTENT, "block"),
    ("加薇信 １２３４５６", C.SPAM_ADS_SEXUAL, "review"),  # homophone + fullwidth digits
    ("加威信abc123", C.SPAM_ADS_SEXUAL, "review"),
    ("家vx：abc12345", C.SPAM_ADS_SEXUAL, "review"),
    ("➕V 领取", C.SPAM_ADS_SEXUAL, "review"),
    ("加扣扣①②③④⑤⑥", C.SPAM_ADS_SEXUAL, "review"),  # circled digits
    ("制作炸弹教程", C.TERRORISM_EXTREMISM, "block"),
    ("ＤＤＯＳ攻击服务", C.MALWARE, "block"),
    ("盗.号.木.马", C.MALWARE, "block"),
    ("雇 凶 杀 人", C.PORN_GAMBLING_VIOLENCE, "block"),
    ("那些烈士活该", C.HEROES_MARTYRS, "review"),
    ("收購銀行卡", C.OTHER_ILLEGAL, "block"),
]


@pytest.mark.parametrize("text,category,want", EVASIONS)
def test_evasion_is_caught(default_rules, text, category, want):
    hits = default_rules.scan([text])[0]
    assert decision(hits, category) == want, [(h.rule_id, h.severity) for h in hits]


@pytest.mark.parametrize("text,category,want", CASES)
def test_examples(default_rules, text, category, want):
    hits = default_rules.scan([text])[0]
    got = decision(hits, category)
    if want.value == "pass":
        assert got == "pass", [(h.rule_id, h.matched) for h in hits]
    elif want.value == "review":
        assert got in ("review", "block")
    else:
        assert got == "block"


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_texts_are_never_blocked(default_rules, text):
    hits = default_rules.scan([text])[0]
    assert not [h for h in hits if h.severity == "block"], [(h.rule_id, h.matched) for h in hits]


def test_public_service_warning_is_demoted_not_blocked(default_rules):
    hits = default_rules.scan(["警惕网络赌博诈骗，如遇可疑情况请拨打110"])[0]
    assert hits and all(h.severity == "review" for h in hits)
    assert "demoted: context '警惕'" in hits[0].detail
    # the same term without the warning blocks
    assert decision(default_rules.scan(["网络赌博，稳赚"])[0], C.PORN_GAMBLING_VIOLENCE) == "block"


def test_anti_fraud_lesson_that_names_the_scam_is_not_flagged(default_rules):
    # charities post scam warnings; the review-severity terms they quote are dropped beside 防诈 / 不要轻信
    lesson = "【防诈小课堂】不要轻信“刷单返利”“高额回报”等说法，凡是要求先转账的都要多留个心眼"
    assert default_rules.scan([lesson])[0] == []
    assert {h.rule_id for h in default_rules.scan(["刷单返利，日结高额回报"])[0]} >= {"spam_ads_sexual/刷单返利"}


def test_word_boundary_spares_substring_false_positive(default_rules):
    assert default_rules.scan(["我们在路口交通信号灯下等待"])[0] == []


def test_spans_are_in_original_text(default_rules):
    text = "大家好，網*絡*賭*博 來一把"
    hit = next(h for h in default_rules.scan([text])[0] if h.rule_id == "porn_gambling_violence/网络赌博")
    assert text[hit.start:hit.end] == "網*絡*賭*博"


def test_batch_and_single_scans_agree(default_rules):
    texts = [t for t, _, _ in EVASIONS] + INNOCENT
    batch = default_rules.scan(texts)
    for t, hits in zip(texts, batch):
        single = default_rules.scan([t])[0]
        assert [(h.rule_id, h.start, h.end, h.severity) for h in hits] == \
            [(h.rule_id, h.start, h.end, h.severity) for h in single]


def test_default_set_is_large(default_rules):
    assert default_rules.live.rules.term_count > 50_000


def test_odd_input_does_not_raise(default_rules):
    odd = ["", "\x00\x00", "\ud800", "a" * 100_000, "🙂" * 50, "\n\n\n", "法\x00轮功"]
    res = default_rules.scan(odd)
    assert len(res) == len(odd)


@pytest.mark.parametrize("text,term", [("我们在路口交通信号灯下等待", "口交"), ("他是一个人才", "个人"),
                                       ("我们在研究生命科学", "生命科"), ("今天出口交易额创新高", "口交"),
                                       ("我在马路边捡到一分钱", "路边捡")])
def test_straddle_check_agrees_with_jieba_segmentation(default_rules, text, term):
    """Where the dictionary check says a common word straddles the term, jieba does not cut at its edges."""
    import jieba

    from rules.matcher import _straddled

    freq = default_rules.live.rules.word_freq
    s = text.index(term)
    assert _straddled(freq, text, s, s + len(term)) is not None
    cuts = {0}
    for tok in jieba.lcut(text, HMM=False):
        cuts.add(max(cuts) + len(tok))
    assert not ({s, s + len(term)} <= cuts)
