"""Review fixtures: items that reach the review queue through the real finalize path (no classifiers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from modpipe.accounts import Principal, Role, principal_for_token


@pytest.fixture
def submit_reviewed(rt, org) -> Callable[..., str]:
    """Submit an item and finalize it with a verdict we choose, as a worker would. Returns the item id."""
    from ingest.submission import Submission, submit
    from modpipe.domain import Category, CategoryResult, Decision, Evidence, Flag, Kind
    from modpipe.verdict import Verdict
    from workers import tasks

    def make(text: str = "听说明天全城停水，赶紧囤水，联系 13812345678", *, user_id: str | None = "u1",
             decision: Decision = Decision.REVIEW, cats: tuple = (("rumor_disorder", 0.62),),
             flags: tuple[str, ...] = (), org_id: str | None = None, kind: Kind = Kind.TEXT,
             data: bytes | None = None, mime: str | None = None, callback_url: str | None = None) -> str:
        sub = Submission(kind=kind, user_id=user_id, text=text if kind is Kind.TEXT else None, data=data,
                         mime=mime, callback_url=callback_url)
        item, _ = submit(rt, org_id or org.org_id, sub)
        assert tasks.claim(rt, item.id) is not None
        results = []
        for slug, score in cats:
            at = max(text.find("停水"), 0)
            ev = [Evidence(source="rule", detail="停水", span=(at, at + 2), rule_id="r-rumor-1", severity="review")] \
                if kind is Kind.TEXT else [Evidence(source="ocr", detail="文字", box=(10, 10, 60, 30))]
            results.append(CategoryResult(Category(slug), score, ev))
        verdict = Verdict(decision=decision, categories=results, flags=[Flag(f) for f in flags], source="model")
        assert tasks.finalize(rt, item.id, verdict) == "decided"
        return item.id

    return make


@dataclass
class Staff:
    p: Principal
    headers: dict[str, str]

    @property
    def user_id(self) -> str:
        return self.p.user_id


@pytest.fixture
def staff_member(rt, make_staff) -> Callable[..., Staff]:
    """A staff member as the service functions see them (``.p``) and as the API does (``.headers``)."""

    def make(username: str, role: str, org_id: str | None = None, password: str | None = None) -> Staff:
        made = make_staff(username, role, org_id=org_id, password=password)
        headers = {"Authorization": made["Authorization"]}
        p = principal_for_token(rt.db, headers["Authorization"].split(" ", 1)[1])
        assert p is not None and p.role is Role(role)
        return Staff(p, headers)

    return make
