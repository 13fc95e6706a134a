"""One process's live objects: settings, database, object store, broker, pipeline.

Built once at start by whichever command runs (serve, api, worker, scan) and
handed around explicitly; nothing here happens at import time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modpipe.db import Database
from modpipe.settings import Settings
from modpipe.store import ObjectStore, open_store

if TYPE_CHECKING:
    from dramatiq.brokers.redis import RedisBroker

    from modpipe.broker import EmbeddedRedis
    from modpipe.pipeline import Pipeline
    from workers.actors import Actors

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    store: ObjectStore
    broker: "RedisBroker | None" = None
    actors: "Actors | None" = None
    embedded_redis: "EmbeddedRedis | None" = None
    _pipeline: "Pipeline | None" = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: Settings, *, with_broker: bool = True, migrate: bool = False) -> "Runtime":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            from modpipe import migrate as m

            m.upgrade(settings.database_url)
        rt = cls(settings=settings, db=Database(settings.database_url), store=open_store(settings))
        if with_broker:
            rt.connect_broker()
        return rt

    def connect_broker(self) -> None:
        from modpipe.broker import make_broker, start_embedded_redis
        from workers.actors import declare_actors

        url = self.settings.redis_url
        if url is None:
            self.embedded_redis = start_embedded_redis(self.settings)
            url = self.embedded_redis.url
        self.broker = make_broker(self.settings, url)
        self.actors = declare_actors(self.broker, self.settings)

    @property
    def pipeline(self) -> "Pipeline":
        """Built on first use: models load once per process, and only in processes that classify."""
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    from modpipe.pipeline import build_pipeline

                    self._pipeline = build_pipeline(self)
        return self._pipeline

    def close(self) -> None:
        if self.broker is not None:
            self.broker.close()
        if self.embedded_redis is not None:
            self.embedded_redis.close()
        self.db.dispose()
