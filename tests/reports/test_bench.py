"""The compliance benchmark's short mode runs and reports every figure."""

from __future__ import annotations

import json

from reports.bench import main


def test_bench_short(capsys):
    assert main(["--short"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("audit_append_per_s", "audit_verify_entries_per_s", "violations_report_s", "drafts_per_s",
                "pdf_render_s"):
        assert out[key] > 0, key
    assert out["violations_items"] == 500 and out["pdf_bytes"] > 1000
