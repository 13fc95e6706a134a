"""Fault runs: break one piece mid-load, then prove nothing accepted was forgotten.

    python -m loadtest faults            # every scenario, 40/s for 20 s each
    python -m loadtest faults --short    # what CI runs (tests/faults)
    python -m loadtest faults --only redis,api

Scenarios (each under load, from an uploader that retries with the same external id):
``workers`` kill -9 each worker in turn (a supervisor restarts it a second later);
``redis`` kill -9 the broker and start it again on its append-only file;
``api`` kill -9 the API and start it again; ``postgres`` terminate every connection
to the run's database, twice; ``disk`` fill the object store's disk (a small tmpfs
under ``weed mini``), then grow it.

After each: every accepted upload, and every row the database holds, reaches one
final outcome; no item has two webhook rows; every callback was delivered with a
good signature; a fresh upload is decided and /readyz answers 200, with no one
touching anything.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from loadtest.cluster import Cluster, ClusterConfig
from loadtest.load import machine, measured_run
from loadtest.receiver import Receiver
from modpipe.models import Item, WebhookDelivery

FINAL = ("decided", "rejected")


@dataclass
class Verdict:
    name: str
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def fail(self, why: str) -> None:
        self.ok = False
        self.problems.append(why)

    def line(self) -> str:
        f = self.figures
        core = (f"{self.name:9s} {'ok  ' if self.ok else 'FAIL'} accepted {f.get('accepted', '-')}, "
                f"rows final {f.get('final', '-')}/{f.get('rows', '-')}, webhooks {f.get('webhooks', 0)}, refused {f.get('refused', '-')}, client retries {f.get('retries', '-')}, "
                f"drained in {f.get('drain_s', float('nan')):.1f}s, recovery probe {f.get('probe_s', float('nan')):.1f}s, "
                f"p99 {f.get('p99', float('nan')) * 1000:.0f} ms")
        return core + ("" if self.ok else "  <- " + "; ".join(self.problems))


# -- the faults (each runs in the main thread while the client uploads) ------------------------------

def fault_workers(c: Cluster, duration: float) -> str:
    time.sleep(duration * 0.25)
    for i in range(len(c.workers)):
        c.workers[i].kill9()
        time.sleep(1.0)  # what a supervisor (systemd, compose restart: always) would wait
        c.workers[i].start()
        time.sleep(duration * 0.2)
    return f"killed -9 and restarted {len(c.workers)} workers"


def fault_redis(c: Cluster, duration: float) -> str:
    time.sleep(duration * 0.3)
    c.redis.kill9()
    time.sleep(2.0)
    c.redis.start()
    return "killed -9 redis-server for 2 s, restarted on its append-only file"


def fault_api(c: Cluster, duration: float) -> str:
    time.sleep(duration * 0.3)
    c.api.kill9()
    time.sleep(0.5)
    c.start_api()
    return "killed -9 the API, restarted it"


def fault_postgres(c: Cluster, duration: float) -> str:
    time.sleep(duration * 0.3)
    n1 = c.db.terminate_connections()
    time.sleep(duration * 0.2)
    n2 = c.db.terminate_connections()
    return f"terminated {n1} then {n2} connections to the run's database"


SCENARIOS = {"workers": fault_workers, "redis": fault_redis, "api": fault_api, "postgres": fault_postgres}


# -- the checks ----------------------------------------------------------------------------------------

def _engine(url: str):
    return create_engine("postgresql+psycopg://" + url.split("://", 1)[1], pool_size=1)


def check_outcomes(c: Cluster, result, v: Verdict, receiver: Receiver | None) -> None:
    eng = _engine(c.db.url)
    try:
        with eng.connect() as conn:
            status = dict(conn.execute(select(Item.id, Item.status)).all())
            dup_hooks = conn.execute(select(WebhookDelivery.item_id, func.count()).group_by(WebhookDelivery.item_id)
                                     .having(func.count() > 1)).all()
            with_cb = {r[0] for r in conn.execute(select(Item.id).where(Item.callback_url.is_not(None),
                                                                         Item.status.in_(FINAL)))}
    finally:
        eng.dispose()
    accepted = {s.item_id for s in result.accepted}
    forgotten = [i for i in accepted if i not in status]
    open_ = [i for i, st in status.items() if st not in FINAL]
    if forgotten:
        v.fail(f"{len(forgotten)} accepted uploads are not in the database")
    if open_:
        v.fail(f"{len(open_)} items never reached an outcome")
    if dup_hooks:
        v.fail(f"{len(dup_hooks)} items have two webhook rows")
    if receiver is not None and with_cb:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not with_cb <= receiver.delivered_items():
            time.sleep(0.5)
        missing = with_cb - receiver.delivered_items()
        if missing:
            eng = _engine(c.db.url)
            try:
                with eng.connect() as conn:
                    rows = conn.execute(select(WebhookDelivery.status, WebhookDelivery.attempts, WebhookDelivery.last_error)
                                        .where(WebhookDelivery.item_id.in_(missing))).all()
            finally:
                eng.dispose()
            v.fail(f"{len(missing)} webhooks never delivered: {[tuple(r) for r in rows][:5]}")
        bad = [d for d in receiver.deliveries if not d.signature_ok]
        if bad:
            v.fail(f"{len(bad)} webhook deliveries had a bad signature")
        v.figures["webhooks"] = len(with_cb)
    v.figures.update(accepted=len(accepted), final=sum(1 for st in status.values() if st in FINAL), rows=len(status),
                     refused=sum(1 for s in result.sent if not s.accepted),
                     retries=sum(s.retries for s in result.sent))


def probe_recovery(c: Cluster, v: Verdict, timeout: float = 60.0) -> None:
    """A fresh upload must be accepted and decided, and /readyz answer 200, without anyone's help."""
    t0 = time.monotonic()
    headers = {"Authorization": f"Bearer {c.api_key}"}
    item_id = None
    while time.monotonic() - t0 < timeout:
        try:
            if item_id is None:
                r = httpx.post(c.base_url + "/v1/items", headers=headers, timeout=5,
                               json={"external_id": f"probe-{v.name}", "text": "恢复探测：本周义卖活动照常进行。"})
                if r.status_code == 202:
                    item_id = r.json()["id"]
            else:
                body = httpx.get(f"{c.base_url}/v1/items/{item_id}", headers=headers, timeout=5).json()
                if body.get("status") in FINAL and httpx.get(c.base_url + "/readyz", timeout=5).status_code == 200:
                    v.figures["probe_s"] = time.monotonic() - t0
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    v.fail(f"no recovery: a fresh upload was not decided within {timeout:.0f}s")


def run_scenario(c: Cluster, name: str, rate: float, duration: float, receiver: Receiver | None) -> Verdict:
    v = Verdict(name)
    fault = SCENARIOS[name]
    t0 = time.monotonic()
    result, _outcomes, rep, note = measured_run(
        c, rate=rate, duration=duration, image_share=0.1, label=f"{name}-{int(time.time() * 1000)}", retries=8,
        drain_timeout=120,
        during=lambda cl: fault(cl, duration), callback_url=receiver.url if receiver else None, callback_share=0.1)
    v.figures.update(drain_s=time.monotonic() - t0 - duration, p99=rep.figures.get("p99", float("nan")), note=note)
    check_outcomes(c, result, v, receiver)
    probe_recovery(c, v)
    for i, w in enumerate(c.workers):
        if not w.alive:
            v.fail(f"worker{i} is not running after the scenario")
    return v


# -- the disk-full scenario has a cluster of its own, on a small tmpfs -----------------------------------

def run_disk_full(root: Path, size_mb: int = 48, timeout: float = 120.0) -> Verdict:
    """Upload 1 MiB images until the store's disk is full: the API must refuse with 503 (never
    accept-and-lose), text must still flow, and once the disk grows images must flow again."""
    import os

    v = Verdict("disk")
    mnt = root / "store-disk"
    mnt.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mnt)], check=True)
    c = None
    try:
        c = Cluster(root / "cluster", ClusterConfig(workers=1, threads=4, weed_data_dir=mnt / "weed"))
        c.start()
        headers = {"Authorization": f"Bearer {c.api_key}"}
        accepted, refusals, t0 = [], [], time.monotonic()
        with httpx.Client(base_url=c.base_url, headers=headers, timeout=60) as http:
            for i in range(size_mb * 2):
                if time.monotonic() - t0 > timeout:
                    v.fail("the disk never filled up")
                    break
                blob = b"\x89PNG\r\n\x1a\n" + os.urandom(1024 * 1024)
                r = http.post("/v1/items", files={"file": (f"big{i}.png", blob, "image/png")},
                              data={"external_id": f"big-{i}"})
                if r.status_code == 202:
                    accepted.append(r.json()["id"])
                    continue
                refusals.append(r)
                if len(refusals) >= 2:
                    break
            v.figures["accepted_before_full"] = len(accepted)
            if not refusals:
                v.fail("the store never refused an upload")
            for r in refusals:
                if r.status_code != 503 or not r.headers.get("content-type", "").startswith("application/problem+json"):
                    v.fail(f"a full store answered {r.status_code} {r.text[:120]!r}, not a 503 problem")
            # Text needs no object store: it must still be accepted and decided while the disk is full.
            r = http.post("/v1/items", json={"external_id": "text-while-full", "text": "磁盘满时的文字投稿"})
            if r.status_code != 202:
                v.fail(f"text was refused while the store was full: {r.status_code}")
            else:
                accepted.append(r.json()["id"])
            subprocess.run(["mount", "-o", f"remount,size={size_mb * 8}m", str(mnt)], check=True)
            t1 = time.monotonic()
            while time.monotonic() - t1 < 60:
                r = http.post("/v1/items", files={"file": ("after.png", b"\x89PNG\r\n\x1a\n" + os.urandom(4096), "image/png")},
                              data={"external_id": f"after-{int(time.monotonic() * 1000)}"})
                if r.status_code == 202:
                    accepted.append(r.json()["id"])
                    v.figures["probe_s"] = time.monotonic() - t1
                    break
                time.sleep(1)
            else:
                v.fail("images were still refused a minute after the disk grew")
        from loadtest.measure import wait_drained

        t2 = time.monotonic()
        if not wait_drained(c.db.url, 120):
            v.fail("items stayed open after the disk grew")
        v.figures["drain_s"] = time.monotonic() - t2
        eng = _engine(c.db.url)
        try:
            with eng.connect() as conn:
                status = dict(conn.execute(select(Item.id, Item.status)).all())
        finally:
            eng.dispose()
        lost = [i for i in accepted if status.get(i) not in FINAL]
        if lost:
            v.fail(f"{len(lost)} accepted uploads did not reach an outcome")
        if len(status) != len(accepted):
            v.fail(f"the database holds {len(status)} items but {len(accepted)} were accepted (a refused upload left a row)")
        v.figures.update(accepted=len(accepted), final=sum(1 for s in status.values() if s in FINAL),
                         rows=len(status), refused=len(refusals), retries=0)
    finally:
        if c is not None:
            c.stop()
        subprocess.run(["umount", "-l", str(mnt)], check=False)
    return v


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtest faults", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join([*SCENARIOS, "disk"]), help="comma-separated scenarios")
    p.add_argument("--rate", type=float, default=40.0)
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--short", action="store_true", help="CI mode: 25/s for 8 s per scenario")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    if a.short:
        a.rate, a.duration = min(a.rate, 25.0), min(a.duration, 8.0)
    names = [n.strip() for n in a.only.split(",") if n.strip()]
    unknown = set(names) - set(SCENARIOS) - {"disk"}
    if unknown:
        p.error(f"unknown scenarios {sorted(unknown)}; choose from {[*SCENARIOS, 'disk']}")
    root = Path(tempfile.mkdtemp(prefix="modpipe-faults-"))
    print(f"machine: {machine()}", flush=True)
    verdicts: list[Verdict] = []
    load_names = [n for n in names if n in SCENARIOS]
    if load_names:
        c = Cluster(root / "cluster", ClusterConfig(workers=2, threads=4, stuck_after_s=5.0, sweep_every_s=1.0))
        c.start()
        receiver = Receiver(secret=c.webhook_secret).start()
        try:
            for name in load_names:
                v = run_scenario(c, name, a.rate, a.duration, receiver)
                print(v.line(), flush=True)
                verdicts.append(v)
        finally:
            receiver.stop()
            c.stop()
    if "disk" in names:
        v = run_disk_full(root / "disk")
        print(v.line(), flush=True)
        verdicts.append(v)
    if a.json:
        a.json.write_text(json.dumps({"machine": machine(), "results": [
            {"name": v.name, "ok": v.ok, "problems": v.problems, "figures": v.figures} for v in verdicts]},
            default=str, indent=2))
    failed = [v.name for v in verdicts if not v.ok]
    print(f"faults: {len(verdicts) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0
