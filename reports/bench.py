"""``python -m reports.bench [--short] [--database-url URL]``: how fast the compliance paths are.

Times, on a throw-away database (SQLite in a temporary folder unless a URL is given): appending
to the audit chain, verifying it, building a violation report over blocked items, drafting
regulator reports through the ``review.decided`` event, and rendering one report's PDF.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run(database_url: str, n_audit: int, n_items: int, n_reports: int, data_dir: Path) -> dict:
    from modpipe import events, migrate
    from modpipe.accounts import create_org, create_user
    from modpipe.db import Database, utcnow
    from modpipe.domain import Category
    from modpipe.models import Item
    from reports import audit, regulator, violations
    from reports.models import RegulatorReport
    from reports.pdf import render
    from review_queue.models import ReviewTask

    migrate.upgrade(database_url)
    db = Database(database_url)
    out: dict = {"database": database_url.split("@")[-1].split("://")[0]}
    try:
        org, _ = create_org(db, "基准测试基金会")
        user, _ = create_user(db, "bench-mod", "moderator")

        def append():
            with db.session() as s:
                for i in range(n_audit):
                    audit.record(s, "bench", "regulator_report.viewed", target=f"r{i}", n=i)

        _, dt = _timed(append)
        out["audit_append_per_s"] = round(n_audit / dt)
        with db.session() as s:
            res, dt = _timed(lambda: audit.verify(s))
        assert res.ok
        out["audit_verify_entries_per_s"] = round(res.checked / dt)

        rng = random.Random(7)
        cats = [c.value for c in Category]
        now = utcnow()
        with db.session() as s:
            for i in range(n_items):
                when = now - timedelta(days=rng.randrange(90), seconds=rng.randrange(86400))
                s.add(Item(org_id=org.id, kind="text", status="decided", text=f"违规内容 {i}", decision="block",
                           decision_source=rng.choice(["rule", "model", "hash", "moderator"]),
                           categories=[{"category": rng.choice(cats), "score": 0.95, "evidence": []}],
                           created_at=when, decided_at=when))
        with db.session() as s:
            rep, dt = _timed(lambda: violations.report(s, violations.ViolationFilter(bucket="day")))
        out["violations_items"] = rep["total_items"]
        out["violations_report_s"] = round(dt, 3)

        def draft():
            for i in range(n_reports):
                with db.session() as s:
                    item = Item(org_id=org.id, kind="text", status="decided", text=f"编造的消息 {i}", decision="block",
                                decision_source="moderator", categories=[], created_at=utcnow(), decided_at=utcnow())
                    s.add(item)
                    s.flush()
                    task = ReviewTask(item_id=item.id, queue="pipeline", status="done", decision="block",
                                      categories=["rumor_disorder"], fabricated=True, decided_by=user.id,
                                      decided_at=utcnow())
                    s.add(task)
                    s.flush()
                    events.emit("review.decided", session=s, task=task, item=item, final=True)

        _, dt = _timed(draft)
        out["drafts_per_s"] = round(n_reports / dt, 1)
        with db.session() as s:
            v = regulator.view(s.query(RegulatorReport).first(), "http://127.0.0.1:8000")
        render(v)  # the first render loads and parses the font
        pdf, dt = _timed(lambda: render(v))
        out["pdf_render_s"] = round(dt, 3)
        out["pdf_bytes"] = len(pdf)
    finally:
        db.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.bench", description=__doc__)
    p.add_argument("--short", action="store_true", help="small numbers, for the test suite")
    p.add_argument("--database-url", default=None, help="a fresh database (default: SQLite in a temp folder)")
    args = p.parse_args(argv)
    n_audit, n_items, n_reports = (200, 500, 5) if args.short else (5000, 20000, 100)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        out = run(url, n_audit, n_items, n_reports, Path(tmp))
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
