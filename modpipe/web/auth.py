"""The dependency every web page uses: who is signed in, with which role, and a CSRF check.

``Depends(web_user(Role.MODERATOR, Role.SENIOR_MODERATOR))`` returns the
:class:`~modpipe.accounts.Principal`. Not signed in: a browser is sent to
``/login?next=...`` (a script gets 401 problem+json). Wrong role: 403. On POST
(and every unsafe method) it also checks the CSRF token, so no form can forget it.
"""

from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from modpipe.accounts import Principal, Role
from modpipe.errors import Forbidden, Unauthorized
from modpipe.web import csrf, sessions


class LoginRequired(Unauthorized):
    """Raised by :func:`web_user` when nobody is signed in; browsers get a redirect."""


class WebForbidden(Forbidden):
    """Signed in, but the role does not open this page."""


def signed_in(request: Request) -> Principal | None:
    """The signed-in principal, or None; also leaves the session's CSRF token on ``request.state``."""
    if hasattr(request.state, "web_principal"):
        return request.state.web_principal
    sid = request.cookies.get(sessions.COOKIE)
    found = sessions.lookup(request.app.state.rt.db, sid) if sid else None
    p = None
    if found is not None:
        p, request.state.csrf = found
    request.state.web_principal = p
    return p


def web_user(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency: the signed-in principal if it has one of ``roles`` (any role when none given)."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        p = signed_in(request)
        if p is None:
            raise LoginRequired("sign in first")
        if allowed and p.role not in allowed:
            raise WebForbidden(f"this page needs one of the roles: {', '.join(sorted(r.value for r in allowed))}; "
                               f"you are signed in as {p.role.value}")
        await csrf.check(request, request.state.csrf)
        request.state.principal = p
        return p

    return dependency


async def csrf_protect(request: Request) -> None:
    """A dependency for a POST that does not use :func:`web_user` (which already checks): the session's token."""
    if signed_in(request) is None:
        raise LoginRequired("sign in first")
    await csrf.check(request, request.state.csrf)


def wants_html(request: Request) -> bool:
    """A browser navigating (HTML page or redirect), not a script asking for JSON."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return True
    return "application/json" not in accept and not request.headers.get(csrf.HEADER)


def install_handlers(app: FastAPI) -> None:
    from ingest.problems import problem
    from modpipe.web.templates import render

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if not wants_html(request):
            return problem(401, exc.title, str(exc))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"  # a form posted after the session ended: start again from the home page
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if not wants_html(request):
            return problem(403, exc.title, str(exc))
        return render(request, "error.html", status_code=403, title=exc.title, message=str(exc))

    app.add_exception_handler(WebForbidden, _forbidden)
    app.add_exception_handler(csrf.CsrfFailed, _forbidden)
