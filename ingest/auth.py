"""Bearer-token authentication and role checks, as FastAPI dependencies."""

from __future__ import annotations

from typing import Callable

from fastapi import Depends, Request

from modpipe.accounts import Principal, Role, principal_for_token
from modpipe.errors import Forbidden, Unauthorized


def principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <api key or staff token>'")
    p = principal_for_token(request.app.state.rt.db, token.strip())
    if p is None:
        raise Unauthorized("that API key or token is unknown or revoked")
    request.state.principal = p
    return p


def org_key(p: Principal = Depends(principal)) -> Principal:
    if p.kind != "org":
        raise Forbidden("this endpoint takes an organisation's API key, not a staff token")
    return p


def staff(*roles: Role) -> Callable[[Principal], Principal]:
    allowed = set(roles)

    def check(p: Principal = Depends(principal)) -> Principal:
        if p.kind != "staff" or p.role not in allowed:
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(r.value for r in allowed))}")
        return p

    return check
