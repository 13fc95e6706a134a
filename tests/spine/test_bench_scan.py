"""`modpipe bench scan --short`: the real `modpipe scan --jsonl` answers every line, and the figures add up."""

import json

import pytest

from modpipe.bench_scan import SHORT
from modpipe.cli import main


@pytest.mark.slow
def test_bench_scan_short_answers_every_text(tmp_path, capsys):
    out = tmp_path / "scan.json"
    assert main(["bench", "scan", "--short", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["texts"] == SHORT and sum(r["decisions"].values()) == SHORT
    assert set(r["decisions"]) <= {"pass", "review", "block"}  # no line failed
    assert r["mean_chars"] <= 200
    assert 0 < r["end_to_end_texts_per_s"] < r["steady_texts_per_s"]
    assert "texts/s steady" in capsys.readouterr().out
