"""Claiming the next task under a lease, and giving it back.

One task, one holder: on PostgreSQL the candidate row is locked with
``SELECT ... FOR UPDATE SKIP LOCKED`` (concurrent moderators skip each other's
rows instead of queueing behind them); on SQLite, which has no row locks, a
compare-and-set ``UPDATE ... WHERE status = 'open'`` decides who won. An
expired lease makes the task claimable again; nothing needs to sweep it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, case, exists, or_, select, update
from sqlalchemy.orm import Session

from modpipe.accounts import Principal
from modpipe.db import utcnow
from modpipe.errors import Conflict, Forbidden, NotFound
from modpipe.runtime import Runtime
from review_queue.models import ReviewTask, TaskExclusion
from review_queue.routing import CLAIM_ROLES, queues_for

_SQLITE_CANDIDATES = 8


def _claimable(now):
    return or_(ReviewTask.status == "open", and_(ReviewTask.status == "claimed", ReviewTask.lease_until < now))


def _candidates(p: Principal, now):
    """Tasks this moderator may take, overdue first, then by priority, then oldest deadline."""
    excluded = exists().where(TaskExclusion.task_id == ReviewTask.id, TaskExclusion.user_id == p.user_id)
    overdue = case((ReviewTask.due_at < now, 0), else_=1)
    return (
        select(ReviewTask.id)
        .where(_claimable(now), ReviewTask.queue.in_(queues_for(p.role)), ~excluded)
        .order_by(overdue, ReviewTask.priority.desc(), ReviewTask.due_at, ReviewTask.created_at)
    )


def _take(s: Session, task_id: str, p: Principal, now, lease: timedelta) -> bool:
    n = s.execute(
        update(ReviewTask)
        .where(ReviewTask.id == task_id, _claimable(now))
        .values(status="claimed", claimed_by=p.user_id, claimed_at=now, lease_until=now + lease,
                claims=ReviewTask.claims + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return n == 1


def current(s: Session, p: Principal, now=None) -> ReviewTask | None:
    """The task this moderator holds under a live lease, if any."""
    now = now or utcnow()
    return s.scalar(select(ReviewTask).where(ReviewTask.status == "claimed", ReviewTask.claimed_by == p.user_id,
                                             ReviewTask.lease_until >= now).limit(1))


def claim_next(rt: Runtime, p: Principal) -> ReviewTask | None:
    """The task in front of this moderator, leased for ``settings.review_lease_s``; None when nothing is left.

    Someone who already holds a task gets that one back (its lease renewed): one task at a time.
    """
    if p.kind != "staff" or p.role not in CLAIM_ROLES:
        raise Forbidden("claiming review tasks needs the moderator, senior_moderator or admin role")
    lease = timedelta(seconds=rt.settings.review_lease_s)
    now = utcnow()
    with rt.db.session() as s:
        mine = current(s, p, now)
        if mine is not None:
            mine.lease_until = now + lease
            return mine
        if s.bind.dialect.name == "postgresql":
            task_id = s.scalar(_candidates(p, now).limit(1).with_for_update(skip_locked=True))
            if task_id is None or not _take(s, task_id, p, now, lease):
                return None
        else:
            task_id = None
            for candidate in s.scalars(_candidates(p, now).limit(_SQLITE_CANDIDATES)).all():
                if _take(s, candidate, p, now, lease):
                    task_id = candidate
                    break
            if task_id is None:
                return None
        task = s.get(ReviewTask, task_id)
        _audit(s, p, "review.claim", task)
        return task


def release(rt: Runtime, task_id: str, p: Principal) -> ReviewTask:
    """Give a claimed task back to its queue, undecided."""
    with rt.db.session() as s:
        n = s.execute(
            update(ReviewTask)
            .where(ReviewTask.id == task_id, ReviewTask.status == "claimed", ReviewTask.claimed_by == p.user_id)
            .values(status="open", claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        task = s.get(ReviewTask, task_id)
        if task is None:
            raise NotFound(f"no review task {task_id!r}")
        if n == 0:
            raise Conflict(f"task {task_id} is not claimed by you (it is {task.status}); nothing to release")
        _audit(s, p, "review.release", task)
        return task


def _audit(s: Session, p: Principal, action: str, task: ReviewTask) -> None:
    from reports.audit import record

    record(s, p.actor, action, target=f"review_task:{task.id}", item_id=task.item_id, queue=task.queue)
