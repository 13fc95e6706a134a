"""A worker killed -9 in the middle of a webhook delivery: another worker delivers it, in seconds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from loadtest.receiver import Receiver
from modpipe.models import WebhookDelivery
from tests.conftest import wait_until
from tests.spine.procs import kill9, start_worker, stop

pytestmark = [pytest.mark.slow, pytest.mark.local_webhooks]


def test_delivery_in_flight_when_the_worker_dies_is_delivered_by_another(rt, client, org, tmp_path):
    receiver = Receiver(secret=org.webhook_secret, hang_first_s=30).start()
    first = start_worker(rt.settings, tmp_path / "w1.log", threads=2)
    second = None
    try:
        item_id = client.post("/v1/items", json={"text": "回调途中工人被杀", "callback_url": receiver.url},
                              headers=org.headers).json()["id"]

        def attempted():
            with rt.db.session() as s:
                d = s.scalar(select(WebhookDelivery).where(WebhookDelivery.item_id == item_id))
                return d is not None and d.attempts >= 1

        wait_until(attempted, timeout=60, interval=0.1)  # the worker is now waiting on the receiver
        time.sleep(0.5)
        kill9(first)
        killed_at = time.monotonic()
        second = start_worker(rt.settings, tmp_path / "w2.log", threads=2)
        wait_until(lambda: receiver.delivered_items() == {item_id}, timeout=90, interval=0.2)
        took = time.monotonic() - killed_at
    finally:
        stop(first)
        if second is not None:
            stop(second)
        receiver.stop()
    print(f"redelivered {took:.1f}s after the kill")
    assert took < 60, f"the orphaned delivery took {took:.0f}s to come back"
    assert all(d.signature_ok for d in receiver.deliveries)
