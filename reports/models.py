"""Compliance tables: the hash-chained audit log, regulator reports and their sealed evidence,
and the answers to deletion requests.

Regulator reports point at items, organisations and accounts by plain ids, not foreign keys:
they must outlive the content they describe (clause 5.2.5 asks the platform to keep the
records even after the user deletes the item or the organisation closes its account).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from modpipe.db import Base, UTCDateTime, new_id, utcnow


class AuditEntry(Base):
    """One staff action. ``hash`` = SHA-256 over the previous entry's hash and this entry's
    canonical JSON, so editing or deleting any row breaks the chain from there on."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """Where the chain starts after retention pruned its oldest entries: the last pruned
    entry's seq and hash. The pruning itself is an audit entry carrying the same pair, so a
    checkpoint nobody recorded in the chain is not accepted by ``verify``."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    last_pruned_seq: Mapped[int] = mapped_column(Integer)
    last_pruned_hash: Mapped[str] = mapped_column(String(64))
    pruned: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    DISCARDED = "discarded"

    SEALED = frozenset({SUBMITTED, ACKNOWLEDGED})


class RegulatorReport(Base):
    """One version of a report to the regulator about one item (clause 5.2.5 / 5.2.2(8)).

    Versions of the same report share ``chain_id``; a correction is a new version that
    ``supersedes`` the one before. ``payload`` is the whole record as it is sent; once a
    version is submitted its payload, hash and grounds never change (see ``reports.regulator``).
    """

    __tablename__ = "regulator_reports"
    __table_args__ = (
        UniqueConstraint("chain_id", "version"),
        Index("ix_regulator_reports_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    chain_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes: Mapped[str | None] = mapped_column(String(32), nullable=True)
    superseded_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.DRAFT)

    item_id: Mapped[str] = mapped_column(String(32), index=True)
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grounds: Mapped[str] = mapped_column(String(32))  # fabricated | rumor_disorder
    clause: Mapped[str] = mapped_column(String(32))
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload_sha256: Mapped[str] = mapped_column(String(64))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    regulator_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    discarded_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvidenceCopy(Base):
    """An original kept for a regulator report: the object store keeps the blob as long as any
    row here names it, whatever happens to the item (user deletion, organisation closure)."""

    __tablename__ = "evidence_copies"
    __table_args__ = (UniqueConstraint("chain_id", "sha256"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    chain_id: Mapped[str] = mapped_column(String(32), index=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    mime: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeletionRequest(Base):
    """An organisation's deletion request or account closure (clause 5.1) and the answer given:
    what was removed, and what the law requires to be kept (sealed), listed."""

    __tablename__ = "deletion_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(String(32), index=True)
    closure: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# Immutability of submitted reports, enforced on every ORM flush whoever writes (API, pages, CLI,
# another package). Declared with the model so it holds wherever the model is used.
_FROZEN = ("chain_id", "version", "supersedes", "item_id", "org_id", "account_id", "task_id", "grounds", "clause",
           "content_sha256", "payload", "payload_sha256", "created_at", "created_by", "submitted_at", "submitted_by")
_NEXT = {ReportStatus.SUBMITTED: {ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED},
         ReportStatus.ACKNOWLEDGED: {ReportStatus.ACKNOWLEDGED}, ReportStatus.DISCARDED: {ReportStatus.DISCARDED}}


@event.listens_for(RegulatorReport, "before_update")
def _refuse_changes_once_submitted(mapper, connection, target: RegulatorReport) -> None:
    from modpipe.errors import Conflict

    state = inspect(target)
    hist = state.attrs.status.history
    old = hist.deleted[0] if hist.deleted else target.status
    if old == ReportStatus.DRAFT:
        return
    changed = [name for name in _FROZEN if state.attrs[name].history.has_changes()]
    if old == ReportStatus.DISCARDED:
        changed += [n for n in ("regulator_ref", "acknowledged_at", "acknowledged_by", "discarded_reason")
                    if state.attrs[n].history.has_changes()]
    if target.status not in _NEXT[old]:
        changed.append("status")
    ref = state.attrs.regulator_ref.history
    if ref.has_changes() and ref.deleted and ref.deleted[0] is not None:
        changed.append("regulator_ref")
    sup = state.attrs.superseded_by.history
    if sup.has_changes() and sup.deleted and sup.deleted[0] is not None:
        changed.append("superseded_by")
    if changed:
        raise Conflict(f"regulator report {target.id} is {old}; its {', '.join(sorted(set(changed)))} can no longer "
                       "change. Records are immutable once submitted: make a correction as a new version")


@event.listens_for(RegulatorReport, "before_delete")
def _refuse_delete_once_submitted(mapper, connection, target: RegulatorReport) -> None:
    from modpipe.errors import Conflict

    if target.status in ReportStatus.SEALED:
        raise Conflict(f"regulator report {target.id} is {target.status} and sealed; it cannot be deleted")


@event.listens_for(EvidenceCopy, "before_delete")
def _refuse_delete_sealed_evidence(mapper, connection, target: EvidenceCopy) -> None:
    from modpipe.errors import Conflict

    if target.sealed:
        raise Conflict(f"original {target.sha256} is sealed evidence of report chain {target.chain_id}")


@event.listens_for(AuditEntry, "before_update")
def _audit_is_append_only(mapper, connection, target: AuditEntry) -> None:
    from modpipe.errors import Conflict

    raise Conflict(f"audit entry {target.seq} cannot be changed: the audit log is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _audit_entries_are_not_deleted(mapper, connection, target: AuditEntry) -> None:
    from modpipe.errors import Conflict

    raise Conflict(f"audit entry {target.seq} cannot be deleted; only retention prunes the log (with a checkpoint)")
