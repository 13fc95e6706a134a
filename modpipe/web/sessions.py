"""Open, look up and end web sessions (see :class:`modpipe.web.models.WebSession`)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from modpipe.accounts import Principal, Role, check_password, hash_password, token_digest
from modpipe.db import Database, utcnow
from modpipe.models import StaffUser
from modpipe.web.models import WebSession

COOKIE = "mp_session"
LIFETIME = timedelta(hours=12)  # one long shift; then sign in again
IDLE = timedelta(hours=2)  # a session nobody used for this long is over
_SEEN_EVERY = timedelta(minutes=1)

_dummy_hash: str | None = None


def _equalise_timing(password: str) -> None:
    """Verify against a throwaway hash so an unknown username takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    check_password(_dummy_hash, password)


def authenticate(db: Database, username: str, password: str) -> StaffUser | None:
    """The active user with this username and password, or None (same answer, same time, either way)."""
    with db.session() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.username == (username or "").strip()))
    if user is None or not user.password_hash or not user.active:
        _equalise_timing(password or "")
        return None
    return user if check_password(user.password_hash, password or "") else None


def open_session(db: Database, user_id: str) -> str:
    """A new session for ``user_id``; returns the id for the cookie (shown once, stored hashed)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.expires_at < now))
        s.add(WebSession(id_hash=token_digest(sid), user_id=user_id, csrf=secrets.token_urlsafe(32),
                         created_at=now, expires_at=now + LIFETIME, last_seen_at=now))
    return sid


def end_session(db: Database, sid: str) -> None:
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.id_hash == token_digest(sid)))


def lookup(db: Database, sid: str) -> tuple[Principal, str] | None:
    """The signed-in principal and the session's CSRF token, or None when the session is over."""
    now = utcnow()
    with db.session() as s:
        ws = s.get(WebSession, token_digest(sid))
        if ws is None:
            return None
        if ws.expires_at <= now or ws.last_seen_at + IDLE <= now:
            s.delete(ws)
            return None
        user = s.get(StaffUser, ws.user_id)
        if user is None or not user.active:
            s.delete(ws)
            return None
        if now - ws.last_seen_at > _SEEN_EVERY:
            ws.last_seen_at = now
        p = Principal(kind="staff", org_id=user.org_id, user_id=user.id, username=user.username,
                      role=Role(user.role))
        return p, ws.csrf
