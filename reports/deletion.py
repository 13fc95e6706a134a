"""An organisation's deletion request or account closure (clause 5.1).

The organisation's controlled data goes: its items' content and originals (unless another
live item or a sealed record holds the same original), its own keywords and hash-bank entries,
its webhook deliveries, the identifiers of its accounts (pseudonymised: decision logs still
point at them), and on closure its API key and its staff's sign-in. What the law requires to be
kept stays, sealed, and the answer lists it: regulator reports with their content snapshots and
evidence originals (clause 5.2.5), the audit log and the review decisions (logs, six months).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from modpipe.accounts import token_digest
from modpipe.db import utcnow
from modpipe.errors import InvalidInput, NotFound
from modpipe.models import Account, HashBankEntry, Item, Organization, OrgTerm, StaffUser, WebhookDelivery
from reports import audit
from reports.models import AuditEntry, DeletionRequest, EvidenceCopy, RegulatorReport
from reports.retention import delete_blobs, strip_content
from review_queue.models import ReviewTask

MAX_ITEM_IDS = 10_000


def _iso(dt):
    return dt.isoformat() if dt else None


def _sealed(s: Session, settings, org_id: str, item_ids: set[str] | None) -> list[dict[str, Any]]:
    now = utcnow()
    r_days, l_days = settings.retention.report_days, settings.retention.log_days
    q = select(RegulatorReport).where(RegulatorReport.org_id == org_id).order_by(RegulatorReport.created_at)
    out: list[dict[str, Any]] = []
    chains = set()
    for r in s.scalars(q):
        if item_ids is not None and r.item_id not in item_ids:
            continue
        chains.add(r.chain_id)
        start = r.submitted_at or r.created_at
        out.append({"record": "regulator_report", "id": r.id, "chain_id": r.chain_id, "version": r.version,
                    "status": r.status, "item_id": r.item_id, "content_sha256": r.content_sha256,
                    "retain_until": _iso(start + timedelta(days=r_days)),
                    "basis": f"clause {r.clause}: records of fabricated or false information are kept and "
                             "reported to the regulator"})
    if chains:
        for ev in s.scalars(select(EvidenceCopy).where(EvidenceCopy.chain_id.in_(chains))):
            out.append({"record": "evidence_original", "sha256": ev.sha256, "item_id": ev.item_id,
                        "report_chain": ev.chain_id, "mime": ev.mime, "size_bytes": ev.size_bytes,
                        "basis": "evidence of a regulator report (clause 5.2.5)"})
    n_audit = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.org_id == org_id)) or 0
    out.append({"record": "audit_log", "entries": n_audit + 1,  # + this request's own entry "retain_until": _iso(now + timedelta(days=l_days)),
                "basis": "staff actions are logged and kept at least six months"})
    task_q = select(func.count()).select_from(ReviewTask).join(Item, Item.id == ReviewTask.item_id).where(
        Item.org_id == org_id, ReviewTask.decision.is_not(None))
    if item_ids is not None:
        task_q = task_q.where(Item.id.in_(item_ids))
    out.append({"record": "review_decisions", "count": s.scalar(task_q) or 0,
                "retain_until": _iso(now + timedelta(days=l_days)),
                "basis": "moderation decisions are logs, kept at least six months (their content is removed)"})
    return out


def delete_org_data(rt, org_id: str, actor: str, *, closure: bool = False, reason: str | None = None,
                    item_ids: list[str] | None = None) -> dict[str, Any]:
    """Carry out a deletion request (``item_ids`` given: those items; else all the organisation's
    data) or a closure (everything, and the organisation's access revoked). Returns the answer."""
    if item_ids is not None:
        if closure:
            raise InvalidInput("a closure deletes everything; do not send 'item_ids' with it")
        if not isinstance(item_ids, list) or not item_ids or len(item_ids) > MAX_ITEM_IDS \
                or not all(isinstance(i, str) for i in item_ids):
            raise InvalidInput(f"'item_ids' must be a list of 1 to {MAX_ITEM_IDS} item ids")
    shas: list[str] = []
    with rt.db.session() as s:
        org = s.get(Organization, org_id)
        if org is None:
            raise NotFound(f"no organisation {org_id!r}")
        req = DeletionRequest(org_id=org_id, closure=closure, requested_by=actor, reason=(reason or None))
        s.add(req)
        q = select(Item).where(Item.org_id == org_id)
        wanted = None
        if item_ids is not None:
            wanted = set(item_ids)
            q = q.where(Item.id.in_(wanted))
        items = s.scalars(q).all()
        if wanted is not None:
            missing = wanted - {i.id for i in items}
            if missing:
                raise NotFound(f"{len(missing)} item(s) are not this organisation's, e.g. {sorted(missing)[0]!r}")
        removed: dict[str, Any] = {"item_contents": 0}
        touched = [i.id for i in items]
        for item in items:
            if item.deleted_at is None or item.text is not None or item.blob_sha256 is not None:
                shas.append(strip_content(item, "deleted at the organisation's request"))
                removed["item_contents"] += 1
        removed["webhook_deliveries"] = 0
        for chunk in range(0, len(touched), 1000):
            removed["webhook_deliveries"] += s.execute(
                delete(WebhookDelivery).where(WebhookDelivery.item_id.in_(touched[chunk:chunk + 1000]))).rowcount
        if wanted is None:
            removed["org_terms"] = s.execute(delete(OrgTerm).where(OrgTerm.org_id == org_id)).rowcount
            removed["hash_bank_entries"] = s.execute(delete(HashBankEntry).where(HashBankEntry.org_id == org_id)).rowcount
            accounts = s.scalars(select(Account).where(Account.org_id == org_id)).all()
            for acc in accounts:
                acc.external_user_id = f"deleted-{acc.id}"
                acc.real_name_binding = None
                acc.status_reason = None
            removed["accounts_pseudonymised"] = len(accounts)
        if closure:
            org.status = "closed"
            org.api_key_hash = token_digest(secrets.token_urlsafe(32))  # the old key no longer matches anything
            org.webhook_secret = secrets.token_hex(32)
            removed["api_key_revoked"] = True
            removed["staff_users_deactivated"] = s.execute(
                update(StaffUser).where(StaffUser.org_id == org_id)
                .values(active=False, token_hash=None, password_hash=None)).rowcount
        s.flush()
        kept = _sealed(s, rt.settings, org_id, wanted)
        req.completed_at = utcnow()
        answer = {"id": req.id, "org_id": org_id, "closure": closure, "requested_by": actor, "reason": reason,
                  "requested_at": _iso(req.requested_at), "completed_at": _iso(req.completed_at),
                  "scope": "items" if wanted is not None else "organisation", "removed": removed,
                  "kept_sealed": kept}
        audit.record(s, actor, "org.closed" if closure else "org.data_deleted", target=f"org:{org_id}", org_id=org_id,
                     deletion_id=req.id, removed=removed,
                     kept_reports=[k["id"] for k in kept if k["record"] == "regulator_report"])
        req.answer = answer
    gone = delete_blobs(rt, shas)
    answer["removed"]["originals"] = len(gone)
    with rt.db.session() as s:
        s.get(DeletionRequest, answer["id"]).answer = answer
    return answer
