"""The actors: each takes ids, calls a plain function in :mod:`workers.tasks`, nothing more.

Declared on a given broker by :func:`declare_actors` (no global broker, no
import-time side effects). Retries are declared, with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from modpipe.settings import Settings
from workers import current, tasks

ITEMS_QUEUE = "items"
WEBHOOKS_QUEUE = "webhooks"


def _process_item(item_id: str) -> None:
    tasks.process_item(current.get(), item_id)


def _deliver_webhook(delivery_id: str) -> None:
    tasks.deliver_webhook(current.get(), delivery_id)


@dataclass(frozen=True)
class Actors:
    process_item: dramatiq.Actor
    deliver_webhook: dramatiq.Actor


def declare_actors(broker: RedisBroker, settings: Settings) -> Actors:
    return Actors(
        process_item=dramatiq.actor(
            _process_item, broker=broker, actor_name="process_item", queue_name=ITEMS_QUEUE,
            max_retries=8, min_backoff=500, max_backoff=30_000, time_limit=10 * 60_000,
        ),
        deliver_webhook=dramatiq.actor(
            _deliver_webhook, broker=broker, actor_name="deliver_webhook", queue_name=WEBHOOKS_QUEUE,
            max_retries=settings.webhook_max_retries, min_backoff=1_000, max_backoff=10 * 60_000,
            time_limit=60_000, throws=(tasks.WebhookGaveUp,),
        ),
    )
