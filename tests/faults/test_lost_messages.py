"""A message lost between a commit and its send (the process died in between) is found by the sweeper:
for items (stuck queued) and for webhook deliveries never tried."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loadtest.receiver import Receiver
from modpipe.db import utcnow
from modpipe.models import Item, WebhookDelivery
from tests.conftest import wait_until
from workers import tasks


@pytest.mark.local_webhooks
def test_a_webhook_whose_message_was_lost_is_delivered_once_by_the_sweeper(rt, org, workers):
    receiver = Receiver(secret=org.webhook_secret).start()
    try:
        with rt.db.session() as s:
            # what finalize commits right before the process dies: the outcome and a pending delivery, no message
            item = Item(org_id=org.org_id, kind="text", text="丢失的回调", status="decided", decision="pass",
                        decided_at=utcnow(), callback_url=receiver.url)
            s.add(item)
            s.flush()
            d = WebhookDelivery(item_id=item.id, url=receiver.url, created_at=utcnow() - timedelta(seconds=60))
            s.add(d)
            s.flush()
            item_id, delivery_id = item.id, d.id
        tasks.sweep(rt)
        tasks.sweep(rt)  # a second sweep inside the window does not send it again
        wait_until(lambda: receiver.delivered_items() == {item_id}, timeout=20)
        wait_until(lambda: rt.db.sessions().get(WebhookDelivery, delivery_id).status == "delivered", timeout=10)
        tasks.sweep(rt)  # delivered: nothing more to send
        import time

        time.sleep(1.0)
        assert [x.item_id for x in receiver.deliveries] == [item_id]
        assert receiver.deliveries[0].signature_ok
    finally:
        receiver.stop()


def test_an_item_whose_message_was_lost_is_decided_by_the_sweeper(rt, org, workers):
    with rt.db.session() as s:
        item = Item(org_id=org.org_id, kind="text", text="消息丢了", status="queued",
                    enqueued_at=utcnow() - timedelta(seconds=60))
        s.add(item)
        s.flush()
        item_id = item.id
    assert tasks.sweep(rt) == 1
    wait_until(lambda: rt.db.sessions().get(Item, item_id).status == "decided", timeout=20)
