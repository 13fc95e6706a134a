"""``/login``, ``/logout`` and ``/`` (where each role starts)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from modpipe.accounts import Principal, Role
from modpipe.web import csrf, sessions
from modpipe.web.auth import signed_in, web_user
from modpipe.web.templates import render
from modpipe.web.throttle import for_runtime

router = APIRouter(include_in_schema=False)

# Where each role's work is; the home page links to what the role may open.
PAGES: dict[str, tuple[str, frozenset[Role]]] = {
    "/review": ("Review queue", frozenset({Role.MODERATOR, Role.SENIOR_MODERATOR, Role.ADMIN})),
    "/compliance": ("Compliance", frozenset({Role.COMPLIANCE, Role.ADMIN})),
    "/org": ("My organisation", frozenset({Role.ORG_ADMIN, Role.ORG_MEMBER})),
}


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host`` or ``https://...`` (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.rt.settings.public_base_url.startswith("https://")


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(csrf.csrf_protect_pre_session)])
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = safe_next(str(form.get("next", "/")))
    rt = request.app.state.rt
    throttle, address = for_runtime(rt), request.client.host if request.client else "unknown"
    wait = throttle.retry_after(username, address) if throttle else 0
    if wait:
        resp = render(request, "login.html", status_code=429, next=target,
                      error=f"Too many failed sign-ins. Try again in {(wait + 59) // 60} minute(s).")
        resp.headers["Retry-After"] = str(wait)
        return resp
    user = sessions.authenticate(rt.db, username, password)
    if user is None:
        if throttle:
            throttle.failed(username, address)
        return render(request, "login.html", status_code=401, next=target,
                      error="That username and password do not match an active account.")
    if throttle:
        throttle.succeeded(username, address)
    old = request.cookies.get(sessions.COOKIE)
    if old:
        sessions.end_session(rt.db, old)  # a new id at every sign-in: no session fixation
    sid = sessions.open_session(rt.db, user.id)
    from reports.audit import record

    with rt.db.session() as s:
        record(s, user.username, "web.sign_in", target=f"user:{user.id}", org_id=user.org_id)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(sessions.COOKIE, sid, httponly=True, samesite="lax", secure=_secure(request), path="/",
                    max_age=int(sessions.LIFETIME.total_seconds()))
    resp.delete_cookie(csrf.PRE_COOKIE, path="/")
    return resp


@router.post("/logout")
def logout(request: Request, p: Principal = Depends(web_user())) -> Response:
    sessions.end_session(request.app.state.rt.db, request.cookies.get(sessions.COOKIE, ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(sessions.COOKIE, path="/")
    return resp


@router.get("/")
def home(request: Request, p: Principal = Depends(web_user())) -> Response:
    pages = [(path, title) for path, (title, roles) in PAGES.items() if p.role in roles]
    if len(pages) == 1:
        return RedirectResponse(pages[0][0], status_code=303)
    return render(request, "home.html", pages=pages)
