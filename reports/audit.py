"""The audit log: append-only, chained by SHA-256, checked by `modpipe audit verify`.

Every entry's hash covers the previous entry's hash and its own canonical JSON, so an
edited row fails its own hash and a removed or reordered row breaks the link to the next.
Retention may prune the oldest entries (after the legal minimum): the pruning is itself an
entry, and a checkpoint row says where the chain now starts; ``verify`` accepts that start
only when the chain it walks contains the pruning entry naming the same seq and hash.

What a hash chain cannot show on its own: someone with write access to the database who
rewrites *every* row after the one they edit, or who cuts the newest rows off the end. The
head (``VerifyResult.head_hash``, ``checked``) is printed by ``modpipe audit verify`` so a copy
kept elsewhere (a regulator report, a ticket) pins it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from modpipe.db import utcnow
from reports.models import AuditCheckpoint, AuditEntry

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727_274  # any constant; one advisory lock serialises appends to the chain
PRUNED = "audit.pruned"
CONTENT_VIEWED = "item.content_viewed"


def _canonical_time(at: datetime) -> str:
    # PostgreSQL hands timestamps back in the session's zone: hash the UTC instant, not its spelling.
    return at.astimezone(timezone.utc).isoformat()


def _digest(prev: str, entry: AuditEntry) -> str:
    body = json.dumps(
        {"at": _canonical_time(entry.at), "actor": entry.actor, "action": entry.action, "target": entry.target,
         "org_id": entry.org_id, "details": entry.details},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256((prev + body).encode()).hexdigest()


def _lock(s: Session) -> None:
    if s.bind.dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY)))


def record(s: Session, actor: str, action: str, target: str | None = None, org_id: str | None = None,
           **details: Any) -> AuditEntry:
    """Append one entry in the caller's transaction. On PostgreSQL the chain head is locked so
    concurrent writers append one after the other."""
    _lock(s)
    last = s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    prev = last.hash if last else _checkpoint_hash(s)
    entry = AuditEntry(at=utcnow(), actor=actor, action=action,
                       target=target, org_id=org_id, details=details, prev_hash=prev)
    entry.hash = _digest(prev, entry)
    s.add(entry)
    s.flush()
    return entry


def content_viewed(s: Session, p, item, via: str) -> AuditEntry | None:
    """Record that platform staff ``p`` (a :class:`~modpipe.accounts.Principal`) read ``item``'s
    content, and how (``via``: the page or API that showed it): clause 7, personal information is
    read by people who leave a trace. An organisation reading its own items leaves none."""
    if p is None or p.kind != "staff" or p.org_id is not None:
        return None
    return record(s, p.actor, CONTENT_VIEWED, target=f"item:{item.id}", org_id=item.org_id, item_id=item.id,
                  role=p.role.value if p.role else None, via=via)


def _checkpoint_hash(s: Session) -> str:
    cp = s.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    return cp.last_pruned_hash if cp else GENESIS


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    head_hash: str | None = None
    starts_after_seq: int | None = None  # set when retention pruned the oldest entries

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(s: Session) -> VerifyResult:
    """Walk the whole chain in seq order; stop at the first entry that does not fit."""
    checkpoints = {cp.last_pruned_hash: cp for cp in s.scalars(select(AuditCheckpoint))}
    prev = GENESIS
    n = 0
    used = None
    confirmed = False
    head: AuditEntry | None = None
    for entry in s.scalars(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)):
        n += 1
        if n == 1 and entry.prev_hash != GENESIS and entry.prev_hash in checkpoints:
            used = checkpoints[entry.prev_hash]
            if entry.seq <= used.last_pruned_seq:
                return VerifyResult(False, n, entry.seq, "an entry sits before the retention checkpoint it follows")
            prev = used.last_pruned_hash
        if entry.prev_hash != prev:
            why = ("the first entry does not start the chain (entries before it were removed)" if n == 1 else
                   "prev_hash does not match the entry before it (a row was removed or reordered)")
            return VerifyResult(False, n, entry.seq, why)
        if _digest(prev, entry) != entry.hash:
            return VerifyResult(False, n, entry.seq, "the entry's content does not match its hash (it was edited)")
        if used is not None and entry.action == PRUNED and entry.details.get("last_pruned_seq") == used.last_pruned_seq \
                and entry.details.get("last_pruned_hash") == used.last_pruned_hash:
            confirmed = True
        prev = entry.hash
        head = entry
    if used is not None and not confirmed:
        return VerifyResult(False, n, None, "the chain starts at a retention checkpoint that no audit.pruned entry records")
    return VerifyResult(True, n, head_seq=head.seq if head else None, head_hash=head.hash if head else None,
                        starts_after_seq=used.last_pruned_seq if used else None)


def prune_older_than(s: Session, cutoff: datetime, actor: str = "retention") -> int:
    """Remove the oldest entries recorded before ``cutoff`` (a prefix of the chain), leaving a
    checkpoint and an ``audit.pruned`` entry so ``verify`` still proves the rest. The caller
    makes sure ``cutoff`` honours the legal minimum (see ``reports.retention``)."""
    _lock(s)
    last: AuditEntry | None = None
    count = 0
    for entry in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.at >= cutoff:
            break
        last, count = entry, count + 1
    if last is None:
        return 0
    record(s, actor, PRUNED, target=f"audit_log:..{last.seq}", last_pruned_seq=last.seq,
           last_pruned_hash=last.hash, pruned=count, cutoff=cutoff.isoformat())
    s.add(AuditCheckpoint(last_pruned_seq=last.seq, last_pruned_hash=last.hash, pruned=count))
    s.execute(delete(AuditEntry).where(AuditEntry.seq <= last.seq))
    return count


def entries(s: Session, *, org_id: str | None = None, action: str | None = None, actor: str | None = None,
            since: datetime | None = None, until: datetime | None = None, limit: int = 500,
            before_seq: int | None = None) -> Iterator[AuditEntry]:
    """Newest first, filtered; ``before_seq`` pages backwards."""
    q = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if org_id:
        q = q.where(AuditEntry.org_id == org_id)
    if action:
        q = q.where(AuditEntry.action == action)
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if since:
        q = q.where(AuditEntry.at >= since)
    if until:
        q = q.where(AuditEntry.at < until)
    if before_seq:
        q = q.where(AuditEntry.seq < before_seq)
    return iter(s.scalars(q).all())


def entry_view(e: AuditEntry) -> dict[str, Any]:
    return {"seq": e.seq, "at": _canonical_time(e.at), "actor": e.actor, "action": e.action, "target": e.target,
            "org_id": e.org_id, "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash}
