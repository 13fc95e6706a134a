"""Retention: what is removed when, and what is never removed.

Periods come from settings (``Settings.retention``; the log and report periods refuse anything
under the legal six months). ``purge`` strips item content older than the content period,
drops webhook delivery logs and audit entries older than the log period (the audit chain keeps
a checkpoint) and discarded drafts older than the report period. It never touches sealed
records: regulator reports that were submitted, the content and originals they hold, and
anything younger than the legal minimum whatever the settings say.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from modpipe.db import utcnow
from modpipe.models import Item, WebhookDelivery
from modpipe.settings import LEGAL_MIN_RETENTION_DAYS
from reports import audit
from reports.models import EvidenceCopy, RegulatorReport, ReportStatus

log = logging.getLogger(__name__)

DELETED_REASON = "content deleted"


def blob_is_held(s: Session, sha: str, ignore_items: Iterable[str] = ()) -> bool:
    """Whether the original ``sha`` must stay in the object store: sealed as evidence for a
    regulator report, or still the content of a live item (other than ``ignore_items``)."""
    if s.scalar(select(exists().where(EvidenceCopy.sha256 == sha))):
        return True
    q = select(exists().where(Item.blob_sha256 == sha, Item.deleted_at.is_(None)))
    ignore = list(ignore_items)
    if ignore:
        q = select(exists().where(Item.blob_sha256 == sha, Item.deleted_at.is_(None), Item.id.not_in(ignore)))
    return bool(s.scalar(q))


def strip_content(item: Item, reason: str = DELETED_REASON) -> str | None:
    """Remove an item's content and what points at the person who posted it; keep the decision
    record (a log). Returns the blob digest whose original may now be deleted."""
    sha = item.blob_sha256
    item.text = None
    item.filename = None
    item.blob_sha256 = None
    item.callback_url = None
    item.source_ip = None
    # Evidence carries excerpts of the content (matched words, OCR text); the scores stay.
    item.categories = [{"category": c.get("category"), "score": c.get("score")} for c in (item.categories or [])
                       if isinstance(c, dict)]
    if item.status in ("queued", "processing"):
        item.status, item.reason = "rejected", reason
    item.deleted_at = utcnow()
    return sha


def reported_item_ids(s: Session) -> set[str]:
    return set(s.scalars(select(RegulatorReport.item_id).where(RegulatorReport.status != ReportStatus.DISCARDED)))


def delete_blobs(rt, shas: Iterable[str]) -> list[str]:
    """Delete originals nobody holds any more (checked again now, after the commit)."""
    gone = []
    with rt.db.session() as s:
        for sha in sorted(set(x for x in shas if x)):
            if not blob_is_held(s, sha):
                rt.store.delete(sha)
                gone.append(sha)
    return gone


def cutoffs(settings, now: datetime) -> dict[str, datetime]:
    r = settings.retention
    floor = now - timedelta(days=LEGAL_MIN_RETENTION_DAYS)
    return {
        "content": now - timedelta(days=r.content_days),
        # min(): a period under the legal minimum could only come from a hand-built Settings.
        "log": min(now - timedelta(days=r.log_days), floor),
        "report": min(now - timedelta(days=r.report_days), floor),
    }


def purge(rt, now: datetime | None = None, dry_run: bool = False, actor: str = "retention") -> dict[str, Any]:
    now = now or utcnow()
    cut = cutoffs(rt.settings, now)
    out: dict[str, Any] = {"now": now.isoformat(), "dry_run": dry_run,
                           "cutoffs": {k: v.isoformat() for k, v in cut.items()}}
    shas: list[str] = []
    with rt.db.session() as s:
        sealed = reported_item_ids(s)
        old = s.scalars(select(Item).where(Item.deleted_at.is_(None), Item.created_at < cut["content"],
                                           Item.status.in_(("decided", "rejected")))).all()
        stripped = kept = 0
        for item in old:
            if item.id in sealed:
                kept += 1
                continue
            stripped += 1
            if not dry_run:
                shas.append(strip_content(item, "retention period over"))
        out["item_contents_removed"] = stripped
        out["item_contents_kept_sealed"] = kept
        q = delete(WebhookDelivery).where(WebhookDelivery.created_at < cut["log"], WebhookDelivery.status != "pending")
        out["webhook_deliveries_removed"] = 0 if dry_run else s.execute(q).rowcount
        drafts = s.scalars(select(RegulatorReport).where(RegulatorReport.status == ReportStatus.DISCARDED,
                                                         RegulatorReport.updated_at < cut["report"])).all()
        out["discarded_drafts_removed"] = len(drafts)
        if not dry_run:
            for r in drafts:
                s.delete(r)
        out["audit_entries_removed"] = 0 if dry_run else audit.prune_older_than(s, cut["log"], actor)
        out["regulator_reports_kept"] = len(s.scalars(select(RegulatorReport.id).where(
            RegulatorReport.status.in_(ReportStatus.SEALED))).all())
        if dry_run:
            s.rollback()
        else:
            audit.record(s, actor, "retention.purged", **{k: v for k, v in out.items() if k != "cutoffs"})
    out["blobs_removed"] = 0 if dry_run else len(delete_blobs(rt, shas))
    log.info("retention purge", extra={"purge": out})
    return out
