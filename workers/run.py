"""Run workers in this process: dramatiq's Worker threads plus the sweeper thread."""

from __future__ import annotations

import logging
import threading

from dramatiq import Worker

from modpipe.metrics import STAGE_SECONDS, worker_starts_key
from modpipe.runtime import Runtime
from workers import current, middleware, tasks

log = logging.getLogger(__name__)

MAINTENANCE_CHANCE = 20_000  # per million broker commands


class Sweeper(threading.Thread):
    """Every ``sweep_every_s``, re-send what is stuck. Errors are logged, never fatal:
    the database or broker being away for a while is exactly when it must keep going."""

    def __init__(self, rt: Runtime) -> None:
        super().__init__(name="modpipe-sweeper", daemon=True)
        self.rt = rt
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.rt.settings.sweep_every_s):
            try:
                tasks.sweep(self.rt)
            except Exception:
                log.exception("sweep failed; trying again in %.0fs", self.rt.settings.sweep_every_s)

    def stop(self) -> None:
        self.stopped.set()


class WorkerGroup:
    """dramatiq worker threads consuming our queues, and one sweeper."""

    def __init__(self, rt: Runtime, threads: int | None = None, sweeper: bool = True) -> None:
        current.install(rt)
        middleware.install(rt.broker)
        # dramatiq hands a dead worker's unacked messages back only during "maintenance", run on
        # 0.1% of broker commands by default: minutes on a quiet queue. A webhook whose worker was
        # killed mid-delivery waited that long in the fault run; 2% brings it to tens of seconds.
        # (Items do not depend on it: the sweeper re-sends them after stuck_after_s.)
        rt.broker.maintenance_chance = MAINTENANCE_CHANCE
        self.rt = rt
        self.worker = Worker(rt.broker, worker_threads=threads or rt.settings.worker_threads, worker_timeout=500)
        self.sweeper = Sweeper(rt) if sweeper else None

    def start(self) -> None:
        pipeline = self.rt.pipeline
        seconds = pipeline.warm_up()  # load models before taking messages, not on the first one
        log.info("pipeline warm in %.1f s", seconds)
        pipeline.on_stage = _observe_stage
        self.worker.start()
        if self.sweeper:
            self.sweeper.start()
        try:  # the fleet-wide start count on /metrics: restarts show as a rising number
            self.rt.broker.client.incr(worker_starts_key(self.rt.broker.namespace))
        except Exception:
            log.warning("could not count this worker start in the broker", exc_info=True)
        log.info("workers started: %d threads on queues %s", self.worker.worker_threads,
                 sorted(self.rt.broker.get_declared_queues()))

    def stop(self, timeout_ms: int = 10_000) -> None:
        if self.sweeper:
            self.sweeper.stop()
        self.worker.stop(timeout=timeout_ms)


def _observe_stage(stage: str, seconds: float) -> None:
    STAGE_SECONDS.labels(stage).observe(seconds)
