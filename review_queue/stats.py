"""Queue depth, overdue counts and the oldest deadline per queue: what a lead watches."""

from __future__ import annotations

from sqlalchemy import case, func, select

from modpipe.db import utcnow
from modpipe.runtime import Runtime
from review_queue.models import ReviewTask
from review_queue.routing import QUEUES


def queue_stats(rt: Runtime) -> list[dict]:
    now = utcnow()
    with rt.db.session() as s:
        rows = s.execute(
            select(ReviewTask.queue,
                   func.count().filter(ReviewTask.status == "open"),
                   func.count().filter(ReviewTask.status == "claimed"),
                   func.sum(case((ReviewTask.due_at < now, 1), else_=0)),
                   func.min(ReviewTask.due_at))
            .where(ReviewTask.status.in_(("open", "claimed")))
            .group_by(ReviewTask.queue)
        ).all()
    by = {r[0]: r for r in rows}
    out = []
    for name, q in QUEUES.items():
        r = by.get(name)
        out.append({"queue": name, "title": q.title, "sla_hours": q.sla.total_seconds() / 3600,
                    "open": r[1] if r else 0, "claimed": r[2] if r else 0, "overdue": int(r[3] or 0) if r else 0,
                    "oldest_due": r[4].isoformat() if r and r[4] else None})
    return out
