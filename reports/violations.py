"""Violation reports: blocked items by organisation, account, category, decision source and period.

A violation is an item whose final decision is ``block``. Its category is what a moderator
confirmed when a moderator decided it, otherwise the highest-scoring category the detectors
reported; its source is the stage that decided (rule, hash, model, moderator). Rows are one
per (item, category), so the category totals add up to more than the item count when a
moderator confirmed several.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modpipe.domain import Category
from modpipe.errors import InvalidInput
from modpipe.models import Account, Item, Organization
from review_queue.models import ReviewTask

SOURCES = ("rule", "hash", "model", "moderator")
BUCKETS = ("day", "week", "month")
UNCATEGORISED = "uncategorised"
MAX_ROWS = 200_000
_SOURCE_OF = {"moderator": "moderator", "rule": "rule", "yara": "rule", "hash": "hash"}


def normalise_source(raw: str | None) -> str:
    return _SOURCE_OF.get(raw or "", "model")


@dataclass(frozen=True)
class ViolationFilter:
    org_id: str | None = None
    account: str | None = None  # the platform's user id (or our account id)
    category: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    bucket: str = "day"

    def __post_init__(self) -> None:
        if self.category and self.category != UNCATEGORISED:
            try:
                Category.parse(self.category)
            except ValueError as e:
                raise InvalidInput(str(e)) from None
        if self.source and self.source not in SOURCES:
            raise InvalidInput(f"source {self.source!r}; use one of: {', '.join(SOURCES)}")
        if self.bucket not in BUCKETS:
            raise InvalidInput(f"bucket {self.bucket!r}; use one of: {', '.join(BUCKETS)}")
        if self.since and self.until and self.since >= self.until:
            raise InvalidInput("'since' must be before 'until'")

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "account": self.account, "category": self.category, "source": self.source,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "bucket": self.bucket}


def parse_time(value: str | None, name: str) -> datetime | None:
    """ISO date or datetime; a bare date means midnight UTC."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name}={value!r} is not an ISO date or datetime (e.g. 2026-11-01)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def period_of(dt: datetime, bucket: str) -> str:
    d = dt.astimezone(timezone.utc).date()
    if bucket == "month":
        return d.strftime("%Y-%m")
    if bucket == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    return d.isoformat()


def _periods(first: date, last: date, bucket: str) -> list[str]:
    out: list[str] = []
    d = first
    while d <= last and len(out) < 2000:
        p = period_of(datetime(d.year, d.month, d.day, tzinfo=timezone.utc), bucket)
        if not out or out[-1] != p:
            out.append(p)
        d += timedelta(days=1)
    return out


def _top_category(categories) -> str:
    cats = [c for c in (categories or []) if isinstance(c, dict) and c.get("category")]
    if not cats:
        return UNCATEGORISED
    return max(cats, key=lambda c: float(c.get("score") or 0.0))["category"]


def rows(s: Session, f: ViolationFilter) -> list[dict[str, Any]]:
    # Columns, not whole rows: the content (text) is never loaded for a count.
    q = (select(Item.id, Item.external_id, Item.org_id, Item.kind, Item.decision_source, Item.categories,
                Item.decided_at, Item.updated_at, Account.external_user_id)
         .outerjoin(Account, Account.id == Item.account_id)
         .where(Item.status == "decided", Item.decision == "block").order_by(Item.decided_at).limit(MAX_ROWS))
    if f.org_id:
        q = q.where(Item.org_id == f.org_id)
    if f.account:
        q = q.where((Account.external_user_id == f.account) | (Item.account_id == f.account))
    if f.since:
        q = q.where(Item.decided_at >= f.since)
    if f.until:
        q = q.where(Item.decided_at < f.until)
    found = s.execute(q).all()
    moderated = [r.id for r in found if r.decision_source == "moderator"]
    confirmed: dict[str, list[str]] = {}
    for chunk in range(0, len(moderated), 1000):
        ids = moderated[chunk:chunk + 1000]
        for item_id, categories in s.execute(
                select(ReviewTask.item_id, ReviewTask.categories)
                .where(ReviewTask.item_id.in_(ids), ReviewTask.decision == "block").order_by(ReviewTask.decided_at)):
            if categories:
                confirmed[item_id] = list(categories)  # the latest block decision wins
    out = []
    clauses = {c.value: c.clause for c in Category}
    for r in found:
        source = normalise_source(r.decision_source)
        if f.source and source != f.source:
            continue
        cats = confirmed.get(r.id) or [_top_category(r.categories)]
        when = r.decided_at or r.updated_at
        stamp = when.isoformat() if when else None
        period = period_of(when, f.bucket) if when else None
        for cat in dict.fromkeys(cats):
            if f.category and cat != f.category:
                continue
            out.append({"item_id": r.id, "external_id": r.external_id, "org_id": r.org_id,
                        "account": r.external_user_id, "kind": r.kind, "category": cat, "clause": clauses.get(cat),
                        "source": source, "decided_at": stamp, "period": period})
    return out


def report(s: Session, f: ViolationFilter) -> dict[str, Any]:
    """Totals and per-period series, plus the rows they were counted from."""
    rs = rows(s, f)
    items = {r["item_id"] for r in rs}
    by_cat = Counter(r["category"] for r in rs)
    by_source = Counter()
    by_org = Counter()
    by_account = Counter()
    seen: set[str] = set()
    for r in rs:
        if r["item_id"] in seen:
            continue
        seen.add(r["item_id"])
        by_source[r["source"]] += 1
        by_org[r["org_id"]] += 1
        if r["account"]:
            by_account[(r["org_id"], r["account"])] += 1
    names = {}
    if by_org:
        names = {o.id: o.name for o in s.scalars(select(Organization).where(Organization.id.in_(list(by_org))))}
    per_period: dict[str, Counter] = defaultdict(Counter)
    period_items: dict[str, set[str]] = defaultdict(set)
    for r in rs:
        if r["period"]:
            per_period[r["period"]][r["category"]] += 1
            period_items[r["period"]].add(r["item_id"])
    stamps = [datetime.fromisoformat(r["decided_at"]) for r in rs if r["decided_at"]]
    first = (f.since or (min(stamps) if stamps else None))
    last = (f.until - timedelta(microseconds=1) if f.until else (max(stamps) if stamps else None))
    periods = _periods(first.astimezone(timezone.utc).date(), last.astimezone(timezone.utc).date(), f.bucket) \
        if first and last else []
    for p in per_period:
        if p not in periods:
            periods.append(p)
    periods.sort()
    series = [{"period": p, "items": len(period_items.get(p, ())), "by_category": dict(per_period.get(p, {}))}
              for p in periods]
    return {
        "filter": f.to_dict(),
        "generated_at": datetime.now(timezone.utc).isoformat(),
        "total_items": len(items),
        "by_category": dict(by_cat.most_common()),
        "by_source": {k: by_source.get(k, 0) for k in SOURCES},
        "by_org": [{"org_id": o, "name": names.get(o), "items": n} for o, n in by_org.most_common()],
        "by_account": [{"org_id": o, "account": a, "items": n} for (o, a), n in by_account.most_common(50)],
        "series": series,
        "rows": rs,
    }
