"""One Jinja2 environment for every package's pages, built once, autoescaping on.

Templates are found in the directories listed in :data:`TEMPLATE_DIRS` (one list,
no discovery): ``base.html`` and the sign-in pages here, each package's pages in
its own ``templates/`` under a folder named after it (``review/...``, ``compliance/...``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = (
    ROOT / "modpipe" / "web" / "templates",
    ROOT / "review_queue" / "templates",
    ROOT / "reports" / "templates",
)

# Pages allow only our own scripts, styles and images: no CDN, no inline script, no framing.
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS if d.is_dir()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render template ``name`` with ``ctx`` plus ``request``, ``user`` (the signed-in Principal or None)
    and ``csrf_token`` (put it in every form as ``<input type="hidden" name="csrf_token">``)."""
    from modpipe.web.auth import signed_in
    from modpipe.web.csrf import PRE_COOKIE, csrf_token

    user = signed_in(request)
    token = csrf_token(request)
    html = environment().get_template(name).render(request=request, user=user, csrf_token=token, **ctx)
    resp = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    if getattr(request.state, "set_pre_cookie", False):
        resp.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return resp
