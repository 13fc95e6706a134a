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


def test_export_training_reads_decided_tasks_from_the_database(tmp_path, monkeypatch):
    from classifiers.text import export
    from modpipe.accounts import create_org
    from modpipe.models import Item
    from modpipe.runtime import Runtime
    from modpipe.settings import Settings
    from review_queue.models import ReviewTask

    monkeypatch.delenv("MODPIPE_DATABASE_URL", raising=False)
    rt = Runtime.build(Settings.from_env(data_dir=str(tmp_path / "data")), with_broker=False, migrate=True)
    org, _ = create_org(rt.db, "测试基金会")
    with rt.db.session() as s:
        for text, decision, cats, status in [("加微信领红包", "block", ["spam_ads_sexual"], "done"),
                                             ("感谢志愿者", "pass", [], "done"),
                                             ("还没人看", None, [], "open")]:
            item = Item(org_id=org.id, kind="text", text=text)
            s.add(item)
            s.flush()
            s.add(ReviewTask(item_id=item.id, queue="pipeline", status=status, decision=decision, categories=cats))
    out = tmp_path / "rows.jsonl"
    assert export.main(["--data-dir", str(tmp_path / "data"), "--out", str(out)]) == 0
    rows = sorted((json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()), key=lambda r: r["text"])
    assert rows == [
        {"text": "加微信领红包", "category": "spam_ads_sexual", "label": 1, "source": "moderator"},
        {"text": "感谢志愿者", "category": None, "label": 0, "source": "moderator"},
    ]
