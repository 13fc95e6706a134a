"""The audit chain on real PostgreSQL: whole, then edited, deleted, reordered; CLI exit codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from modpipe.db import utcnow
from reports import audit
from reports.cli import audit_main
from reports.models import AuditCheckpoint, AuditEntry


def fill(rt, n=5):
    with rt.db.session() as s:
        for i in range(n):
            audit.record(s, f"staff-{i}", "regulator_report.viewed", target=f"r{i}", org_id="o1", n=i, note="查看")
    with rt.db.session() as s:
        return [e.seq for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def check(rt):
    with rt.db.session() as s:
        return audit.verify(s)


def test_a_whole_chain_verifies(rt):
    seqs = fill(rt)
    r = check(rt)
    assert r.ok and r.checked == 5 and r.head_seq == seqs[-1] and len(r.head_hash) == 64


def test_an_edited_row_is_caught(rt):
    seqs = fill(rt)
    with rt.db.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = :s"), {"s": seqs[2]})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == seqs[2] and "edited" in r.reason


def test_an_edited_detail_is_caught(rt):
    seqs = fill(rt)
    with rt.db.engine.begin() as c:
        c.execute(text("""UPDATE audit_log SET details = '{"n": 99, "note": "查看"}' WHERE seq = :s"""), {"s": seqs[1]})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == seqs[1]


def test_a_deleted_row_is_caught(rt):
    seqs = fill(rt)
    with rt.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": seqs[2]})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == seqs[3] and "removed or reordered" in r.reason


def test_a_deleted_first_row_is_caught(rt):
    seqs = fill(rt)
    with rt.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": seqs[0]})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == seqs[1]


def test_a_reordered_row_is_caught(rt):
    seqs = fill(rt)
    a, b = seqs[1], seqs[3]
    with rt.db.engine.begin() as c:  # swap two rows' positions
        c.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = :a"), {"a": a})
        c.execute(text("UPDATE audit_log SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
        c.execute(text("UPDATE audit_log SET seq = :b WHERE seq = -1"), {"b": b})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == a


def test_recomputing_one_rows_hash_still_breaks_the_next_link(rt):
    seqs = fill(rt)
    with rt.db.session() as s:
        e = s.get(AuditEntry, seqs[2])
        s.expunge(e)
    e.actor = "forger"
    with rt.db.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET actor = 'forger', hash = :h WHERE seq = :s"),
                  {"h": audit._digest(e.prev_hash, e), "s": seqs[2]})
    r = check(rt)
    assert not r.ok and r.first_bad_seq == seqs[3]


def test_the_orm_refuses_to_edit_or_delete_entries(rt):
    from modpipe.errors import Conflict

    seqs = fill(rt, 2)
    with pytest.raises(Conflict, match="append-only"):
        with rt.db.session() as s:
            s.get(AuditEntry, seqs[0]).actor = "someone"
    with pytest.raises(Conflict, match="cannot be deleted"):
        with rt.db.session() as s:
            s.delete(s.get(AuditEntry, seqs[1]))
    assert check(rt).ok


def test_cli_exit_codes(rt, monkeypatch, capsys, tmp_path):
    seqs = fill(rt, 3)
    monkeypatch.setenv("MODPIPE_DATABASE_URL", rt.settings.database_url)
    assert audit_main(["verify", "--data-dir", str(tmp_path / "cli")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["checked"] == 3
    with rt.db.engine.begin() as c:
        c.execute(text("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = :s"), {"s": seqs[1]})
    assert audit_main(["verify", "--data-dir", str(tmp_path / "cli")]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["first_bad_seq"] == seqs[1]


def test_pruning_leaves_a_verifiable_chain(rt):
    seqs = fill(rt, 6)
    # the first four happened long ago: rewrite their times and rebuild the chain as if written then
    with rt.db.session() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        for e in rows:
            s.expunge(e)
    prev = audit.GENESIS
    with rt.db.engine.begin() as c:
        for e in rows:
            if e.seq in seqs[:4]:
                e.at = utcnow() - timedelta(days=400)
            e.prev_hash, e.hash = prev, audit._digest(prev, e)
            prev = e.hash
            c.execute(text("UPDATE audit_log SET at = :at, prev_hash = :p, hash = :h WHERE seq = :s"),
                      {"at": e.at, "p": e.prev_hash, "h": e.hash, "s": e.seq})
    assert check(rt).ok
    with rt.db.session() as s:
        assert audit.prune_older_than(s, utcnow() - timedelta(days=183)) == 4
    r = check(rt)
    assert r.ok and r.starts_after_seq == seqs[3] and r.checked == 3  # two kept + the pruning entry
    with rt.db.session() as s:
        audit.record(s, "later", "audit.verified")
    assert check(rt).ok
    # a checkpoint alone, that no audit.pruned entry records, does not let rows vanish
    with rt.db.session() as s:
        first = s.scalar(select(AuditEntry).order_by(AuditEntry.seq))
        s.add(AuditCheckpoint(last_pruned_seq=first.seq, last_pruned_hash=first.hash, pruned=1))
    with rt.db.engine.begin() as c:
        c.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": first.seq})
    r = check(rt)
    assert not r.ok and "no audit.pruned entry" in r.reason


@pytest.mark.parametrize("role,code", [("compliance", 200), ("admin", 200), ("moderator", 403)])
def test_audit_api(client, rt, make_staff, role, code):
    fill(rt, 2)
    h = {"Authorization": make_staff(f"u-{role}", role)["Authorization"]}
    r = client.get("/v1/audit/verify", headers=h)
    assert r.status_code == code
    if code == 200:
        assert r.json()["ok"] is True
        listed = client.get("/v1/audit?limit=10", headers=h).json()["entries"]
        assert listed[0]["action"] == "audit.verified" and listed[0]["actor"] == f"u-{role}"
        csv_text = client.get("/v1/audit?format=csv", headers=h).text
        assert "regulator_report.viewed" in csv_text
