"""The load run's short mode (what CI runs): 100 uploads/s offered for 15 s against the real shape.

It asserts correctness, not speed: every accepted upload reaches its outcome, and the run
reports its figures (throughput, POST-to-verdict percentiles, where the time goes). Speed goals
are checked by the full run (`python -m loadtest load`), recorded in docs/operations.md.
"""

from __future__ import annotations

import json

import pytest

from loadtest import load

pytestmark = pytest.mark.slow


def test_short_load_run_every_upload_reaches_its_outcome(tmp_path, capsys):
    out = tmp_path / "load.json"
    rc = load.main(["--short", "--json", str(out), "--root", str(tmp_path / "run")])
    printed = capsys.readouterr().out
    print(printed)
    assert rc == 0
    f = json.loads(out.read_text())["figures"]
    assert f["sent"] >= 900 and f["accepted"] == f["sent"], f["codes"]  # the client stops at 15 s, behind or not
    assert f["not_final"] == 0 and f["drained"]
    assert f["p50"] > 0 and f["p99"] >= f["p50"]
    assert set(f["by_kind"]) == {"text", "image"}
    for line in ("POST-to-verdict p50", "where the time goes", "queue depth max", "server-side means"):
        assert line in printed
    assert "stage:extract" in f["mean_seconds"] and "db:claim" in f["mean_seconds"]
