"""The load test's short mode: 20 moderators, 300 tasks, abandoned claims; none twice, none lost."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_short_load_test_on_postgres(postgres_url, tmp_path, capsys):
    from review_queue.loadtest import main

    rc = main(["--short", "--database-url", postgres_url, "--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    report = json.loads(out.strip().splitlines()[-1])
    assert rc == 0, out
    assert report["moderators"] == 20 and report["tasks"] == 300
    assert report["decided_twice"] == 0 and report["lost"] == 0 and report["decisions"] == 300
    assert report["ghost_tasks_recovered"] == report["ghost_claims"] == 5
    assert report["audit_chain_ok"] and report["claim_ms_p99"] > 0
    assert "p99" in out
