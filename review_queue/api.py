"""The review HTTP API: complaints, appeals, claims, decisions, strikes (bearer tokens; problem+json errors)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from ingest.auth import principal, staff
from modpipe.accounts import Principal, Role
from modpipe.errors import Forbidden, InvalidInput, NotFound
from modpipe.models import Account, Item
from modpipe.views import item_view
from review_queue import cases, claims, decisions, strikes
from review_queue.display import mask_for
from review_queue.models import Appeal, Complaint, ReviewTask, Strike
from review_queue.routing import CLAIM_ROLES
from review_queue.views import appeal_view, complaint_view, strike_view, task_view

router = APIRouter(prefix="/v1", tags=["review"])

READ_ROLES = (*CLAIM_ROLES, Role.COMPLIANCE)
moderator = staff(*CLAIM_ROLES)
reader = staff(*READ_ROLES)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput(f"the body is not valid JSON: {e}") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body


def _task_with_item(rt, task: ReviewTask, p: Principal, via: str) -> dict[str, Any]:
    from reports.audit import content_viewed

    with rt.db.session() as s:
        item = s.get(Item, task.item_id)
        content_viewed(s, p, item, via)
    view = item_view(item)
    view["text"] = mask_for(p, item.text)
    return {"task": task_view(task), "item": view}


@router.post("/complaints", status_code=201)
async def file_complaint(request: Request, p: Principal = Depends(principal)) -> dict:
    body = await _json(request)
    c = cases.file_complaint(request.app.state.rt, p, body.get("item_id"), body.get("reason"))
    return complaint_view(c)


def _own(row, p: Principal, what: str, row_id: str):
    if row is None or (p.org_id is not None and row.org_id != p.org_id):
        raise NotFound(f"no {what} {row_id!r}")
    if p.kind == "staff" and p.org_id is None and p.role not in READ_ROLES:
        raise Forbidden(f"your role cannot read {what}s")
    return row


@router.get("/complaints/{complaint_id}")
def get_complaint(complaint_id: str, request: Request, p: Principal = Depends(principal)) -> dict:
    with request.app.state.rt.db.session() as s:
        return complaint_view(_own(s.get(Complaint, complaint_id), p, "complaint", complaint_id))


@router.post("/appeals", status_code=201)
async def file_appeal(request: Request, p: Principal = Depends(principal)) -> dict:
    body = await _json(request)
    return appeal_view(cases.file_appeal(request.app.state.rt, p, body.get("item_id"), body.get("reason")))


@router.get("/appeals/{appeal_id}")
def get_appeal(appeal_id: str, request: Request, p: Principal = Depends(principal)) -> dict:
    with request.app.state.rt.db.session() as s:
        return appeal_view(_own(s.get(Appeal, appeal_id), p, "appeal", appeal_id))


@router.get("/appeals")
def list_appeals(request: Request, item_id: str | None = None, p: Principal = Depends(principal)) -> dict:
    if p.org_id is None and p.role not in READ_ROLES:
        raise Forbidden("your role cannot read appeals")
    with request.app.state.rt.db.session() as s:
        q = select(Appeal).order_by(Appeal.created_at.desc()).limit(200)
        if p.org_id is not None:
            q = q.where(Appeal.org_id == p.org_id)
        if item_id:
            q = q.where(Appeal.item_id == item_id)
        return {"appeals": [appeal_view(a) for a in s.scalars(q)]}


@router.post("/review/claim", response_model=None)
def claim(request: Request, p: Principal = Depends(moderator)) -> Response | dict:
    rt = request.app.state.rt
    task = claims.claim_next(rt, p)
    if task is None:
        return Response(status_code=204)
    return _task_with_item(rt, task, p, "api:review.claim")


@router.get("/review/tasks/{task_id}")
def get_task(task_id: str, request: Request, p: Principal = Depends(reader)) -> dict:
    rt = request.app.state.rt
    with rt.db.session() as s:
        task = s.get(ReviewTask, task_id)
    if task is None:
        raise NotFound(f"no review task {task_id!r}")
    return _task_with_item(rt, task, p, "api:review.task")


@router.post("/review/tasks/{task_id}/decision")
async def decide(task_id: str, request: Request, p: Principal = Depends(moderator)) -> dict:
    d = decisions.DecisionInput.parse(await _json(request))
    result = decisions.decide(request.app.state.rt, task_id, p, d)
    return {"task": task_view(result.task), "final": result.final,
            "second_review_task_id": result.second_review_task_id}


@router.post("/review/tasks/{task_id}/release")
def release(task_id: str, request: Request, p: Principal = Depends(moderator)) -> dict:
    return {"task": task_view(claims.release(request.app.state.rt, task_id, p))}


@router.get("/review/queues")
def queues(request: Request, p: Principal = Depends(reader)) -> dict:
    from review_queue.stats import queue_stats

    return {"queues": queue_stats(request.app.state.rt)}


@router.get("/strikes")
def account_strikes(request: Request, user_id: str, org_id: str | None = None,
                    p: Principal = Depends(principal)) -> dict:
    """An account's standing and strikes; an organisation sees only its own accounts."""
    if p.org_id is not None:
        org_id = p.org_id
    elif p.role not in READ_ROLES:
        raise Forbidden("your role cannot read strikes")
    if not org_id:
        raise InvalidInput("pass 'org_id' (platform staff) with 'user_id'")
    with request.app.state.rt.db.session() as s:
        acc = s.scalar(select(Account).where(Account.org_id == org_id, Account.external_user_id == user_id))
        if acc is None:
            raise NotFound(f"no account {user_id!r} in organisation {org_id}")
        rows = s.scalars(select(Strike).where(Strike.account_id == acc.id).order_by(Strike.created_at.desc()))
        return {"user_id": user_id, "status": acc.status, "status_reason": acc.status_reason,
                "live_strikes": strikes.live_strikes(s, acc.id), "org_live_strikes": strikes.org_strike_count(s, org_id),
                "thresholds": {"restricted": strikes.RESTRICT_AT, "suspended": strikes.SUSPEND_AT,
                               "window_days": strikes.WINDOW.days},
                "strikes": [strike_view(st) for st in rows]}


@router.post("/strikes/{strike_id}/lift")
async def lift_strike(strike_id: str, request: Request, p: Principal = Depends(staff(Role.ADMIN))) -> dict:
    from reports.audit import record

    body = await _json(request)
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("'reason' is required to lift a strike")
    with request.app.state.rt.db.session() as s:
        st = strikes.lift(s, strike_id, p.actor, reason.strip())
        record(s, p.actor, "strike.lift", target=f"strike:{st.id}", org_id=st.org_id, reason=reason.strip())
        return strike_view(st)
