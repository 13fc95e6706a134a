"""The audit log: append-only, chained by SHA-256, checked by `modpipe audit verify`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modpipe.db import utcnow
from reports.models import AuditEntry

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727_274  # any constant; one advisory lock serialises appends to the chain


def _digest(prev: str, entry: AuditEntry) -> str:
    body = json.dumps(
        {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action, "target": entry.target,
         "org_id": entry.org_id, "details": entry.details},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256((prev + body).encode()).hexdigest()


def record(s: Session, actor: str, action: str, target: str | None = None, org_id: str | None = None,
           **details: Any) -> AuditEntry:
    """Append one entry in the caller's transaction. On PostgreSQL the chain head is locked so
    concurrent writers append one after the other."""
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)
    if s.bind.dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))
    last = s.scalar(q)
    prev = last.hash if last else GENESIS
    entry = AuditEntry(at=utcnow(), actor=actor, action=action,
                       target=target, org_id=org_id, details=details, prev_hash=prev)
    entry.hash = _digest(prev, entry)
    s.add(entry)
    s.flush()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(s: Session) -> VerifyResult:
    prev = GENESIS
    n = 0
    for entry in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        n += 1
        if entry.prev_hash != prev:
            return VerifyResult(False, n, entry.seq, "prev_hash does not match the entry before it (a row was removed or reordered)")
        if _digest(prev, entry) != entry.hash:
            return VerifyResult(False, n, entry.seq, "the entry's content does not match its hash (it was edited)")
        prev = entry.hash
    return VerifyResult(True, n)
