"""`modpipe audit verify` and `modpipe retention purge` through the real CLI, embedded shape (SQLite)."""

from __future__ import annotations

import json
import sqlite3

from modpipe.cli import main


def test_audit_verify_and_retention_purge_on_sqlite(tmp_path, monkeypatch, capsys):
    for key in ("MODPIPE_DATABASE_URL", "MODPIPE_REDIS_URL", "MODPIPE_S3_ENDPOINT", "MODPIPE_RETENTION_LOG_DAYS"):
        monkeypatch.delenv(key, raising=False)
    data = str(tmp_path / "data")
    assert main(["org", "create", "CLI 基金会", "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--data-dir", data]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["ok"] is True
    assert main(["retention", "purge", "--data-dir", data, "--now", "2040-01-01"]) == 0
    purged = json.loads(capsys.readouterr().out)
    assert purged["audit_entries_removed"] >= 1 and purged["cutoffs"]["log"].startswith("2039-")
    assert main(["audit", "verify", "--data-dir", data]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["ok"] is True and after["starts_after_seq"] is not None
    with sqlite3.connect(tmp_path / "data" / "modpipe.sqlite3") as c:
        c.execute("UPDATE audit_log SET actor = 'x' WHERE seq = (SELECT max(seq) FROM audit_log)")
    assert main(["audit", "verify", "--data-dir", data]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False
