"""Which queue a task goes to, how urgent it is, and by when a person must have looked at it.

Priority comes from severity (the most severe categories jump ahead) and from
age: every queue has an SLA, and a claim always takes overdue tasks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable

from modpipe.accounts import Role
from modpipe.db import utcnow
from review_queue.models import ReviewTask, TaskExclusion

# Blocking one of these, or marking something fabricated (5.2.5), needs a second reviewer.
SEVERE = frozenset({"national_security", "terrorism_extremism", "porn_gambling_violence", "malware",
                    "illegal_content"})


@dataclass(frozen=True)
class Queue:
    name: str
    title: str
    sla: timedelta
    priority: int
    roles: frozenset[Role]


_MODS = frozenset({Role.MODERATOR, Role.SENIOR_MODERATOR, Role.ADMIN})
_SENIORS = frozenset({Role.SENIOR_MODERATOR, Role.ADMIN})

QUEUES: dict[str, Queue] = {q.name: q for q in (
    Queue("second_review", "Second review", timedelta(hours=4), 30, _SENIORS),
    Queue("complaint", "Complaints (9.1)", timedelta(hours=24), 20, _MODS),
    Queue("appeal", "Appeals (9.2)", timedelta(hours=48), 20, _MODS),
    Queue("tampered", "Tampered AI labels", timedelta(hours=12), 15, _MODS),
    Queue("pipeline", "Machine unsure", timedelta(hours=24), 10, _MODS),
)}
SEVERE_BONUS = 10
SEVERE_SLA = timedelta(hours=4)
CLAIM_ROLES = _MODS


def queues_for(role: Role | None) -> list[str]:
    return [q.name for q in QUEUES.values() if role in q.roles]


def new_task(item_id: str, queue: str, reason: str, categories: Iterable[str] = (), *,
             parent_id: str | None = None, exclude: Iterable[str | None] = ()) -> ReviewTask:
    """A task for ``queue``; severe categories raise its priority and shorten its deadline."""
    q = QUEUES[queue]
    severe = bool(SEVERE.intersection(categories))
    sla = min(q.sla, SEVERE_SLA) if severe else q.sla
    excluded = [u for u in dict.fromkeys(exclude) if u]
    task = ReviewTask(item_id=item_id, queue=queue, status="open", priority=q.priority + (SEVERE_BONUS if severe else 0),
                      reason=reason[:2000], due_at=utcnow() + sla, parent_id=parent_id,
                      excluded_user=excluded[0] if excluded else None, categories=[], extra={})
    task.exclusions_pending = excluded  # written by add_task once the task has its id
    return task


def add_task(s, task: ReviewTask) -> ReviewTask:
    """Insert ``task`` and the users it must not go to."""
    s.add(task)
    s.flush()
    for user_id in getattr(task, "exclusions_pending", ()):
        s.add(TaskExclusion(task_id=task.id, user_id=user_id))
    return task


def pipeline_task(item, categories: list[str], flags: list[str]) -> ReviewTask:
    """The task for an item the pipeline could not decide, or whose AI label was tampered with."""
    queue = "tampered" if "aigc_label_tampered" in flags else "pipeline"
    why = ", ".join(categories) or ", ".join(flags) or "uncertain"
    return new_task(item.id, queue, f"pipeline: {why}", categories)
