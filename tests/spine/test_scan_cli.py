"""`modpipe scan` as the contract states it: one answer per input line, in order, bad lines
answered with their error while the rest go on; files and --text through the same stages."""

import io
import json
import queue
import subprocess
import sys
import threading

import pytest
from PIL import Image

from tests.conftest import REPO

SCAN = [sys.executable, "-m", "modpipe.cli", "scan"]


def _env(tmp_path):
    import os

    return {**os.environ, "MODPIPE_DATA_DIR": str(tmp_path / "data")}


@pytest.mark.slow
def test_jsonl_answers_every_line_in_order_and_a_caller_waiting_on_one_line_gets_it(tmp_path):
    png = tmp_path / "poster.png"
    Image.new("RGB", (64, 48), (200, 180, 40)).save(png)
    proc = subprocess.Popen(SCAN + ["--jsonl"], cwd=REPO, env=_env(tmp_path), text=True, encoding="utf-8",
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    answers: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [answers.put(line) for line in proc.stdout], daemon=True).start()
    try:
        # one line, stdin left open: the answer must come without more input (no waiting for a full batch)
        proc.stdin.write(json.dumps({"id": "first", "text": "法*轮*功 大法好"}, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        first = json.loads(answers.get(timeout=120))
        assert first["id"] == "first" and first["decision"] == "block" and first["error"] is None
        hit = next(c for c in first["categories"] if c["category"] == "religion_cult_superstition")
        assert any(e.get("source") == "rule" for e in hit["evidence"])

        lines = [
            json.dumps({"id": 1, "text": "你好"}, ensure_ascii=False),
            "{not json",
            json.dumps(["a", "list"]),
            json.dumps({"id": 4}),
            json.dumps({"id": 5, "text": "a", "path": str(png)}),
            json.dumps({"id": 6, "text": "好的", "declared_aigc": "yes"}, ensure_ascii=False),
            json.dumps({"id": 7, "path": str(png)}),
            json.dumps({"id": 8, "path": str(tmp_path / "missing.jpg")}),
            json.dumps({"id": 9, "text": "本周六上午九点社区义卖，善款全部用于山区助学", "declared_aigc": True},
                       ensure_ascii=False),
        ]
        proc.stdin.write("\n".join(lines) + "\n")
        proc.stdin.close()
        got = [json.loads(answers.get(timeout=120)) for _ in lines]
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
    assert [g["id"] for g in got] == [1, None, None, 4, 5, 6, 7, 8, 9]
    errors = {g["id"] if g["id"] is not None else f"line{i}": g["error"] for i, g in enumerate(got) if g["error"]}
    assert set(errors) == {"line1", "line2", 4, 5, 6, 8}
    assert "JSON" in errors["line1"] and "object" in errors["line2"] and "'text' or 'path'" in errors[4]
    assert "not both" in errors[5] and "declared_aigc" in errors[6] and "cannot read" in errors[8]
    assert all(g["decision"] is None for g in got if g["error"])
    assert got[0]["decision"] == "pass"
    assert got[6]["decision"] in ("pass", "review", "block") and got[6]["error"] is None  # the image
    assert got[8]["decision"] == "pass" and got[8]["aigc"]["label"] is not None  # declared AI content gets a label


@pytest.mark.slow
def test_text_and_paths_take_the_same_stages(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("加薇信 １２３４５ 领取福利，点击链接立即提现", encoding="utf-8")
    out = subprocess.run(SCAN + [str(note), str(tmp_path / "nope.png")], cwd=REPO, env=_env(tmp_path),
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in io.StringIO(out.stdout)]
    assert [r["id"] for r in rows] == [str(note), str(tmp_path / "nope.png")]
    assert rows[0]["decision"] in ("review", "block")
    assert any(c["category"] == "spam_ads_sexual" for c in rows[0]["categories"])
    assert rows[1]["decision"] is None and rows[1]["error"]

    one = subprocess.run(SCAN + ["--text", note.read_text(encoding="utf-8")], cwd=REPO, env=_env(tmp_path),
                         capture_output=True, text=True, timeout=180)
    [row] = [json.loads(x) for x in io.StringIO(one.stdout)]
    assert {k: row[k] for k in ("decision", "categories", "flags")} == {k: rows[0][k] for k in ("decision", "categories", "flags")}


@pytest.mark.slow
def test_jobs_answer_exactly_what_one_process_answers_in_the_same_order(tmp_path):
    texts = ["你好", "法*轮*功", "加薇信 １２３４５ 领取福利", "你这个傻逼", "本周六社区义卖"] * 120
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    lines[7] = "{broken"
    stdin = "\n".join(lines) + "\n"
    outs = {}
    for jobs in ("1", "2"):
        r = subprocess.run(SCAN + ["--jsonl", "--jobs", jobs], cwd=REPO, env=_env(tmp_path), input=stdin,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
        outs[jobs] = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(outs["2"]) == len(lines)
    assert [o["id"] for o in outs["2"]] == [None if i == 7 else i for i in range(len(lines))]
    assert outs["2"] == outs["1"]
    assert outs["2"][7]["error"] and outs["2"][1]["decision"] == "block"
