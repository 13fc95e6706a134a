"""CSRF protection: a secret per session, sent back in a form field or the X-CSRF-Token header.

Signed-in pages use the session's token (synchroniser pattern). The sign-in form
itself has no session yet, so it uses a double-submit cookie: a random value in
an HttpOnly cookie that the form must echo.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from modpipe.errors import Forbidden

FIELD = "csrf_token"
HEADER = "x-csrf-token"
PRE_COOKIE = "mp_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Forbidden):
    title = "CSRF check failed"


def csrf_token(request: Request) -> str:
    """The token a template puts in its forms (``<input name="csrf_token">``) or a script in its header."""
    token = getattr(request.state, "csrf", None)
    if token:
        return token
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    request.state.csrf = token
    request.state.set_pre_cookie = token != request.cookies.get(PRE_COOKIE)
    return token


async def sent_token(request: Request) -> str:
    token = request.headers.get(HEADER, "")
    if token:
        return token
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches it: the endpoint can read it again
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


async def check(request: Request, expected: str) -> None:
    """Raise :class:`CsrfFailed` unless an unsafe request carries ``expected``."""
    if request.method in SAFE_METHODS:
        return
    if not _same(await sent_token(request), expected):
        raise CsrfFailed("the form's CSRF token is missing or stale; reload the page and try again")


async def csrf_protect_pre_session(request: Request) -> None:
    """For forms posted before sign-in (the sign-in form): the double-submit cookie must match."""
    await check(request, request.cookies.get(PRE_COOKIE, ""))
