"""Webhooks end to end against a receiver on 127.0.0.1 that verifies every signature; retries with
backoff on a 500; no retry on a client error; a forged or stale delivery does not verify."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loadtest.receiver import Receiver
from modpipe.models import WebhookDelivery
from tests.conftest import wait_until
from workers.webhook import sign, signed_request, verify

pytestmark = pytest.mark.local_webhooks


@pytest.fixture
def receiver(org):
    r = Receiver(secret=org.webhook_secret).start()
    yield r
    r.stop()


def deliveries(rt, item_id):
    with rt.db.session() as s:
        return list(s.scalars(select(WebhookDelivery).where(WebhookDelivery.item_id == item_id)))


def test_verdict_is_delivered_signed(client, org, rt, workers, receiver, wait_final):
    item_id = client.post("/v1/items", json={"text": "回调测试", "callback_url": receiver.url}, headers=org.headers).json()["id"]
    wait_final(item_id, org.headers)
    wait_until(lambda: receiver.delivered_items(), timeout=20)
    assert [d.item_id for d in receiver.deliveries] == [item_id]
    assert receiver.deliveries[0].signature_ok
    wait_until(lambda: deliveries(rt, item_id)[0].status == "delivered", timeout=10)
    [row] = deliveries(rt, item_id)
    assert row.attempts == 1


def test_a_500_is_retried_with_growing_backoff(client, org, rt, workers, wait_final):
    receiver = Receiver(secret=org.webhook_secret, fail_first=2).start()
    try:
        item_id = client.post("/v1/items", json={"text": "重试测试", "callback_url": receiver.url},
                              headers=org.headers).json()["id"]
        wait_until(lambda: receiver.delivered_items(), timeout=30)
    finally:
        receiver.stop()
    times = [d.at for d in receiver.deliveries]
    assert [d.answered for d in receiver.deliveries] == [500, 500, 200]
    assert all(d.signature_ok for d in receiver.deliveries)
    gap1, gap2 = times[1] - times[0], times[2] - times[1]
    assert gap1 >= 0.9, f"the first retry came after {gap1:.2f}s: no backoff"
    assert gap2 >= gap1 - 0.05, f"backoff did not grow: {gap1:.2f}s then {gap2:.2f}s"
    wait_until(lambda: deliveries(rt, item_id)[0].status == "delivered", timeout=10)
    [row] = deliveries(rt, item_id)
    assert row.attempts == 3


def test_a_client_error_is_not_retried(client, org, rt, workers):
    wrong = Receiver(secret="not-the-org-secret").start()  # answers 401 to our signature
    try:
        item_id = client.post("/v1/items", json={"text": "错误密钥", "callback_url": wrong.url},
                              headers=org.headers).json()["id"]
        wait_until(lambda: deliveries(rt, item_id) and deliveries(rt, item_id)[0].status == "failed", timeout=20)
        import time

        time.sleep(1.5)  # a retry would have come by now
    finally:
        wrong.stop()
    assert [d.answered for d in wrong.deliveries] == [401]
    assert not wrong.deliveries[0].signature_ok


def test_forged_tampered_or_stale_signatures_do_not_verify():
    secret = "s3cret"
    body, headers = signed_request(secret, {"event": "item.decided", "item": {"id": "x", "decision": "pass"}}, now=1_000_000)
    ts, sig = headers["X-Modpipe-Timestamp"], headers["X-Modpipe-Signature"]
    assert verify(secret, ts, body, sig, now=1_000_010)
    assert not verify(secret, ts, body.replace(b"pass", b"block"), sig, now=1_000_010)  # tampered body
    assert not verify("other", ts, body, sig, now=1_000_010)  # wrong secret
    assert not verify(secret, ts, body, sig, now=1_000_000 + 301)  # replayed too late
    assert not verify(secret, str(int(ts) + 1), body, sig, now=1_000_010)  # timestamp moved
    assert not verify(secret, "soon", body, sig)
    flipped = sig[:-1] + ("1" if sig[-1] == "0" else "0")
    assert not verify(secret, ts, body, flipped, now=1_000_010)  # one hex digit off
    assert sig == sign(secret, int(ts), body)
