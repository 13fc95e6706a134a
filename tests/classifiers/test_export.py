import json

import pytest

from classifiers.text.export import read_rows, rows_to_training, write_rows
from modpipe.errors import InvalidInput


def test_decisions_become_rows_and_rows_read_back(tmp_path):
    rows = rows_to_training([
        {"text": "加微信买彩票，稳赚不赔", "decision": "block", "categories": ["spam_ads_sexual", "national_security"]},
        {"text": "周六的义卖改到周日", "decision": "pass", "categories": []},
        {"text": "   ", "decision": "pass"},
    ])
    assert rows == [
        {"text": "加微信买彩票，稳赚不赔", "category": "spam_ads_sexual", "label": 1, "source": "moderator"},
        {"text": "加微信买彩票，稳赚不赔", "category": "national_security", "label": 1, "source": "moderator"},
        {"text": "周六的义卖改到周日", "category": None, "label": 0, "source": "moderator"},
    ]
    path = tmp_path / "rows.jsonl"
    assert write_rows(rows, path) == 3
    train, exemplars = read_rows(path)
    assert [(r.head, r.label) for r in train if r.text.startswith("加微信")] == [("spam", 1)]
    assert {r.head for r in train if r.text.startswith("周六")} == {"offensive", "sexism", "spam", "harm", "rumor"}
    assert exemplars == [{"text": "加微信买彩票，稳赚不赔", "category": "national_security", "source": "moderator"}]


def test_bad_rows_name_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "x", "category": "spam", "label": 1}) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad.jsonl:1: .*'spam' is not a category slug"):
        read_rows(path)
    with pytest.raises(InvalidInput):
        rows_to_training([{"text": "x", "decision": "maybe"}])
