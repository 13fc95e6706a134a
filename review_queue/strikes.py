"""Strikes and what they do to an account (clause 8.1).

Each violation a moderator confirms adds one strike to the submitting account
(and so to its organisation). Strikes count for :data:`WINDOW`; at
:data:`RESTRICT_AT` live strikes the account is restricted, at :data:`SUSPEND_AT`
suspended: either way the ingest API refuses its new items with the reason
(``ingest.submission``). A successful appeal (or a platform admin) lifts a
strike and the account's standing is worked out again. Only standings set here
are changed here: a suspension someone set by hand stays.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modpipe.db import utcnow
from modpipe.errors import Conflict, NotFound
from modpipe.models import Account
from review_queue.models import Strike

WINDOW = timedelta(days=180)
RESTRICT_AT = 3
SUSPEND_AT = 5
REASON_PREFIX = "strikes:"


def live_strikes(s: Session, account_id: str) -> int:
    since = utcnow() - WINDOW
    return s.scalar(select(func.count()).select_from(Strike).where(
        Strike.account_id == account_id, Strike.lifted_at.is_(None), Strike.created_at >= since)) or 0


def standing_for(count: int) -> tuple[str, str | None]:
    if count >= SUSPEND_AT:
        return "suspended", f"{REASON_PREFIX} {count} confirmed violations in {WINDOW.days} days"
    if count >= RESTRICT_AT:
        return "restricted", f"{REASON_PREFIX} {count} confirmed violations in {WINDOW.days} days"
    return "active", None


def refresh_standing(s: Session, account_id: str | None) -> Account | None:
    """Set the account's status from its live strikes (unless a person set it by hand)."""
    if account_id is None:
        return None
    acc = s.get(Account, account_id)
    if acc is None:
        return None
    by_hand = acc.status != "active" and not (acc.status_reason or "").startswith(REASON_PREFIX)
    if by_hand:
        return acc
    status, reason = standing_for(live_strikes(s, account_id))
    if (acc.status, acc.status_reason) != (status, reason):
        acc.status, acc.status_reason = status, reason
    return acc


def add_strike(s: Session, item, task_id: str, categories: list[str]) -> Strike | None:
    """One strike for this item's confirmed violation (at most one live strike per item)."""
    live = s.scalar(select(Strike).where(Strike.item_id == item.id, Strike.lifted_at.is_(None)))
    if live is not None:
        return None
    strike = Strike(org_id=item.org_id, account_id=item.account_id, item_id=item.id, task_id=task_id,
                    categories=list(categories))
    s.add(strike)
    s.flush()
    refresh_standing(s, item.account_id)
    return strike


def lift_for_item(s: Session, item_id: str, by: str, reason: str) -> list[Strike]:
    """Lift the item's live strikes (the violation was not confirmed after all)."""
    lifted = list(s.scalars(select(Strike).where(Strike.item_id == item_id, Strike.lifted_at.is_(None))))
    for strike in lifted:
        strike.lifted_at, strike.lifted_by, strike.lifted_reason = utcnow(), by, reason
    s.flush()
    for account_id in {st.account_id for st in lifted}:
        refresh_standing(s, account_id)
    return lifted


def lift(s: Session, strike_id: str, by: str, reason: str) -> Strike:
    strike = s.get(Strike, strike_id)
    if strike is None:
        raise NotFound(f"no strike {strike_id!r}")
    if strike.lifted_at is not None:
        raise Conflict(f"strike {strike_id} was already lifted on {strike.lifted_at:%Y-%m-%d}")
    strike.lifted_at, strike.lifted_by, strike.lifted_reason = utcnow(), by, reason
    s.flush()
    refresh_standing(s, strike.account_id)
    return strike


def expire_restrictions(s: Session, actor: str = "system") -> int:
    """Work out again every account restricted by strikes (some may have aged out of the window),
    recording each change in the audit log. Cheap; the sweeper runs it. Returns how many accounts changed."""
    from reports.audit import record

    changed = 0
    for acc in s.scalars(select(Account).where(Account.status != "active",
                                               Account.status_reason.like(f"{REASON_PREFIX}%"))).all():
        before = acc.status
        refresh_standing(s, acc.id)
        if acc.status != before:
            changed += 1
            record(s, actor, "account.standing_expired", target=f"account:{acc.id}", org_id=acc.org_id,
                   before=before, after=acc.status, live_strikes=live_strikes(s, acc.id))
    return changed


def org_strike_count(s: Session, org_id: str) -> int:
    since = utcnow() - WINDOW
    return s.scalar(select(func.count()).select_from(Strike).where(
        Strike.org_id == org_id, Strike.lifted_at.is_(None), Strike.created_at >= since)) or 0
