"""Bearer-token authentication and role checks, as FastAPI dependencies."""

from __future__ import annotations

import threading
import time
from typing import Callable

from fastapi import Depends, Request

from modpipe.accounts import Principal, Role, principal_for_token, token_digest
from modpipe.errors import Forbidden, Unauthorized

# Every upload authenticates; looking the key up each time was a database round trip per
# request. Known keys are remembered for a few seconds, so a revoked key or a closed
# organisation stops working within AUTH_CACHE_S; unknown keys and staff tokens are never remembered.
AUTH_CACHE_S = 5.0
AUTH_CACHE_MAX = 4096


class _PrincipalCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[float, Principal]] = {}

    def lookup(self, db, token: str) -> Principal | None:
        key = (id(db), token_digest(token))
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        p = principal_for_token(db, token)
        if p is not None and p.kind == "org":  # only upload keys: staff tokens revoke at once
            with self._lock:
                if len(self._entries) >= AUTH_CACHE_MAX:
                    self._entries.clear()
                self._entries[key] = (now + AUTH_CACHE_S, p)
        return p


_cache = _PrincipalCache()


def principal(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send 'Authorization: Bearer <api key or staff token>'")
    p = _cache.lookup(request.app.state.rt.db, token.strip())
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
