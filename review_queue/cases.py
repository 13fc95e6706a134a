"""Complaints (clause 9.1) and appeals (clause 9.2): how an item comes back in front of a person.

Many complaints about one item join the one open complaint task (each makes it
more urgent) instead of flooding the queue. An appeal goes to someone other than
every person who already decided the item, and is answered with a reason the
organisation can read.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modpipe.accounts import Principal, Role
from modpipe.errors import Conflict, Forbidden, InvalidInput, NotFound
from modpipe.models import Item
from modpipe.runtime import Runtime
from review_queue.models import Appeal, Complaint, ReviewTask
from review_queue.routing import add_task, new_task

MAX_REASON = 4000
COMPLAINT_ROLES = frozenset(Role)  # any signed-in staff, and organisations (for their own items)
APPEAL_ROLES = frozenset({Role.ORG_ADMIN})  # besides the organisation's API key
MAX_COMPLAINT_BUMP = 10


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("'reason' is required: say what is wrong, in a sentence or two")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"'reason' is {len(reason)} characters; the limit is {MAX_REASON}")
    return reason.strip()


def _item_for(s: Session, item_id, p: Principal) -> Item:
    """The item a complaint or appeal is about, its row locked until the transaction ends: two
    at once about one item take turns, so the second sees the first's task (no twin tasks, no
    two open appeals). PostgreSQL locks the row; SQLite serialises writers anyway."""
    if not isinstance(item_id, str) or not item_id:
        raise InvalidInput("'item_id' is required")
    item = s.get(Item, item_id, with_for_update=True)
    if item is None or item.deleted_at is not None or (p.org_id is not None and item.org_id != p.org_id):
        raise NotFound(f"no item {item_id!r}")  # another organisation's item does not exist for you
    return item


def file_complaint(rt: Runtime, p: Principal, item_id, reason) -> Complaint:
    from reports.audit import record

    reason = _reason(reason)
    with rt.db.session() as s:
        item = _item_for(s, item_id, p)
        task = s.scalar(select(ReviewTask).where(ReviewTask.item_id == item.id, ReviewTask.queue == "complaint",
                                                 ReviewTask.status.in_(("open", "claimed"))).with_for_update())
        cats = [c.get("category") for c in item.categories or []]
        if task is None:
            task = add_task(s, new_task(item.id, "complaint", f"complaint: {reason[:200]}", cats))
        else:
            if _bumps(s, task) < MAX_COMPLAINT_BUMP:
                task.priority += 1
        complaint = Complaint(item_id=item.id, org_id=item.org_id, reason=reason, filed_by=p.actor, task_id=task.id)
        s.add(complaint)
        s.flush()
        record(s, p.actor, "complaint.file", target=f"complaint:{complaint.id}", org_id=item.org_id,
               item_id=item.id, task_id=task.id)
        return complaint


def _bumps(s: Session, task: ReviewTask) -> int:
    return s.scalar(select(func.count()).select_from(Complaint).where(Complaint.task_id == task.id)) or 0


def deciders_of(s: Session, item_id: str) -> list[str]:
    """Everyone who has decided a review task on this item, first decider first."""
    rows = s.scalars(select(ReviewTask.decided_by).where(ReviewTask.item_id == item_id,
                                                         ReviewTask.decided_by.is_not(None))
                     .order_by(ReviewTask.decided_at))
    return list(dict.fromkeys(rows))


def file_appeal(rt: Runtime, p: Principal, item_id, reason) -> Appeal:
    from reports.audit import record

    if not (p.kind == "org" or (p.kind == "staff" and p.role in APPEAL_ROLES)):
        raise Forbidden("appeals come from the organisation: use its API key (or its admin's token)")
    reason = _reason(reason)
    with rt.db.session() as s:
        item = _item_for(s, item_id, p)
        if item.status != "decided" or item.decision != "block":
            raise Conflict(f"item {item.id} is not blocked (it is {item.status}, {item.decision}); "
                           "only a block can be appealed")
        if s.scalar(select(Appeal).where(Appeal.item_id == item.id, Appeal.status == "open")) is not None:
            raise Conflict(f"item {item.id} already has an open appeal; wait for its answer")
        last = s.scalar(select(ReviewTask).where(ReviewTask.item_id == item.id, ReviewTask.outcome == "final")
                        .order_by(ReviewTask.decided_at.desc()).limit(1))
        deciders = deciders_of(s, item.id)
        cats = [c.get("category") for c in item.categories or []]
        task = add_task(s, new_task(item.id, "appeal", f"appeal: {reason[:200]}", cats,
                                    parent_id=last.id if last else None, exclude=deciders))
        appeal = Appeal(item_id=item.id, org_id=item.org_id, reason=reason, filed_by=p.actor, task_id=task.id,
                        appealed_decision=item.decision, first_decider=deciders[0] if deciders else None)
        s.add(appeal)
        s.flush()
        record(s, p.actor, "appeal.file", target=f"appeal:{appeal.id}", org_id=item.org_id, item_id=item.id,
               task_id=task.id)
        return appeal
