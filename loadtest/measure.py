"""What a run measured: outcomes from the database, queue depth over time, where the time went.

POST-to-verdict is ``decided_at`` (written by the worker) minus the moment the
client sent the POST; both clocks are this machine's. The item row also splits
it: ``created_at`` (API commit), ``enqueued_at`` (the worker's claim: the queue
wait ends there), ``decided_at`` (the outcome). Per-stage and database seconds
come from the workers' Prometheus endpoints; CPU seconds per process from psutil.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
import psutil
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select, text

from modpipe.models import Item

FINAL = ("decided", "rejected")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(q / 100 * (len(v) - 1)))))
    return v[k]


def _engine(db_url: str):
    if db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url[len("postgresql://"):]
    return create_engine(db_url, pool_size=2)


@dataclass
class Outcome:
    status: str
    created_at: float
    claimed_at: float
    decided_at: float | None
    attempts: int


def fetch_outcomes(db_url: str) -> dict[str, Outcome]:
    eng = _engine(db_url)
    try:
        with eng.connect() as c:
            rows = c.execute(select(Item.id, Item.status, Item.created_at, Item.enqueued_at, Item.decided_at,
                                    Item.attempts)).all()
    finally:
        eng.dispose()
    return {r[0]: Outcome(r[1], r[2].timestamp(), r[3].timestamp(), r[4].timestamp() if r[4] else None, r[5])
            for r in rows}


def open_count(db_url: str) -> int:
    eng = _engine(db_url)
    try:
        with eng.connect() as c:
            return c.execute(select(func.count()).select_from(Item).where(Item.status.not_in(FINAL))).scalar_one()
    finally:
        eng.dispose()


def wait_drained(db_url: str, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if open_count(db_url) == 0:
                return True
        except Exception:  # the database may be the thing a fault took away for a moment
            pass
        time.sleep(interval)
    return False


@dataclass
class Sample:
    t: float
    queue: int | None
    open_items: int | None
    cpu: dict[str, float]


class Sampler(threading.Thread):
    """Every ``interval`` s: messages in the items queue, open items, CPU % per process."""

    def __init__(self, db_url: str, redis_url: str, namespace: str, procs: dict[str, object], interval: float = 1.0):
        super().__init__(daemon=True, name="loadtest-sampler")
        self.db_url, self.redis_url, self.namespace, self.procs = db_url, redis_url, namespace, procs
        self.interval = interval
        self.samples: list[Sample] = []
        self.stopped = threading.Event()
        self._pg: dict[int, psutil.Process] = {}

    def _cpu(self, handles: dict[str, psutil.Process]) -> dict[str, float]:
        out = {}
        for name, h in handles.items():
            try:
                out[name] = h.cpu_percent(None)
            except psutil.Error:
                out[name] = float("nan")
        # PostgreSQL is shared (other databases too), so its figure is an upper bound for this run.
        total = 0.0
        for pid in list(self._pg):
            try:
                total += self._pg[pid].cpu_percent(None)
            except psutil.Error:
                self._pg.pop(pid, None)
        out["postgres(all)"] = total
        return out

    def _refresh_pg(self) -> None:
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] and proc.info["name"].startswith("postgres") and proc.pid not in self._pg:
                self._pg[proc.pid] = proc
                try:
                    proc.cpu_percent(None)
                except psutil.Error:
                    self._pg.pop(proc.pid, None)

    def run(self) -> None:
        eng = _engine(self.db_url)
        r = redis.Redis.from_url(self.redis_url, socket_timeout=1)
        handles: dict[str, psutil.Process] = {}
        self._refresh_pg()
        try:
            while not self.stopped.wait(self.interval):
                self._refresh_pg()
                for name, proc in self.procs.items():
                    pid = proc() if callable(proc) else proc
                    if pid and (name not in handles or handles[name].pid != pid):
                        try:
                            handles[name] = psutil.Process(pid)
                            handles[name].cpu_percent(None)
                        except psutil.Error:
                            handles.pop(name, None)
                try:
                    depth = r.hlen(f"{self.namespace}:items.msgs")
                except Exception:
                    depth = None
                try:
                    with eng.connect() as c:
                        n_open = c.execute(text("SELECT count(*) FROM items WHERE status IN ('queued','processing')")
                                           ).scalar_one()
                except Exception:
                    n_open = None
                self.samples.append(Sample(time.time(), depth, n_open, self._cpu(handles)))
        finally:
            eng.dispose()
            r.close()

    def stop(self) -> list[Sample]:
        self.stopped.set()
        self.join(timeout=5)
        return self.samples


def scrape_sums(urls: list[str]) -> dict[str, dict[str, tuple[float, float]]]:
    """``{metric: {label: (sum_seconds, count)}}`` summed over the given /metrics URLs (API and workers)."""
    out: dict[str, dict[str, list[float]]] = {"modpipe_stage_seconds": {}, "modpipe_db_seconds": {},
                                              "modpipe_http_request_seconds": {}}
    for url in urls:
        try:
            body = httpx.get(url, timeout=5).text
        except httpx.HTTPError:
            continue  # a process a fault just killed
        for fam in text_string_to_metric_families(body):
            if fam.name not in out:
                continue
            for s in fam.samples:
                if fam.name == "modpipe_http_request_seconds":
                    if s.labels.get("route") != "/v1/items" or s.labels.get("method") != "POST":
                        continue
                    label = "POST /v1/items " + s.labels.get("status", "")
                else:
                    label = s.labels.get("stage") or s.labels.get("op") or ""
                acc = out[fam.name].setdefault(label, [0.0, 0.0])
                if s.name.endswith("_sum"):
                    acc[0] += s.value
                elif s.name.endswith("_count"):
                    acc[1] += s.value
    return {m: {k: (v[0], v[1]) for k, v in d.items()} for m, d in out.items()}


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)


def _ms(x: float) -> str:
    return f"{x * 1000:.0f} ms"


def summarize(result, outcomes: dict[str, Outcome], samples: list[Sample], sums_before, sums_after,
              label: str = "load") -> Report:
    rep = Report()
    sent = result.sent
    accepted = result.accepted
    by_kind: dict[str, int] = {}
    for s in accepted:
        by_kind[s.kind] = by_kind.get(s.kind, 0) + 1
    wall = max(1e-9, result.finished - result.started)
    api = [s.t_resp - s.t_send for s in accepted]
    lat, queue_wait, work = [], [], []
    final_by_kind: dict[str, list[float]] = {}
    missing = 0
    for s in accepted:
        o = outcomes.get(s.item_id)
        if o is None or o.status not in FINAL or o.decided_at is None:
            missing += 1
            continue
        lat.append(o.decided_at - s.t_send)
        final_by_kind.setdefault(s.kind, []).append(o.decided_at - s.t_send)
        queue_wait.append(max(0.0, o.claimed_at - o.created_at))
        work.append(max(0.0, o.decided_at - o.claimed_at))
    decided_times = sorted(o.decided_at for o in (outcomes.get(s.item_id) for s in accepted) if o and o.decided_at)
    verdict_span = (decided_times[-1] - result.started) if decided_times else float("nan")
    codes: dict[int, int] = {}
    for s in sent:
        codes[s.status] = codes.get(s.status, 0) + 1
    f = rep.figures
    f.update(sent=len(sent), accepted=len(accepted), by_kind=by_kind, codes=codes, not_final=missing,
             offered_rate=len(sent) / wall, accepted_rate=len(accepted) / wall,
             verdict_rate=len(lat) / verdict_span if lat else 0.0, max_client_lag_s=result.max_lag_s,
             api_p50=percentile(api, 50), api_p95=percentile(api, 95), api_p99=percentile(api, 99),
             p50=percentile(lat, 50), p95=percentile(lat, 95), p99=percentile(lat, 99), max=max(lat or [float("nan")]),
             queue_p50=percentile(queue_wait, 50), queue_p99=percentile(queue_wait, 99),
             work_p50=percentile(work, 50), work_p99=percentile(work, 99),
             by_kind_p99={k: percentile(v, 99) for k, v in final_by_kind.items()})
    rep.add(f"== {label}: {len(sent)} uploads in {wall:.1f}s ({f['offered_rate']:.0f}/s offered), "
            f"{len(accepted)} accepted {by_kind}, HTTP codes {codes}, client lag max {result.max_lag_s * 1000:.0f} ms")
    rep.add(f"   verdicts: {len(lat)} final, {missing} not final; {f['verdict_rate']:.0f} verdicts/s "
            f"(first POST to last verdict)")
    rep.add(f"   POST-to-verdict p50 {_ms(f['p50'])}  p95 {_ms(f['p95'])}  p99 {_ms(f['p99'])}  max {_ms(f['max'])}"
            + "".join(f"  | {k} p99 {_ms(v)}" for k, v in f["by_kind_p99"].items()))
    rep.add("   where the time goes (per item):")
    rep.add(f"     API (POST answered)        p50 {_ms(f['api_p50'])}  p95 {_ms(f['api_p95'])}  p99 {_ms(f['api_p99'])}")
    rep.add(f"     queue wait (commit->claim) p50 {_ms(f['queue_p50'])}  p99 {_ms(f['queue_p99'])}")
    rep.add(f"     worker (claim->verdict)    p50 {_ms(f['work_p50'])}  p99 {_ms(f['work_p99'])}")
    stage_lines = []
    for metric in ("modpipe_http_request_seconds", "modpipe_db_seconds", "modpipe_stage_seconds"):
        after = sums_after.get(metric, {})
        before = sums_before.get(metric, {})
        for k in sorted(after):
            s1, n1 = after[k]
            s0, n0 = before.get(k, (0.0, 0.0))
            if n1 - n0 > 0:
                per = (s1 - s0) / (n1 - n0)
                f.setdefault("mean_seconds", {})[f"{metric.split('_')[1]}:{k}"] = per
                kind = {"modpipe_http_request_seconds": "api", "modpipe_db_seconds": "db"}.get(metric, "stage")
                stage_lines.append(f"{kind} {k} {per * 1000:.2f} ms x {n1 - n0:.0f}")
    rep.add("     server-side means: " + ("; ".join(stage_lines) or "(no metrics scraped)"))
    if samples:
        depth = [s.queue for s in samples if s.queue is not None]
        open_items = [s.open_items for s in samples if s.open_items is not None]
        cpu_names = sorted({k for s in samples for k in s.cpu})
        cpu_mean = {k: sum(s.cpu.get(k, 0) or 0 for s in samples) / len(samples) for k in cpu_names}
        f.update(queue_depth_max=max(depth or [0]), open_items_max=max(open_items or [0]), cpu_mean=cpu_mean)
        rep.add(f"   queue depth max {f['queue_depth_max']}, open items max {f['open_items_max']}; "
                f"mean CPU %: " + ", ".join(f"{k} {v:.0f}" for k, v in cpu_mean.items()))
        step = max(1, len(samples) // 20)
        t0 = samples[0].t
        rep.add("   over time (s: queue depth / open items): " + "  ".join(
            f"{s.t - t0:.0f}:{s.queue}/{s.open_items}" for s in samples[::step]))
    return rep
