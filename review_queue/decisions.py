"""A moderator's decision: checked, written once, and, once final, applied to the item.

A block in one of the most severe categories, or a ``fabricated`` mark (5.2.5),
is not final until a second person (a senior moderator) looks at it: the first
decision opens a ``second_review`` task and the item keeps its state until then.
A final decision, in the same transaction: updates the item's verdict, resolves
the complaints or the appeal behind the task, adds or lifts the strike, banks the
image if asked, queues the webhook, tells the other packages (``review.decided``)
and appends to the audit log. The webhook message goes out after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from modpipe import events
from modpipe.accounts import Principal
from modpipe.db import utcnow
from modpipe.domain import Category
from modpipe.errors import Conflict, Forbidden, InvalidInput, NotFound
from modpipe.models import Item, WebhookDelivery
from modpipe.runtime import Runtime
from review_queue import strikes
from review_queue.models import Appeal, Complaint, ReviewTask, TaskExclusion
from review_queue.routing import CLAIM_ROLES, QUEUES, SEVERE, add_task, new_task

MAX_NOTE = 4000
SUPERSEDED_QUEUES = ("pipeline", "tampered")


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    categories: list[str] = field(default_factory=list)
    fabricated: bool = False
    note: str = ""
    bank: bool = False

    @classmethod
    def parse(cls, body: Any) -> "DecisionInput":
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object with 'decision'")
        decision = body.get("decision")
        if decision not in ("pass", "block"):
            raise InvalidInput(f"'decision' is {decision!r}; use 'pass' or 'block'")
        cats = body.get("categories") or []
        if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
            raise InvalidInput("'categories' must be a list of category slugs")
        for c in cats:
            try:
                Category.parse(c)
            except ValueError as e:
                raise InvalidInput(str(e)) from None
        cats = list(dict.fromkeys(cats))
        if decision == "block" and not cats:
            raise InvalidInput("a block needs at least one category from clause 5.2.2 in 'categories'")
        if decision == "pass":
            cats = []
        fabricated, bank = body.get("fabricated", False), body.get("bank", False)
        if not isinstance(fabricated, bool) or not isinstance(bank, bool):
            raise InvalidInput("'fabricated' and 'bank' must be true or false")
        note = body.get("note") or ""
        if not isinstance(note, str) or len(note) > MAX_NOTE:
            raise InvalidInput(f"'note' must be a string of at most {MAX_NOTE} characters")
        if bank and decision != "block":
            raise InvalidInput("'bank' adds a blocked image to the hash bank; it needs 'decision': 'block'")
        return cls(decision, cats, fabricated, note.strip(), bank)

    @property
    def needs_second_review(self) -> bool:
        return self.fabricated or (self.decision == "block" and bool(SEVERE.intersection(self.categories)))


@dataclass
class DecisionResult:
    task: ReviewTask
    final: bool
    item_id: str
    second_review_task_id: str | None = None
    webhook_id: str | None = None


def decide(rt: Runtime, task_id: str, p: Principal, d: DecisionInput) -> DecisionResult:
    """Decide the task ``p`` holds. Exactly one decision per task, however many people click at once."""
    if p.kind != "staff" or p.role not in CLAIM_ROLES:
        raise Forbidden("deciding review tasks needs the moderator, senior_moderator or admin role")
    with rt.db.session() as s:
        task = s.get(ReviewTask, task_id)
        if task is None:
            raise NotFound(f"no review task {task_id!r}")
        if p.role not in QUEUES[task.queue].roles:
            raise Forbidden(f"{task.queue} tasks need one of: {', '.join(sorted(r.value for r in QUEUES[task.queue].roles))}")
        root = s.get(ReviewTask, task.parent_id) if task.queue == "second_review" else task
        if (root.queue == "appeal") and not d.note:
            raise InvalidInput("an appeal is answered with a reason the organisation can read: write it in 'note'")
        now = utcnow()
        n = s.execute(
            update(ReviewTask)
            .where(ReviewTask.id == task_id, ReviewTask.status == "claimed", ReviewTask.claimed_by == p.user_id)
            .values(status="done", decision=d.decision, categories=d.categories, fabricated=d.fabricated,
                    note=d.note or None, bank=d.bank, decided_by=p.user_id, decided_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if n == 0:
            s.refresh(task)
            raise Conflict(_why_not(task, p))
        s.refresh(task)
        item = s.get(Item, task.item_id)
        final = task.queue == "second_review" or not d.needs_second_review
        result = DecisionResult(task=task, final=final, item_id=item.id)
        if not final:
            task.outcome = "pending_second"
            excluded = [p.user_id, *s.scalars(select(TaskExclusion.user_id).where(TaskExclusion.task_id == task.id))]
            why = "fabricated" if d.fabricated else ", ".join(d.categories)
            second = add_task(s, new_task(item.id, "second_review", f"second review of a {d.decision} ({why})",
                                          d.categories, parent_id=task.id, exclude=excluded))
            result.second_review_task_id = second.id
            _audit(s, p, task, item, d, final)  # last: the audit chain's lock is held until the commit
            return result
        if task.queue == "second_review":
            agrees = (root.decision, sorted(root.categories or []), root.fabricated) == (
                d.decision, sorted(d.categories), d.fabricated)
            root.outcome = "confirmed" if agrees else "overruled"
            task.outcome = "final"
            bank = d.bank or (root.bank and d.decision == "block")
        else:
            task.outcome = "final"
            bank = d.bank
        result.webhook_id = apply_final(rt, s, root, task, item, p, d, bank)
        _audit(s, p, task, item, d, final)  # last: the audit chain's lock is held until the commit
    if result.webhook_id and rt.actors is not None:
        rt.actors.deliver_webhook.send(result.webhook_id)
    return result


def _why_not(task: ReviewTask, p: Principal) -> str:
    if task.status == "done":
        return f"task {task.id} is already decided ({task.decision}); a task is decided once"
    if task.status == "claimed" and task.claimed_by != p.user_id:
        return f"task {task.id} is claimed by another moderator; claim the next task instead"
    if task.status == "open":
        return f"task {task.id} is not claimed by you (your lease may have run out); claim it first"
    return f"task {task.id} is {task.status}"


def apply_final(rt: Runtime, s: Session, root: ReviewTask, task: ReviewTask, item: Item, p: Principal,
                d: DecisionInput, bank: bool) -> str | None:
    """Make ``d`` the item's outcome; everything that follows from it happens in this transaction."""
    from reports.audit import record

    now = utcnow()
    root.extra = {**(root.extra or {}), "before": {"decision": item.decision, "categories": item.categories,
                                                   "flags": item.flags}}
    item.decision, item.decision_source, item.decided_at = d.decision, "moderator", now
    item.categories = _confirmed_categories(item.categories or [], d, p)
    flags = [f for f in (item.flags or []) if f != "fabricated"]
    item.flags = flags + (["fabricated"] if d.fabricated else [])
    if d.decision == "block":
        strikes.add_strike(s, item, task.id, d.categories)
    else:
        strikes.lift_for_item(s, item.id, p.actor, f"not a violation after review (task {task.id})")
    if bank and item.kind == "image":
        from review_queue.bank import bank_item

        entry = bank_item(s, rt.store, item, d.categories, p.actor)
        record(s, p.actor, "hashbank.add", target=f"hash:{entry.pdq}", org_id=item.org_id, item_id=item.id,
               category=entry.category)
    # The machine's own questions about this item are answered now: nobody needs to look again.
    superseded = s.execute(
        update(ReviewTask)
        .where(ReviewTask.item_id == item.id, ReviewTask.id != root.id, ReviewTask.queue.in_(SUPERSEDED_QUEUES),
               ReviewTask.status == "open")
        .values(status="cancelled", outcome="superseded", note=f"answered by task {task.id}")
        .execution_options(synchronize_session=False)
    ).rowcount
    if superseded:
        record(s, p.actor, "review.supersede", target=f"item:{item.id}", org_id=item.org_id, count=superseded)
    answer = d.note or root.note
    for c in s.scalars(select(Complaint).where(Complaint.task_id == root.id, Complaint.status == "open")):
        c.status, c.outcome, c.answer, c.resolved_at = "resolved", d.decision, answer, now
    appeal = s.scalar(select(Appeal).where(Appeal.task_id == root.id, Appeal.status == "open"))
    if appeal is not None:
        appeal.status = "upheld" if d.decision == appeal.appealed_decision else "overturned"
        appeal.answer, appeal.answered_at = answer, now
        record(s, p.actor, f"appeal.{appeal.status}", target=f"appeal:{appeal.id}", org_id=item.org_id,
               item_id=item.id)
    events.emit("review.decided", session=s, task=task, item=item, final=True)
    events.emit("item.final", session=s, item=item)
    if item.callback_url:
        delivery = WebhookDelivery(item_id=item.id, url=item.callback_url)
        s.add(delivery)
        s.flush()
        return delivery.id
    return None


def _confirmed_categories(before: list[dict], d: DecisionInput, p: Principal) -> list[dict]:
    """The categories a person confirmed, keeping the machine's evidence for them; none for a pass."""
    if d.decision == "pass":
        return []
    machine = {c.get("category"): c for c in before}
    out = []
    for slug in d.categories:
        entry = dict(machine.get(slug) or {"category": slug, "score": 1.0, "evidence": []})
        entry["score"] = 1.0
        entry["evidence"] = [*(entry.get("evidence") or []),
                             {"source": "moderator", "detail": f"confirmed by {p.role.value}"}]
        out.append(entry)
    return out


def _audit(s: Session, p: Principal, task: ReviewTask, item: Item, d: DecisionInput, final: bool) -> None:
    from reports.audit import record

    record(s, p.actor, "review.decide", target=f"review_task:{task.id}", org_id=item.org_id, item_id=item.id,
           queue=task.queue, decision=d.decision, categories=d.categories, fabricated=d.fabricated,
           bank=d.bank, final=final)
