"""Organisations and staff: creation, credentials, lookup by bearer token.

API keys and tokens are 256-bit random strings shown once and stored as
SHA-256 digests; passwords (chosen by people) are hashed with argon2.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from modpipe.db import Database
from modpipe.errors import Conflict, InvalidInput, NotFound
from modpipe.models import Organization, StaffUser


class Role(str, enum.Enum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    SENIOR_MODERATOR = "senior_moderator"
    COMPLIANCE = "compliance"
    ORG_ADMIN = "org_admin"
    ORG_MEMBER = "org_member"

    @classmethod
    def parse(cls, value: str) -> "Role":
        try:
            return cls(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not a role; use one of: {', '.join(r.value for r in cls)}") from None

    @property
    def org_scoped(self) -> bool:
        return self in (Role.ORG_ADMIN, Role.ORG_MEMBER)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation's API key, or a signed-in staff member."""

    kind: str  # "org" | "staff"
    org_id: str | None
    user_id: str | None = None
    username: str | None = None
    role: Role | None = None

    @property
    def actor(self) -> str:
        return self.username or f"org:{self.org_id}"


def create_org(db: Database, name: str) -> tuple[Organization, str]:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("an organisation needs a name of 1 to 200 characters")
    key = new_token("mpk")
    org = Organization(name=name, api_key_hash=token_digest(key), api_key_prefix=key[:8],
                       webhook_secret=secrets.token_hex(32))
    with db.session() as s:
        s.add(org)
    return org, key


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def check_password(hashed: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(db: Database, username: str, role: str, org_id: str | None = None,
                password: str | None = None) -> tuple[StaffUser, str]:
    r = Role.parse(role)
    username = (username or "").strip()
    if not username or len(username) > 100:
        raise InvalidInput("a username needs 1 to 100 characters")
    if r.org_scoped and not org_id:
        raise InvalidInput(f"role {r.value!r} belongs to an organisation; pass --org ORG_ID")
    if not r.org_scoped and org_id:
        raise InvalidInput(f"role {r.value!r} is platform staff and takes no organisation")
    token = new_token("mpt")
    with db.session() as s:
        if org_id and s.get(Organization, org_id) is None:
            raise NotFound(f"organisation {org_id!r} does not exist")
        if r is Role.ORG_ADMIN:
            existing = s.scalar(select(StaffUser).where(StaffUser.org_id == org_id, StaffUser.role == Role.ORG_ADMIN.value))
            if existing is not None:
                raise Conflict(f"organisation {org_id} already has its admin ({existing.username}); clause 4 allows one")
        user = StaffUser(username=username, role=r.value, org_id=org_id, token_hash=token_digest(token),
                         password_hash=hash_password(password) if password else None)
        s.add(user)
        try:
            s.flush()
        except IntegrityError:
            raise Conflict(f"username {username!r} is taken") from None
    return user, token


def principal_for_token(db: Database, token: str) -> Principal | None:
    digest = token_digest(token)
    with db.session() as s:
        if token.startswith("mpk_"):
            org = s.scalar(select(Organization).where(Organization.api_key_hash == digest))
            if org is None or org.status != "active":
                return None
            return Principal(kind="org", org_id=org.id)
        user = s.scalar(select(StaffUser).where(StaffUser.token_hash == digest))
        if user is None or not user.active:
            return None
        return Principal(kind="staff", org_id=user.org_id, user_id=user.id, username=user.username,
                         role=Role(user.role))
