"""The load run: sustained mixed uploads against `modpipe api` with several `modpipe worker`s.

    python -m loadtest load --rate 300 --duration 300 --workers 2 --threads 4   # the full run
    python -m loadtest load --short                                          # ~30 s, what CI runs

Prints throughput, POST-to-verdict p50/p95/p99, queue depth over time and where
the time goes; exits non-zero when an accepted upload did not reach its outcome.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import psutil

from loadtest.client import make_images, run_load
from loadtest.cluster import Cluster, ClusterConfig
from loadtest.measure import Sampler, fetch_outcomes, scrape_sums, summarize, wait_drained

GOAL_RATE = 300.0
GOAL_P99_S = 0.5


def machine() -> str:
    load1, load5, _ = os.getloadavg()
    return (f"{platform.node()}: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
            f"{platform.python_implementation()} {platform.python_version()}, load average at start {load1:.1f}/{load5:.1f}")


def sampled_procs(cluster: Cluster) -> dict:
    procs = {"api": lambda: cluster.api.pid, "redis": lambda: cluster.redis.pid, "client": os.getpid()}
    if cluster.weed is not None:
        procs["s3"] = lambda: cluster.weed.pid
    for i in range(len(cluster.workers)):
        procs[f"worker{i}"] = (lambda i=i: cluster.workers[i].pid)
    return procs


def measured_run(cluster: Cluster, *, rate: float, duration: float, image_share: float, label: str,
                 drain_timeout: float = 120.0, retries: int = 0, during=None, max_in_flight: int = 64,
                 callback_url: str | None = None, callback_share: float = 0.0):
    """Drive load (calling ``during(cluster)`` meanwhile, in this thread), wait for the backlog, report."""
    import threading

    images = make_images(32)
    before = scrape_sums(cluster.metrics_urls())
    sampler = Sampler(cluster.db.url, cluster.redis.url, cluster.namespace, sampled_procs(cluster), interval=1.0)
    sampler.start()
    holder: dict = {}

    def drive():
        try:
            holder["result"] = run_load(cluster.base_url, cluster.api_key, rate=rate, duration=duration,
                                        image_share=image_share, prefix=label, images=images, retries=retries,
                                        max_in_flight=max_in_flight, callback_url=callback_url,
                                        callback_share=callback_share)
        except BaseException as e:  # reported by the caller
            holder["error"] = e

    t = threading.Thread(target=drive, name="loadtest-client")
    t.start()
    if during is not None:
        holder["fault"] = during(cluster)
    t.join()
    if "error" in holder:
        sampler.stop()
        raise holder["error"]
    drained = wait_drained(cluster.db.url, drain_timeout)
    samples = sampler.stop()
    after = scrape_sums(cluster.metrics_urls())
    outcomes = fetch_outcomes(cluster.db.url)
    rep = summarize(holder["result"], outcomes, samples, before, after, label=label)
    rep.figures["drained"] = drained
    return holder["result"], outcomes, rep, holder.get("fault")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtest load", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=GOAL_RATE, help="uploads per second offered")
    p.add_argument("--duration", type=float, default=300.0, help="seconds of sustained load")
    p.add_argument("--image-share", type=float, default=0.1, help="share of uploads that are PNG images")
    p.add_argument("--workers", type=int, default=2, help="`modpipe worker` processes")
    p.add_argument("--threads", type=int, default=4, help="threads per worker")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    p.add_argument("--short", action="store_true", help="CI mode: 100/s for 15 s, 1 worker")
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument("--root", type=Path, default=None, help="scratch directory (default: a new temp dir)")
    a = p.parse_args(argv)
    if a.short:
        a.rate, a.duration, a.workers, a.warmup = min(a.rate, 100.0), min(a.duration, 15.0), 1, 2.0
    root = a.root or Path(tempfile.mkdtemp(prefix="modpipe-load-"))
    print(f"machine: {machine()}", flush=True)
    print(f"shape: PostgreSQL (own database) + redis-server + weed mini S3 + 1 `modpipe api` + "
          f"{a.workers} `modpipe worker` x {a.threads} threads; scratch {root}", flush=True)
    cluster = Cluster(root, ClusterConfig(workers=a.workers, threads=a.threads))
    t0 = time.time()
    cluster.start()
    try:
        print(f"cluster up in {time.time() - t0:.1f}s", flush=True)
        if a.warmup > 0:
            measured_run(cluster, rate=a.rate, duration=a.warmup, image_share=a.image_share, label="warmup")
        _, outcomes, rep, _ = measured_run(cluster, rate=a.rate, duration=a.duration, image_share=a.image_share,
                                           label="load", drain_timeout=max(60.0, a.duration))
    finally:
        cluster.stop()
    print(rep.text(), flush=True)
    f = rep.figures
    goal_rate = f["accepted_rate"] >= 0.98 * a.rate and f["verdict_rate"] >= 0.98 * a.rate
    goal_p99 = f["p99"] < GOAL_P99_S
    print(f"goal {a.rate:.0f}/s sustained: {'met' if goal_rate else 'MISSED'}; p99 < {GOAL_P99_S * 1000:.0f} ms: "
          f"{'met' if goal_p99 else 'MISSED'}", flush=True)
    if a.json:
        a.json.write_text(json.dumps({"machine": machine(), "args": vars(a) | {"json": str(a.json), "root": str(root)},
                                      "figures": f}, default=str, indent=2))
    ok = f["not_final"] == 0 and f["drained"]
    if not ok:
        print(f"FAIL: {f['not_final']} accepted uploads did not reach an outcome", file=sys.stderr)
    return 0 if ok else 1
