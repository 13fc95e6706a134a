"""The organisation's own page: its items and verdicts, its appeals and their answers, its accounts' strikes.

An organisation sees only its own rows (clause 4/5.1); its admin can appeal a block from here (clause 9.2).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from modpipe.accounts import Principal, Role
from modpipe.db import utcnow
from modpipe.errors import Conflict, InvalidInput, NotFound
from modpipe.models import Account, Item
from modpipe.web.auth import web_user
from modpipe.web.templates import render
from review_queue import cases, strikes
from review_queue.display import mask_for
from review_queue.models import Appeal, Strike

router = APIRouter(include_in_schema=False)

org_user = web_user(Role.ORG_ADMIN, Role.ORG_MEMBER)


@router.get("/org")
def org_home(request: Request, msg: str | None = None, p: Principal = Depends(org_user)) -> Response:
    since = utcnow() - strikes.WINDOW
    with request.app.state.rt.db.session() as s:
        items = list(s.scalars(select(Item).where(Item.org_id == p.org_id, Item.deleted_at.is_(None))
                               .order_by(Item.created_at.desc()).limit(50)))
        appeals = list(s.scalars(select(Appeal).where(Appeal.org_id == p.org_id)
                                 .order_by(Appeal.created_at.desc()).limit(50)))
        open_appeal_items = {a.item_id for a in appeals if a.status == "open"}
        counts = dict(s.execute(
            select(Strike.account_id, func.count()).where(Strike.org_id == p.org_id, Strike.lifted_at.is_(None),
                                                          Strike.created_at >= since)
            .group_by(Strike.account_id)).all())
        accounts = list(s.scalars(select(Account).where(Account.org_id == p.org_id,
                                                        (Account.status != "active") | Account.id.in_(list(counts)))))
        org_live = strikes.org_strike_count(s, p.org_id)
    return render(request, "review/org.html", items=items, appeals=appeals, accounts=accounts, counts=counts,
                  org_live=org_live, open_appeal_items=open_appeal_items, msg=msg,
                  can_appeal=p.role is Role.ORG_ADMIN, mask=lambda t: mask_for(p, t))


@router.post("/org/appeals")
async def org_appeal(request: Request, p: Principal = Depends(web_user(Role.ORG_ADMIN))) -> Response:
    form = await request.form()
    try:
        a = cases.file_appeal(request.app.state.rt, p, form.get("item_id"), form.get("reason"))
        msg = f"Appeal {a.id[:8]} filed; a moderator other than the first decider will answer it."
    except (InvalidInput, Conflict, NotFound) as e:
        msg = str(e)
    return RedirectResponse(f"/org?msg={quote(msg)}", status_code=303)
