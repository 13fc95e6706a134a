"""How tasks, complaints, appeals and strikes look in JSON (one place, shared by API and pages)."""

from __future__ import annotations

from typing import Any

from modpipe.db import utcnow
from review_queue.models import Appeal, Complaint, ReviewTask, Strike


def _iso(dt) -> str | None:
    return dt.isoformat() if dt else None


def task_view(t: ReviewTask) -> dict[str, Any]:
    return {
        "id": t.id, "item_id": t.item_id, "queue": t.queue, "status": t.status, "priority": t.priority,
        "reason": t.reason, "created_at": _iso(t.created_at), "due_at": _iso(t.due_at),
        "overdue": bool(t.due_at and t.status in ("open", "claimed") and t.due_at < utcnow()),
        "claimed_by": t.claimed_by, "lease_until": _iso(t.lease_until), "parent_id": t.parent_id,
        "decision": t.decision, "categories": t.categories or [], "fabricated": bool(t.fabricated),
        "note": t.note, "outcome": t.outcome, "decided_by": t.decided_by, "decided_at": _iso(t.decided_at),
    }


def complaint_view(c: Complaint) -> dict[str, Any]:
    return {"id": c.id, "item_id": c.item_id, "status": c.status, "reason": c.reason, "task_id": c.task_id,
            "outcome": c.outcome, "answer": c.answer, "created_at": _iso(c.created_at),
            "resolved_at": _iso(c.resolved_at)}


def appeal_view(a: Appeal) -> dict[str, Any]:
    return {"id": a.id, "item_id": a.item_id, "status": a.status, "reason": a.reason, "task_id": a.task_id,
            "appealed_decision": a.appealed_decision, "answer": a.answer, "created_at": _iso(a.created_at),
            "answered_at": _iso(a.answered_at)}


def strike_view(st: Strike) -> dict[str, Any]:
    return {"id": st.id, "item_id": st.item_id, "account_id": st.account_id, "categories": st.categories or [],
            "created_at": _iso(st.created_at), "lifted": st.lifted_at is not None,
            "lifted_at": _iso(st.lifted_at), "lifted_reason": st.lifted_reason}
