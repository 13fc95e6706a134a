"""Compliance fixtures: items and review decisions written the way the pipeline and the review
queue write them, and the ``review.decided`` event emitted in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import pytest

from modpipe import events
from modpipe.db import utcnow
from modpipe.models import Account, Item
from review_queue.models import ReviewTask


@dataclass
class Made:
    item_id: str
    account_id: str | None


@pytest.fixture
def make_item(rt) -> Callable[..., Made]:
    def make(org_id: str, text: str | None = "某地发生特大地震，死亡三万人（虚假）", *, user_id: str | None = "u-1",
             real_name: str | None = None, data: bytes | None = None, mime: str | None = None,
             decision: str = "review", source: str | None = "model", categories: list[dict] | None = None,
             decided_at: datetime | None = None, created_at: datetime | None = None,
             aigc: dict | None = None, declared_aigc: bool = False, source_ip: str = "203.0.113.7",
             external_id: str | None = None) -> Made:
        sha = rt.store.put(data) if data is not None else None
        now = utcnow()
        with rt.db.session() as s:
            acc = None
            if user_id is not None:
                from sqlalchemy import select

                acc = s.scalar(select(Account).where(Account.org_id == org_id, Account.external_user_id == user_id))
                if acc is None:
                    acc = Account(org_id=org_id, external_user_id=user_id, real_name_binding=real_name)
                    s.add(acc)
                    s.flush()
            item = Item(org_id=org_id, external_id=external_id, account_id=acc.id if acc else None,
                        kind="image" if data is not None else "text", status="decided", text=text if data is None else None,
                        blob_sha256=sha, mime=mime, size_bytes=len(data) if data is not None else len((text or "").encode()),
                        declared_aigc=declared_aigc, source_ip=source_ip, decision=decision, pipeline_decision=decision,
                        decision_source=source,
                        categories=categories if categories is not None else [
                            {"category": "rumor_disorder", "score": 0.71,
                             "evidence": [{"source": "model", "detail": "rumour model 0.71"}]}],
                        flags=[], aigc=aigc or {"label": None}, rules_version="r1", model_version="m1",
                        created_at=created_at or now, decided_at=decided_at or now)
            s.add(item)
        return Made(item.id, acc.id if acc else None)

    return make


@pytest.fixture
def decide(rt) -> Callable[..., str]:
    """A moderator's final decision on an item, as the review queue records it, with the event."""

    def run(item_id: str, reviewer_id: str, decision: str = "block", categories: list[str] | None = None,
            fabricated: bool = False, note: str = "核实为虚假信息", queue: str = "pipeline",
            at: datetime | None = None) -> str:
        with rt.db.session() as s:
            item = s.get(Item, item_id)
            task = ReviewTask(item_id=item_id, queue=queue, status="done", decision=decision,
                              categories=categories if categories is not None else ["rumor_disorder"],
                              fabricated=fabricated, note=note, decided_by=reviewer_id, decided_at=at or utcnow())
            s.add(task)
            item.decision, item.decision_source, item.decided_at = decision, "moderator", at or utcnow()
            s.flush()
            events.emit("review.decided", session=s, task=task, item=item, final=True)
        return task.id

    return run


@pytest.fixture
def compliance(make_staff) -> dict[str, str]:
    return make_staff("compliance-1", "compliance")


@pytest.fixture
def moderator(make_staff) -> dict[str, str]:
    return make_staff("mod-1", "moderator")
