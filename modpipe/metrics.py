"""Prometheus metrics. Counters and histograms live in the process that does the work;
gauges that describe shared state (items by status, queue depth) are read at scrape time."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

ITEMS_INGESTED = Counter("modpipe_items_ingested", "Items accepted by the ingest API", ["kind"], registry=REGISTRY)
ITEMS_FINISHED = Counter("modpipe_items_finished", "Items given their final outcome by a worker",
                         ["status", "decision"], registry=REGISTRY)
STAGE_SECONDS = Histogram("modpipe_stage_seconds", "Time spent in each pipeline stage", ["stage"],
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
                          registry=REGISTRY)
POST_TO_VERDICT = Histogram("modpipe_post_to_verdict_seconds", "From item creation to its final outcome",
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=REGISTRY)
WORKER_RESTARTS = Counter("modpipe_worker_restarts", "Worker processes (re)started", registry=REGISTRY)
SWEEPER_RESENT = Counter("modpipe_sweeper_resent", "Items re-sent by the sweeper", registry=REGISTRY)


class StateCollector:
    """Items by status and decision from the database; queue depth from the broker."""

    def __init__(self, rt) -> None:
        self.rt = rt

    def collect(self):
        from sqlalchemy import func, select

        from modpipe.models import Item

        items = GaugeMetricFamily("modpipe_items", "Items by status and decision", labels=["status", "decision"])
        try:
            with self.rt.db.session() as s:
                rows = s.execute(select(Item.status, Item.decision, func.count()).group_by(Item.status, Item.decision))
                for status, decision, n in rows:
                    items.add_metric([status, decision or ""], n)
        except Exception:
            log.warning("metrics: database unavailable", exc_info=True)
        yield items
        depth = GaugeMetricFamily("modpipe_queue_depth", "Messages waiting or in flight per queue", labels=["queue"])
        broker = self.rt.broker
        if broker is not None:
            try:
                for q in sorted(broker.get_declared_queues()):
                    depth.add_metric([q], broker.client.hlen(f"{broker.namespace}:{q}.msgs"))
            except Exception:
                log.warning("metrics: broker unavailable", exc_info=True)
        yield depth


def install_state_collector(rt) -> None:
    try:
        REGISTRY.register(StateCollector(rt))
    except ValueError:
        pass  # already registered in this process (tests build several apps)
