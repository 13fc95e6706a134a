"""Prometheus metrics. Counters and histograms live in the process that does the work;
gauges that describe shared state (items by status, queue depth, the oldest open item,
worker starts across the fleet) are read at scrape time by :class:`StateCollector`.

What each answers:
- ``modpipe_items{status,decision}``: how many items are where (database, all organisations).
- ``modpipe_items_finished_total{status,decision}``, ``modpipe_post_to_verdict_seconds``: what the
  workers of this process decided, and how long an item waited from POST to its outcome.
- ``modpipe_stage_seconds{stage}``, ``modpipe_db_seconds{op}``: where a worker's time goes.
- ``modpipe_http_request_seconds{method,route,status}``: the API's own time per request.
- ``modpipe_queue_depth{queue}``, ``modpipe_dead_letters{queue}``, ``modpipe_oldest_open_item_seconds``:
  is the pipeline keeping up, or stalled.
- ``modpipe_worker_starts``: worker processes started since the broker's data began (restarts
  show as a rising count); ``modpipe_worker_restarts_total`` is this process's own start.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

ITEMS_INGESTED = Counter("modpipe_items_ingested", "Items accepted by the ingest API", ["kind"], registry=REGISTRY)
ITEMS_FINISHED = Counter("modpipe_items_finished", "Items given their final outcome by a worker",
                         ["status", "decision"], registry=REGISTRY)
STAGE_SECONDS = Histogram("modpipe_stage_seconds", "Time spent in each pipeline stage", ["stage"],
                          buckets=FAST_BUCKETS, registry=REGISTRY)
DB_SECONDS = Histogram("modpipe_db_seconds", "Time a worker spends in the database per operation", ["op"],
                       buckets=FAST_BUCKETS, registry=REGISTRY)
HTTP_SECONDS = Histogram("modpipe_http_request_seconds", "Time the API spends on a request",
                         ["method", "route", "status"], buckets=FAST_BUCKETS, registry=REGISTRY)
POST_TO_VERDICT = Histogram("modpipe_post_to_verdict_seconds", "From item creation to its final outcome",
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=REGISTRY)
WORKER_RESTARTS = Counter("modpipe_worker_restarts", "Worker processes (re)started", registry=REGISTRY)
SWEEPER_RESENT = Counter("modpipe_sweeper_resent", "Items re-sent by the sweeper", registry=REGISTRY)
PIPELINE_FAILURES = Counter("modpipe_pipeline_failures", "Deliveries on which the pipeline raised", registry=REGISTRY)

WORKER_STARTS_KEY = "modpipe:worker_starts"


def worker_starts_key(namespace: str) -> str:
    return f"{namespace}:{WORKER_STARTS_KEY}"


class StateCollector:
    """Items by status and decision from the database; queue depth and worker starts from the broker."""

    def __init__(self, rt) -> None:
        self.rt = rt

    def describe(self):
        """Names only, so registering does not query the database."""
        return [GaugeMetricFamily(n, d) for n, d in (
            ("modpipe_items", "Items by status and decision"), ("modpipe_oldest_open_item_seconds", ""),
            ("modpipe_queue_depth", ""), ("modpipe_dead_letters", ""), ("modpipe_worker_starts", ""))]

    def collect(self):
        from sqlalchemy import func, select

        from modpipe.db import utcnow
        from modpipe.models import Item

        items = GaugeMetricFamily("modpipe_items", "Items by status and decision", labels=["status", "decision"])
        oldest = GaugeMetricFamily("modpipe_oldest_open_item_seconds",
                                   "Age of the oldest item still queued or processing (0 when none)")
        try:
            with self.rt.db.session() as s:
                rows = s.execute(select(Item.status, Item.decision, func.count()).group_by(Item.status, Item.decision))
                for status, decision, n in rows:
                    items.add_metric([status, decision or ""], n)
                first = s.scalar(select(func.min(Item.created_at)).where(Item.status.in_(("queued", "processing"))))
            if first is not None and first.tzinfo is None:
                from datetime import timezone

                first = first.replace(tzinfo=timezone.utc)
            oldest.add_metric([], (utcnow() - first).total_seconds() if first is not None else 0.0)
        except Exception:
            log.warning("metrics: database unavailable", exc_info=True)
        yield items
        yield oldest
        depth = GaugeMetricFamily("modpipe_queue_depth", "Messages waiting or in flight per queue", labels=["queue"])
        dead = GaugeMetricFamily("modpipe_dead_letters", "Messages that ran out of retries per queue", labels=["queue"])
        starts = GaugeMetricFamily("modpipe_worker_starts", "Worker processes started (restarts included)")
        broker = self.rt.broker
        if broker is not None:
            try:
                for q in sorted(broker.get_declared_queues()):
                    depth.add_metric([q], broker.client.hlen(f"{broker.namespace}:{q}.msgs"))
                    dead.add_metric([q], broker.client.hlen(f"{broker.namespace}:{q}.XQ.msgs"))
                starts.add_metric([], int(broker.client.get(worker_starts_key(broker.namespace)) or 0))
            except Exception:
                log.warning("metrics: broker unavailable", exc_info=True)
        yield depth
        yield dead
        yield starts


_collector: StateCollector | None = None


def install_state_collector(rt) -> None:
    """Describe ``rt``'s shared state on this process's /metrics (the latest runtime wins:
    tests build several apps in one process, each with its own database)."""
    global _collector
    if _collector is None:
        _collector = StateCollector(rt)
        REGISTRY.register(_collector)
    else:
        _collector.rt = rt
