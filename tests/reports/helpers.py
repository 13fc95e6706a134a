"""Small helpers shared by the compliance tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any


def auth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


def days_ago(n: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=n)


def audit_actions(rt) -> list[tuple[str, str, Any]]:
    from sqlalchemy import select

    from reports.models import AuditEntry

    with rt.db.session() as s:
        return [(e.actor, e.action, e.target) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
