"""The curated default lexicon rules as shipped: size, the curation rules they claim, the data behind them."""

import json
from pathlib import Path

from modpipe.domain import Category
from rules.ruleset import load_dir

ROOT = Path(__file__).resolve().parents[2]
LEXICON = ROOT / "rules" / "data" / "lexicon"


def test_generated_rules_follow_curation_rules(default_rules):
    rs = load_dir([LEXICON])
    assert len(rs.keywords) > 50_000
    norm = default_rules.live.rules.normaliser
    blocks = [k for k in rs.keywords if k.severity == "block"]
    reviews = [k for k in rs.keywords if k.severity == "review"]
    assert len(reviews) > len(blocks)  # most terms only route to review
    blockable = {Category.RELIGION_CULT_SUPERSTITION, Category.TERRORISM_EXTREMISM, Category.ILLEGAL_CONTENT,
                 Category.PORN_GAMBLING_VIOLENCE, Category.MALWARE}
    assert {k.category for k in blocks} <= blockable
    normed = norm.batch([k.term for k in blocks]).text.split("\x00")
    assert all(len(n) >= 4 for n in normed)
    assert all(k.match == "substring" for k in blocks)
    # the examples of ordinary words are not rules on their own
    terms = set(norm.batch([k.term for k in rs.keywords]).text.split("\x00"))
    assert not {"一个", "招募", "客服", "组织", "活动"} & terms


def test_report_matches_files():
    report = json.loads((ROOT / "rules" / "curation" / "report.json").read_text(encoding="utf-8"))
    rs = load_dir([LEXICON])
    assert report["kept"] == len(rs.keywords)
    assert report["dropped"]["hits clean rows (curate half)"] > 0
