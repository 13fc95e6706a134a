"""The moderators' workspace: the task in front, its evidence, its history, and the decision keys.

Server-rendered pages on the shared web sign-in (:mod:`modpipe.web`); the script
only adds keyboard shortcuts, the click-to-unblur and the OCR boxes.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from modpipe.accounts import Principal, Role
from modpipe.db import utcnow
from modpipe.domain import Category
from modpipe.errors import Conflict, Forbidden, InvalidInput, NotFound
from modpipe.models import Account, Item, StaffUser
from modpipe.web.auth import web_user
from modpipe.web.templates import render
from review_queue import claims, decisions, strikes
from review_queue.display import highlighted, mask_for, may_unmask, ocr_boxes
from review_queue.models import Appeal, Complaint, ReviewTask, Strike
from review_queue.routing import CLAIM_ROLES, QUEUES
from review_queue.stats import queue_stats

router = APIRouter(include_in_schema=False)

moderator = web_user(*CLAIM_ROLES)
reader = web_user(*CLAIM_ROLES, Role.COMPLIANCE)


BREAK_AFTER = 60  # decisions in an hour; then the page suggests a pause (moderator wellness)


def decided_last_hour(s, p: Principal) -> int:
    from datetime import timedelta

    from sqlalchemy import func

    since = utcnow() - timedelta(hours=1)
    return s.scalar(select(func.count()).select_from(ReviewTask).where(ReviewTask.decided_by == p.user_id,
                                                                       ReviewTask.decided_at >= since)) or 0


def _back(msg: str) -> RedirectResponse:
    return RedirectResponse(f"/review?msg={quote(msg)}", status_code=303)


@router.get("/review")
def dashboard(request: Request, msg: str | None = None, p: Principal = Depends(reader)) -> Response:
    rt = request.app.state.rt
    with rt.db.session() as s:
        mine = claims.current(s, p)
        pace = decided_last_hour(s, p)
    return render(request, "review/dashboard.html", queues=queue_stats(rt), mine=mine, msg=msg,
                  can_claim=p.role in CLAIM_ROLES, pace=pace, break_after=BREAK_AFTER)


@router.post("/review/claim")
def claim(request: Request, p: Principal = Depends(moderator)) -> Response:
    task = claims.claim_next(request.app.state.rt, p)
    if task is None:
        return _back("Nothing left in your queues. Well done.")
    return RedirectResponse(f"/review/tasks/{task.id}", status_code=303)


def _image_size(rt, item: Item) -> tuple[int, int] | None:
    if item.kind != "image" or not item.blob_sha256:
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(rt.store.get(item.blob_sha256))) as im:
            return im.size
    except Exception:  # an image the pipeline rejected still gets a page, without boxes
        return None


def _workspace(request: Request, p: Principal, task_id: str, error: str | None = None,
               status_code: int = 200) -> Response:
    from reports.audit import content_viewed

    rt = request.app.state.rt
    with rt.db.session() as s:
        task = s.get(ReviewTask, task_id)
        if task is None:
            raise NotFound(f"no review task {task_id!r}")
        item = s.get(Item, task.item_id)
        parent = s.get(ReviewTask, task.parent_id) if task.parent_id else None
        history = list(s.scalars(select(ReviewTask).where(ReviewTask.item_id == item.id)
                                 .order_by(ReviewTask.created_at)))
        complaints = list(s.scalars(select(Complaint).where(Complaint.item_id == item.id)
                                    .order_by(Complaint.created_at)))
        appeals = list(s.scalars(select(Appeal).where(Appeal.item_id == item.id).order_by(Appeal.created_at)))
        account = s.get(Account, item.account_id) if item.account_id else None
        account_strikes = list(s.scalars(select(Strike).where(Strike.account_id == account.id)
                                         .order_by(Strike.created_at.desc()))) if account else []
        live = strikes.live_strikes(s, account.id) if account else 0
        org_live = strikes.org_strike_count(s, item.org_id)
        ids = {t.decided_by for t in history} | {t.claimed_by for t in history}
        pace = decided_last_hour(s, p)
        names = dict(s.execute(select(StaffUser.id, StaffUser.username).where(StaffUser.id.in_(ids - {None}))).all())
        content_viewed(s, p, item, "page:review.task")
    mine = task.status == "claimed" and task.claimed_by == p.user_id
    size = _image_size(rt, item)
    boxes = []
    if size:
        w, h = size
        boxes = [{**b, "pct": [100 * b["box"][0] / w, 100 * b["box"][1] / h,
                               100 * (b["box"][2] - b["box"][0]) / w, 100 * (b["box"][3] - b["box"][1]) / h]}
                 for b in ocr_boxes(item.categories)]
    machine = [c.get("category") for c in sorted(item.categories or [], key=lambda c: -(c.get("score") or 0))]
    suggested = (parent.categories if parent is not None and parent.categories else machine)
    suggested = [c for c in dict.fromkeys(suggested) if c in Category._value2member_map_]
    ordered = suggested + [c.value for c in Category if c.value not in suggested]
    if parent is not None:
        prechecked = set(parent.categories or [])
    else:
        prechecked = {c.get("category") for c in item.categories or [] if (c.get("score") or 0) >= 0.5}
    return render(
        request, "review/task.html", status_code=status_code, task=task, item=item, parent=parent, mine=mine,
        queue=QUEUES[task.queue], segments=highlighted(p, item.text or "", item.categories or []),
        boxes=boxes, categories=item.categories or [], history=history, complaints=complaints, appeals=appeals,
        account=account, strikes=account_strikes, live_strikes=live, org_live_strikes=org_live,
        thresholds=(strikes.RESTRICT_AT, strikes.SUSPEND_AT), names=names, ordered_categories=ordered,
        suggested=set(suggested), prechecked=prechecked, now_utc=utcnow(), mask=lambda text: mask_for(p, text), unmasked=may_unmask(p), error=error,
        clauses={c.value: c.clause for c in Category}, pace=pace, break_after=BREAK_AFTER,
    )


@router.get("/review/tasks/{task_id}")
def workspace(task_id: str, request: Request, p: Principal = Depends(reader)) -> Response:
    return _workspace(request, p, task_id)


@router.post("/review/tasks/{task_id}/decision")
async def decide(task_id: str, request: Request, p: Principal = Depends(moderator)) -> Response:
    form = await request.form()
    body = {"decision": form.get("decision_js") or form.get("decision"), "categories": form.getlist("categories"),
            "fabricated": form.get("fabricated") == "on", "bank": form.get("bank") == "on",
            "note": form.get("note") or ""}
    rt = request.app.state.rt
    try:
        d = decisions.DecisionInput.parse(body)
        result = decisions.decide(rt, task_id, p, d)
    except InvalidInput as e:
        return _workspace(request, p, task_id, error=str(e), status_code=400)
    except (Conflict, Forbidden) as e:
        return _back(str(e))
    done = "final" if result.final else "sent to a senior moderator for a second review"
    nxt = claims.claim_next(rt, p)
    if nxt is None:
        return _back(f"Decided ({d.decision}, {done}). Nothing left in your queues.")
    return RedirectResponse(f"/review/tasks/{nxt.id}?prev={quote(d.decision + ', ' + done)}", status_code=303)


@router.post("/review/tasks/{task_id}/release")
def release(task_id: str, request: Request, p: Principal = Depends(moderator)) -> Response:
    try:
        claims.release(request.app.state.rt, task_id, p)
    except Conflict as e:
        return _back(str(e))
    return _back("Task given back to its queue.")


@router.get("/review/items/{item_id}/media")
def media(item_id: str, request: Request, p: Principal = Depends(reader)) -> Response:
    from reports.audit import content_viewed

    rt = request.app.state.rt
    with rt.db.session() as s:
        item = s.get(Item, item_id)
        if item is None or item.kind != "image" or not item.blob_sha256:
            raise NotFound(f"no image for item {item_id!r}")
        content_viewed(s, p, item, "page:review.media")
    return Response(rt.store.get(item.blob_sha256), media_type=item.mime or "application/octet-stream",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'none'; sandbox"})
