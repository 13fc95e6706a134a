"""Load test: many moderators working one queue at once, on a real database.

Seeds N review tasks, starts M moderator threads that claim and decide through
the same service functions the API calls, and some "ghost" moderators who claim
a task and walk away (their leases must run out and the task come back). At the
end it checks, from the database and from what each thread saw, that no task was
decided twice and none was lost, and prints the claim latency percentiles.

    python -m review_queue.loadtest --database-url postgresql://.../empty_db [--tasks 5000] [--moderators 20]
    python -m review_queue.loadtest --short ...   (300 tasks; what the test suite runs)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from modpipe.errors import Conflict


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    decided: Counter = field(default_factory=Counter)
    conflicts: int = 0
    released: int = 0
    empty_polls: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _seed(rt, n_tasks: int, n_mods: int, n_ghosts: int):
    from modpipe.accounts import create_org, create_user, principal_for_token
    from modpipe.models import Item
    from review_queue.models import ReviewTask
    from review_queue.routing import new_task

    with rt.db.session() as s:
        if s.scalar(select(func.count()).select_from(ReviewTask)):
            raise SystemExit("the load test needs an empty database (it found review tasks); give it a scratch one")
    org, _ = create_org(rt.db, "loadtest org")
    rnd = random.Random(7)
    queues = ["pipeline"] * 6 + ["complaint"] * 2 + ["tampered", "appeal"]
    cats = [["rumor_disorder"], ["spam_ads_sexual"], ["terrorism_extremism"], []]
    with rt.db.session() as s:
        items = [Item(org_id=org.id, kind="text", status="decided", decision="review", pipeline_decision="review",
                      text=f"load test item {i}", categories=[], flags=[], aigc={}) for i in range(n_tasks)]
        s.add_all(items)
        s.flush()
        for it in items:
            s.add(new_task(it.id, rnd.choice(queues), "load test", rnd.choice(cats)))
    principals = []
    for prefix, count in (("lt-mod", n_mods), ("lt-ghost", n_ghosts)):
        for i in range(count):
            _, token = create_user(rt.db, f"{prefix}-{i}", "moderator")
            principals.append(principal_for_token(rt.db, token))
    return principals[:n_mods], principals[n_mods:]


def _open_left(rt) -> int:
    from review_queue.models import ReviewTask

    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(ReviewTask).where(ReviewTask.status != "done")) or 0


def _moderator(rt, p, tally: Tally, seed: int, deadline: float) -> None:
    try:
        _work(rt, p, tally, seed, deadline)
    except Exception as e:  # a crash is a failed run, reported, not a silent thread death
        with tally.lock:
            tally.errors.append(f"{type(e).__name__}: {e}")


def _work(rt, p, tally: Tally, seed: int, deadline: float) -> None:
    from review_queue import claims
    from review_queue.decisions import DecisionInput, decide

    rnd = random.Random(seed)
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        task = claims.claim_next(rt, p)
        ms = (time.perf_counter() - t0) * 1000
        with tally.lock:
            tally.latencies_ms.append(ms)
        if task is None:
            if _open_left(rt) == 0:
                return
            with tally.lock:
                tally.empty_polls += 1
            time.sleep(0.25)  # leased tasks (the ghosts') come back when their leases run out
            continue
        if rnd.random() < 0.01:
            claims.release(rt, task.id, p)
            with tally.lock:
                tally.released += 1
            continue
        d = (DecisionInput("block", ["spam_ads_sexual"], note="load test: spam") if rnd.random() < 0.3
             else DecisionInput("pass", note="load test: fine"))
        try:
            decide(rt, task.id, p, d)
        except Conflict:
            with tally.lock:
                tally.conflicts += 1  # the lease ran out mid-task and someone else took it: fine, counted
            continue
        with tally.lock:
            tally.decided[task.id] += 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(database_url: str, tasks: int, moderators: int, ghosts: int, lease_s: int, time_limit_s: float,
        data_dir: Path) -> dict:
    from modpipe.runtime import Runtime
    from modpipe.settings import Settings
    from review_queue import claims
    from review_queue.models import ReviewTask

    settings = Settings.from_env(env={}, data_dir=data_dir).with_(database_url=database_url, review_lease_s=lease_s)
    rt = Runtime.build(settings, with_broker=False, migrate=True)
    try:
        mods, ghost_ps = _seed(rt, tasks, moderators, ghosts)
        ghost_ids = [claims.claim_next(rt, g).id for g in ghost_ps]  # claimed, then abandoned
        tally = Tally()
        deadline = time.monotonic() + time_limit_s
        threads = [threading.Thread(target=_moderator, args=(rt, p, tally, i, deadline), name=f"mod-{i}")
                   for i, p in enumerate(mods)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        with rt.db.session() as s:
            rows = dict(s.execute(select(ReviewTask.id, ReviewTask.status)).all())
            from reports.audit import verify
            from reports.models import AuditEntry

            audit_decides = s.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "review.decide")) or 0
            chain_ok = verify(s).ok
        twice = sorted(tid for tid, n in tally.decided.items() if n > 1)
        lost = sorted(tid for tid, st in rows.items() if st != "done")
        seen_but_not_done = sorted(tid for tid in tally.decided if rows.get(tid) != "done")
        lat = tally.latencies_ms
        report = {
            "database": database_url.split("://")[0], "tasks": tasks, "moderators": moderators,
            "ghost_claims": ghosts, "lease_s": lease_s, "wall_s": round(wall, 2),
            "decisions": sum(tally.decided.values()), "decisions_per_s": round(sum(tally.decided.values()) / wall, 1),
            "claims": len(lat), "claim_ms_p50": round(statistics.median(lat), 2) if lat else 0,
            "claim_ms_p95": round(_pct(lat, 0.95), 2), "claim_ms_p99": round(_pct(lat, 0.99), 2),
            "claim_ms_max": round(max(lat), 2) if lat else 0,
            "decided_twice": len(twice), "lost": len(lost), "ghost_tasks_recovered": sum(rows[g] == "done" for g in ghost_ids),
            "released": tally.released, "lapsed_lease_conflicts": tally.conflicts, "empty_polls": tally.empty_polls,
            "audit_decisions": audit_decides, "audit_chain_ok": chain_ok, "errors": tally.errors[:5],
        }
        report["ok"] = (not twice and not lost and not seen_but_not_done and report["decisions"] == tasks
                        and audit_decides == tasks and chain_ok and not tally.errors)
        return report
    finally:
        rt.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="modpipe bench review", description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("MODPIPE_DATABASE_URL"),
                    help="an EMPTY database (PostgreSQL for the real figures); it is migrated first")
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--moderators", type=int, default=20)
    ap.add_argument("--ghosts", type=int, default=20, help="moderators who claim one task each and walk away")
    ap.add_argument("--lease-s", type=int, default=5)
    ap.add_argument("--time-limit-s", type=float, default=900)
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--short", action="store_true", help="300 tasks (what the test suite runs)")
    args = ap.parse_args(argv)
    if not args.database_url:
        ap.error("pass --database-url (an empty PostgreSQL database) or set MODPIPE_DATABASE_URL")
    if args.short:
        args.tasks, args.ghosts, args.lease_s = 300, 5, 2
    import tempfile

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="modpipe-loadtest-"))
    report = run(args.database_url, args.tasks, args.moderators, args.ghosts, args.lease_s, args.time_limit_s,
                 data_dir)
    print(f"review load test: {report['tasks']} tasks, {report['moderators']} moderators "
          f"({report['ghost_claims']} abandoned claims, lease {report['lease_s']} s) on {report['database']}")
    print(f"  {report['decisions']} decisions in {report['wall_s']} s ({report['decisions_per_s']}/s)")
    print(f"  claim latency ms: p50 {report['claim_ms_p50']}  p95 {report['claim_ms_p95']}  "
          f"p99 {report['claim_ms_p99']}  max {report['claim_ms_max']}  ({report['claims']} claims)")
    print(f"  decided twice: {report['decided_twice']}  lost: {report['lost']}  "
          f"abandoned tasks recovered: {report['ghost_tasks_recovered']}/{report['ghost_claims']}  "
          f"audit chain ok: {report['audit_chain_ok']}")
    print(json.dumps(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
