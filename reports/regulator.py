"""Regulator reports (clause 5.2.5, 5.2.2(8)): drafted when review confirms fabricated content or
a rumour, reviewed by compliance staff, moved draft -> submitted -> acknowledged.

The payload is gathered once, from the item, its account and organisation, the detectors'
outputs and every review decision, and carries everything a regulator asks for; the content
itself is copied into the payload (text) or sealed in the object store (originals), so the
record survives the user deleting the item. Once submitted a version never changes (the model
refuses it on flush); a correction is a new version that supersedes it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modpipe.db import new_id, utcnow
from modpipe.errors import Conflict, InvalidInput, NotFound
from modpipe.models import Account, Item, Organization, StaffUser
from reports import audit
from reports.models import EvidenceCopy, RegulatorReport, ReportStatus
from review_queue.models import ReviewTask

SCHEMA = "modpipe.regulator_report/1"
FABRICATED = "fabricated"
RUMOR = "rumor_disorder"
CLAUSES = {FABRICATED: "5.2.5", RUMOR: "5.2.2(8)"}
# What compliance staff may write on a draft (and on a correction): the rest is gathered, not typed.
EDITABLE = ("summary", "action_taken", "compliance_note", "authority")
DEFAULT_AUTHORITY = "网信部门 (Cyberspace Administration)"


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def grounds_of(task: ReviewTask) -> list[str]:
    """Why a final review decision calls for a report; empty when it does not."""
    if task.decision != "block":
        return []
    out = []
    if task.fabricated:
        out.append(FABRICATED)
    if RUMOR in (task.categories or []):
        out.append(RUMOR)
    return out


def _content_sha(item: Item) -> str | None:
    if item.blob_sha256:
        return item.blob_sha256
    if item.text is not None:
        return hashlib.sha256(item.text.encode("utf-8")).hexdigest()
    return None


def _reviews(s: Session, item_id: str) -> list[dict[str, Any]]:
    tasks = s.scalars(select(ReviewTask).where(ReviewTask.item_id == item_id, ReviewTask.decision.is_not(None))
                      .order_by(ReviewTask.decided_at, ReviewTask.created_at)).all()
    ids = {t.decided_by for t in tasks if t.decided_by}
    names = {u.id: (u.username, u.role) for u in s.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))} if ids else {}
    out = []
    for t in tasks:
        name, role = names.get(t.decided_by, (None, None))
        out.append({"task_id": t.id, "queue": t.queue, "decision": t.decision, "categories": list(t.categories or []),
                    "fabricated": bool(t.fabricated), "note": t.note, "reviewer_id": t.decided_by,
                    "reviewer": name, "reviewer_role": role, "decided_at": _iso(t.decided_at)})
    return out


def item_record(s: Session, item: Item) -> dict[str, Any]:
    """What was found, what was decided, by whom and on what evidence, for any item, now."""
    org = s.get(Organization, item.org_id)
    acc = s.get(Account, item.account_id) if item.account_id else None
    return {
        "schema": SCHEMA,
        "item": {"id": item.id, "external_id": item.external_id, "url_path": f"/v1/items/{item.id}",
                 "kind": item.kind, "published_at": _iso(item.created_at), "source_ip": item.source_ip,
                 "mime": item.mime, "filename": item.filename, "size_bytes": item.size_bytes},
        "organisation": {"id": item.org_id, "name": org.name if org else None},
        "account": None if acc is None else {
            "id": acc.id, "user_id": acc.external_user_id, "real_name_binding": acc.real_name_binding,
            "status": acc.status},
        "content": {"text": item.text, "sha256": _content_sha(item), "blob_sha256": item.blob_sha256,
                    "sealed_copy": bool(item.blob_sha256)},
        "aigc": {"labels_received": item.aigc or {}, "declared_aigc": bool(item.declared_aigc)},
        "detectors": {"decision": item.pipeline_decision, "source": item.decision_source,
                      "categories": item.categories or [], "flags": item.flags or [],
                      "rules_version": item.rules_version, "model_version": item.model_version},
        "reviews": _reviews(s, item.id),
        "decision": {"decision": item.decision, "source": item.decision_source, "status": item.status,
                     "decided_at": _iso(item.decided_at), "deleted_at": _iso(item.deleted_at)},
    }


def gather(s: Session, item: Item, task: ReviewTask, grounds: list[str]) -> dict[str, Any]:
    """Everything the regulator asks for, as of now, in one JSON object."""
    out = item_record(s, item)
    del out["decision"]
    acc = out["account"]
    return {
        **out,
        "grounds": grounds,
        "clause": "; ".join(CLAUSES[g] for g in grounds),
        "action": {"decision": task.decision, "content_removed": task.decision == "block",
                   "account_status": acc["status"] if acc else None, "decided_at": _iso(task.decided_at)},
        "summary": "",
        "action_taken": "内容已删除 (content removed)" if task.decision == "block" else "",
        "compliance_note": "",
        "authority": DEFAULT_AUTHORITY,
    }


def _seal_evidence(s: Session, report: RegulatorReport, item: Item) -> None:
    if not item.blob_sha256:
        return
    held = s.scalar(select(EvidenceCopy).where(EvidenceCopy.chain_id == report.chain_id,
                                               EvidenceCopy.sha256 == item.blob_sha256))
    if held is None:
        s.add(EvidenceCopy(chain_id=report.chain_id, item_id=item.id, sha256=item.blob_sha256, mime=item.mime,
                           size_bytes=item.size_bytes or 0))


def _set_payload(r: RegulatorReport, payload: dict[str, Any]) -> None:
    r.payload = payload
    r.payload_sha256 = payload_digest(payload)
    r.updated_at = utcnow()


def latest_version(s: Session, chain_id: str) -> RegulatorReport | None:
    return s.scalar(select(RegulatorReport).where(RegulatorReport.chain_id == chain_id)
                    .order_by(RegulatorReport.version.desc()).limit(1))


def draft_for(s: Session, item: Item, task: ReviewTask, actor: str = "system") -> RegulatorReport | None:
    """Draft (or refresh) the report a final review decision calls for. Idempotent per task.

    - no report for the item yet and the decision gives grounds: a new draft;
    - an open draft: its gathered part is refreshed (compliance staff's edits stay);
    - a submitted report and a new decision that changes the picture (confirmed again on
      appeal, or reversed): a new draft version that supersedes it, for staff to send.
    """
    grounds = grounds_of(task)
    existing = s.scalar(select(RegulatorReport).where(RegulatorReport.item_id == item.id)
                        .order_by(RegulatorReport.created_at.desc()).limit(1))
    if existing is None and not grounds:
        return None
    if existing is not None:
        latest = latest_version(s, existing.chain_id)
        if latest.task_id == task.id and latest.status != ReportStatus.DRAFT:
            return latest  # this decision was already reported
        if not grounds:
            grounds = list(latest.payload.get("grounds") or [])
            reversal = True
        else:
            reversal = False
        fresh = gather(s, item, task, grounds)
        if item.deleted_at is not None:
            # The content is gone from the item (deletion request, retention): the snapshot taken
            # before stays; only the decisions are new.
            for k in ("item", "organisation", "account", "content", "aigc", "detectors"):
                fresh[k] = latest.payload.get(k, fresh[k])
        if reversal:
            fresh["action_taken"] = "复核撤销原决定 (decision reversed on review)"
            fresh["reversed"] = True
        if latest.status == ReportStatus.DRAFT:
            keep = {k: latest.payload.get(k, fresh[k]) for k in EDITABLE}
            if reversal:
                keep["action_taken"] = fresh["action_taken"]
            fresh.update(keep)
            for k in ("correction", "supersedes"):
                if k in latest.payload:
                    fresh[k] = latest.payload[k]
            _set_payload(latest, fresh)
            latest.task_id, latest.content_sha256 = task.id, fresh["content"]["sha256"]
            _seal_evidence(s, latest, item)
            audit.record(s, actor, "regulator_report.refreshed", target=latest.id, org_id=item.org_id,
                         item_id=item.id, task_id=task.id)
            return latest
        if latest.status == ReportStatus.DISCARDED and reversal:
            return None
        fresh["correction"] = {"of_version": latest.version, "of_report": latest.id,
                               "reason": "new review decision" + (" reversing the block" if reversal else "")}
        return _new_version(s, latest, fresh, actor, task_id=task.id, item=item)
    chain = new_id()
    r = RegulatorReport(id=chain, chain_id=chain, version=1, status=ReportStatus.DRAFT, item_id=item.id,
                        org_id=item.org_id, account_id=item.account_id, task_id=task.id, grounds=grounds[0],
                        clause="; ".join(CLAUSES[g] for g in grounds), created_by=actor)
    payload = gather(s, item, task, grounds)
    r.content_sha256 = payload["content"]["sha256"]
    _set_payload(r, payload)
    s.add(r)
    s.flush()
    _seal_evidence(s, r, item)
    audit.record(s, actor, "regulator_report.drafted", target=r.id, org_id=item.org_id, item_id=item.id,
                 task_id=task.id, grounds=grounds)
    return r


def on_review_decided(session: Session, task: ReviewTask, item: Item, final: bool = True, **_: Any) -> None:
    """``review.decided`` handler: runs in the review transaction, so the draft commits with the decision."""
    if final:
        draft_for(session, item, task)


def _new_version(s: Session, prev: RegulatorReport, payload: dict[str, Any], actor: str,
                 task_id: str | None, item: Item | None) -> RegulatorReport:
    if prev.status == ReportStatus.DRAFT:
        raise Conflict(f"report {prev.id} is still a draft; edit it instead of making a new version")
    payload = {**payload, "supersedes": prev.id}
    r = RegulatorReport(chain_id=prev.chain_id, version=prev.version + 1, supersedes=prev.id,
                        status=ReportStatus.DRAFT, item_id=prev.item_id, org_id=prev.org_id,
                        account_id=prev.account_id, task_id=task_id or prev.task_id, grounds=prev.grounds,
                        clause=payload.get("clause") or prev.clause, created_by=actor,
                        content_sha256=(payload.get("content") or {}).get("sha256") or prev.content_sha256)
    _set_payload(r, payload)
    s.add(r)
    s.flush()
    if item is not None:
        _seal_evidence(s, r, item)
    audit.record(s, actor, "regulator_report.versioned", target=r.id, org_id=r.org_id, chain_id=r.chain_id,
                 version=r.version, supersedes=prev.id, reason=(payload.get("correction") or {}).get("reason"))
    return r


def get(s: Session, report_id: str) -> RegulatorReport:
    r = s.get(RegulatorReport, report_id)
    if r is None:
        raise NotFound(f"no regulator report {report_id!r}")
    return r


def _edits(changes: dict[str, Any]) -> dict[str, str]:
    if not isinstance(changes, dict):
        raise InvalidInput("send a JSON object with any of: " + ", ".join(EDITABLE))
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"{', '.join(unknown)} cannot be edited; the gathered record is fixed. "
                           f"Editable: {', '.join(EDITABLE)}")
    out = {}
    for k, v in changes.items():
        if not isinstance(v, str) or len(v) > 10_000:
            raise InvalidInput(f"{k!r} must be a string of at most 10000 characters")
        out[k] = v
    return out


def update_draft(s: Session, r: RegulatorReport, actor: str, changes: dict[str, Any]) -> RegulatorReport:
    edits = _edits(changes)
    if r.status != ReportStatus.DRAFT:
        raise Conflict(f"report {r.id} is {r.status}; only drafts can be edited. POST .../versions for a correction")
    _set_payload(r, {**r.payload, **edits})
    audit.record(s, actor, "regulator_report.edited", target=r.id, org_id=r.org_id, fields=sorted(edits))
    return r


def _stale_draft_check(s: Session, r: RegulatorReport) -> None:
    if payload_digest(r.payload) != r.payload_sha256:
        raise Conflict(f"report {r.id}'s payload does not match its recorded hash; it was changed outside modpipe")


def submit(s: Session, r: RegulatorReport, actor: str) -> RegulatorReport:
    if r.status != ReportStatus.DRAFT:
        raise Conflict(f"report {r.id} is {r.status}; only a draft can be submitted")
    _stale_draft_check(s, r)
    prev = s.get(RegulatorReport, r.supersedes) if r.supersedes else None
    r.status, r.submitted_at, r.submitted_by = ReportStatus.SUBMITTED, utcnow(), actor
    for ev in s.scalars(select(EvidenceCopy).where(EvidenceCopy.chain_id == r.chain_id)):
        ev.sealed = True
    if prev is not None and prev.superseded_by is None:
        prev.superseded_by = r.id
    # The payload hash goes into the audit chain: the sent record is pinned by the chain too.
    audit.record(s, actor, "regulator_report.submitted", target=r.id, org_id=r.org_id, chain_id=r.chain_id,
                 version=r.version, payload_sha256=r.payload_sha256, content_sha256=r.content_sha256)
    return r


def acknowledge(s: Session, r: RegulatorReport, actor: str, regulator_ref: str) -> RegulatorReport:
    ref = (regulator_ref or "").strip() if isinstance(regulator_ref, str) else ""
    if not ref or len(ref) > 200:
        raise InvalidInput("'regulator_ref' (the regulator's reference for this report, 1-200 characters) is required")
    if r.status != ReportStatus.SUBMITTED:
        raise Conflict(f"report {r.id} is {r.status}; only a submitted report can be acknowledged")
    r.status, r.acknowledged_at, r.acknowledged_by, r.regulator_ref = ReportStatus.ACKNOWLEDGED, utcnow(), actor, ref
    audit.record(s, actor, "regulator_report.acknowledged", target=r.id, org_id=r.org_id, regulator_ref=ref)
    return r


def discard(s: Session, r: RegulatorReport, actor: str, reason: str) -> RegulatorReport:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("'reason' is required to discard a draft (why it is not sent)")
    if r.status != ReportStatus.DRAFT:
        raise Conflict(f"report {r.id} is {r.status}; only a draft can be discarded")
    r.status, r.discarded_reason, r.updated_at = ReportStatus.DISCARDED, reason[:2000], utcnow()
    audit.record(s, actor, "regulator_report.discarded", target=r.id, org_id=r.org_id, reason=reason[:500])
    return r


def correct(s: Session, r: RegulatorReport, actor: str, reason: str, changes: dict[str, Any]) -> RegulatorReport:
    """A correction to a submitted (or acknowledged) report: a new draft version."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise InvalidInput("'reason' is required for a correction (what was wrong in the version sent)")
    edits = _edits(changes or {})
    if r.status not in ReportStatus.SEALED:
        raise Conflict(f"report {r.id} is {r.status}; corrections are made to submitted reports")
    latest = latest_version(s, r.chain_id)
    if latest.id != r.id:
        raise Conflict(f"report {r.id} is version {r.version}; version {latest.version} ({latest.id}) is the latest")
    payload = {**r.payload, **edits, "correction": {"of_version": r.version, "of_report": r.id, "reason": reason}}
    return _new_version(s, r, payload, actor, task_id=None, item=None)


def versions(s: Session, chain_id: str) -> list[RegulatorReport]:
    return list(s.scalars(select(RegulatorReport).where(RegulatorReport.chain_id == chain_id)
                          .order_by(RegulatorReport.version)))


def query(s: Session, *, status: str | None = None, org_id: str | None = None, since: datetime | None = None,
          until: datetime | None = None, latest_only: bool = False, item_id: str | None = None,
          limit: int = 1000) -> list[RegulatorReport]:
    q = select(RegulatorReport).order_by(RegulatorReport.created_at.desc()).limit(limit)
    if item_id:
        q = q.where(RegulatorReport.item_id == item_id)
    if status:
        if status not in (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED, ReportStatus.DISCARDED):
            raise InvalidInput(f"status {status!r}; use draft, submitted, acknowledged or discarded")
        q = q.where(RegulatorReport.status == status)
    if org_id:
        q = q.where(RegulatorReport.org_id == org_id)
    if since:
        q = q.where(RegulatorReport.created_at >= since)
    if until:
        q = q.where(RegulatorReport.created_at < until)
    if latest_only:
        q = q.where(RegulatorReport.superseded_by.is_(None))
    return list(s.scalars(q))


def view(r: RegulatorReport, base_url: str) -> dict[str, Any]:
    """A report as the API and exports show it; ``integrity`` re-checks the payload hash."""
    payload = r.payload or {}
    item = payload.get("item") or {}
    return {
        "id": r.id, "chain_id": r.chain_id, "version": r.version, "status": r.status,
        "supersedes": r.supersedes, "superseded_by": r.superseded_by,
        "item_id": r.item_id, "item_url": base_url.rstrip("/") + item.get("url_path", f"/v1/items/{r.item_id}"),
        "org_id": r.org_id, "account_id": r.account_id, "task_id": r.task_id,
        "grounds": payload.get("grounds") or [r.grounds], "clause": r.clause,
        "content_sha256": r.content_sha256, "payload_sha256": r.payload_sha256,
        "integrity": "ok" if payload_digest(payload) == r.payload_sha256 else "mismatch",
        "created_at": _iso(r.created_at), "created_by": r.created_by,
        "submitted_at": _iso(r.submitted_at), "submitted_by": r.submitted_by,
        "acknowledged_at": _iso(r.acknowledged_at), "acknowledged_by": r.acknowledged_by,
        "regulator_ref": r.regulator_ref, "discarded_reason": r.discarded_reason,
        "payload": payload,
    }
