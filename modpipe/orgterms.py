"""Organisations' own keyword lists: stored in the database, read by workers without a restart.

Each change bumps ``Organization.terms_version`` in the same transaction, so a
worker needs one cheap query per organisation (cached for ``ttl_s``) to know
whether its compiled list is still current.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from modpipe.db import Database
from modpipe.errors import InvalidInput, NotFound
from modpipe.models import Organization, OrgTerm

ACTIONS = ("block", "review", "allow")
MAX_TERMS_PER_ORG = 5000


@dataclass(frozen=True)
class Term:
    term: str
    action: str


def _clean(term: str, action: str) -> Term:
    if action not in ACTIONS:
        raise InvalidInput(f"action {action!r} is not one of: {', '.join(ACTIONS)}")
    t = (term or "").strip()
    if not t or len(t) > 200:
        raise InvalidInput("a term needs 1 to 200 characters")
    return Term(t, action)


def set_terms(db: Database, org_id: str, terms: list[tuple[str, str]], actor: str) -> int:
    """Add or change terms (same term again changes its action). Returns the new version."""
    cleaned = [_clean(t, a) for t, a in terms]
    with db.session() as s:
        org = s.get(Organization, org_id, with_for_update=True)
        if org is None:
            raise NotFound(f"no organisation {org_id!r}")
        existing = {t.term: t for t in s.scalars(select(OrgTerm).where(OrgTerm.org_id == org_id))}
        if len(existing) + len([c for c in cleaned if c.term not in existing]) > MAX_TERMS_PER_ORG:
            raise InvalidInput(f"an organisation may keep at most {MAX_TERMS_PER_ORG} terms")
        for c in cleaned:
            if c.term in existing:
                existing[c.term].action = c.action
            else:
                s.add(OrgTerm(org_id=org_id, term=c.term, action=c.action, created_by=actor))
        org.terms_version += 1
        return org.terms_version


def remove_term(db: Database, org_id: str, term: str) -> int:
    with db.session() as s:
        n = s.execute(delete(OrgTerm).where(OrgTerm.org_id == org_id, OrgTerm.term == term)).rowcount
        if n == 0:
            raise NotFound(f"organisation {org_id} has no term {term!r}")
        s.execute(update(Organization).where(Organization.id == org_id)
                  .values(terms_version=Organization.terms_version + 1))
        return s.scalar(select(Organization.terms_version).where(Organization.id == org_id))


def list_terms(db: Database, org_id: str) -> tuple[int, list[Term]]:
    with db.session() as s:
        version = s.scalar(select(Organization.terms_version).where(Organization.id == org_id))
        if version is None:
            raise NotFound(f"no organisation {org_id!r}")
        rows = s.scalars(select(OrgTerm).where(OrgTerm.org_id == org_id).order_by(OrgTerm.term))
        return version, [Term(r.term, r.action) for r in rows]


class OrgTermWatcher:
    """Tells a worker when an organisation's list changed; at most one query per org per ``ttl_s``."""

    def __init__(self, db: Database, ttl_s: float = 1.0) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self._checked: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def current(self, org_id: str) -> tuple[int, list[Term]] | None:
        """(version, terms) when the list changed since the last call for this org, else None."""
        now = time.monotonic()
        with self._lock:
            seen = self._checked.get(org_id)
            if seen and now - seen[0] < self.ttl_s:
                return None
        with self.db.session() as s:
            version = s.scalar(select(Organization.terms_version).where(Organization.id == org_id)) or 0
        with self._lock:
            previous = self._checked.get(org_id)
            self._checked[org_id] = (now, version)
            if previous is not None and previous[1] == version:
                return None
        if version == 0:
            return (0, []) if previous is not None else None
        return list_terms(self.db, org_id)
