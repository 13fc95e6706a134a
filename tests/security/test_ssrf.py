"""A callback URL cannot turn the workers against their own network (SSRF): refused at ingest
(422 problem+json, nothing stored) and again at delivery, after DNS, on a connection pinned to the
vetted address. MODPIPE_WEBHOOK_ALLOW_PRIVATE=1 lets on-premises receivers in, never the metadata
services."""

from __future__ import annotations

import socket
from ipaddress import ip_address

import pytest
from sqlalchemy import func, select

from loadtest.receiver import Receiver
from modpipe.callbacks import check_url
from modpipe.db import utcnow
from modpipe.errors import ConfigError, RefusedCallback
from modpipe.models import Item, WebhookDelivery
from modpipe.settings import Settings
from workers import tasks
from workers.webhook import send, signed_request

NEVER = [  # refused whatever the setting
    "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "ftp://example.org/x", "javascript:alert(1)",
    "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://0.0.0.0:8000/", "http://[::]/",
    "http://[::ffff:169.254.169.254]/", "http:///no-host", "http://224.0.0.1/",
]
PRIVATE = [  # refused unless the operator allows private networks
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://api.localhost./hook", "http://[::1]/",
    "http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.10/", "https://user@10.0.0.1/",
    "http://example.org@127.0.0.1/", "http://169.254.10.1/", "http://[fe80::1]/", "http://[fd12::1]/",
    "http://100.64.0.1/",  # carrier-grade NAT: not public either
]
PUBLIC = ["https://hooks.example.org/modpipe", "http://1.1.1.1/hook", "https://[2606:4700:4700::1111]:8443/h"]


def post(client, org, url):
    return client.post("/v1/items", json={"text": "回调地址检查", "callback_url": url}, headers=org.headers)


def count_items(rt) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(Item))


@pytest.mark.parametrize("url", NEVER + PRIVATE)
def test_ingest_refuses_private_metadata_and_other_schemes(client, org, rt, url):
    r = post(client, org, url)
    assert r.status_code == 422, (url, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "callback_url" in r.json()["detail"] and "refused" in r.json()["detail"]
    assert count_items(rt) == 0


@pytest.mark.parametrize("url", PUBLIC)
def test_ingest_accepts_public_addresses_and_names(client, org, url):
    assert post(client, org, url).status_code == 202


@pytest.mark.local_webhooks
def test_allowing_private_networks_lets_on_premises_receivers_in_but_never_metadata(client, org, rt):
    assert rt.settings.webhook_allow_private
    for url in PRIVATE:
        assert post(client, org, url).status_code == 202, url
    for url in NEVER:
        assert post(client, org, url).status_code == 422, url


def test_the_setting_is_off_unless_set_and_must_be_a_yes_or_no():
    assert Settings.from_env(env={}).webhook_allow_private is False
    assert Settings.from_env(env={"MODPIPE_WEBHOOK_ALLOW_PRIVATE": "1"}).webhook_allow_private is True
    assert Settings.from_env(env={"MODPIPE_WEBHOOK_ALLOW_PRIVATE": "0"}).webhook_allow_private is False
    with pytest.raises(ConfigError, match="MODPIPE_WEBHOOK_ALLOW_PRIVATE"):
        Settings.from_env(env={"MODPIPE_WEBHOOK_ALLOW_PRIVATE": "perhaps"})


@pytest.fixture
def receiver(org):
    r = Receiver(secret=org.webhook_secret).start()
    yield r
    r.stop()


def pending_delivery(rt, org, url) -> str:
    """What finalize commits for an item whose callback passed ingest: a decided item and its delivery row."""
    with rt.db.session() as s:
        item = Item(org_id=org.org_id, kind="text", text="投递时再查", status="decided", decision="pass",
                    decided_at=utcnow(), callback_url=url)
        s.add(item)
        s.flush()
        d = WebhookDelivery(item_id=item.id, url=url)
        s.add(d)
        s.flush()
        return d.id


def delivery(rt, delivery_id) -> WebhookDelivery:
    with rt.db.session() as s:
        return s.get(WebhookDelivery, delivery_id)


def test_delivery_checks_again_and_gives_up_without_sending(rt, org, receiver):
    """A URL stored while private networks were allowed (or that slipped past ingest): refused at delivery."""
    assert not rt.settings.webhook_allow_private
    delivery_id = pending_delivery(rt, org, receiver.url)
    with pytest.raises(tasks.WebhookGaveUp, match="refused"):
        tasks.deliver_webhook(rt, delivery_id)
    d = delivery(rt, delivery_id)
    assert d.status == "failed" and d.last_error.startswith("refused") and "loopback" in d.last_error
    assert receiver.deliveries == []


def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(rt, org, receiver):
    """This machine's own name passes ingest (it is only a name) but resolves, through the real resolver,
    to one of its own addresses."""
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve here")
    if all(ip_address(a.split("%")[0]).is_global for a in addresses):
        pytest.skip(f"{name!r} resolves to public addresses only here: {addresses}")
    url = receiver.url.replace("127.0.0.1", name)
    check_url(url, allow_private=False)  # a name: ingest lets it through
    delivery_id = pending_delivery(rt, org, url)
    with pytest.raises(tasks.WebhookGaveUp, match="resolves to"):
        tasks.deliver_webhook(rt, delivery_id)
    assert delivery(rt, delivery_id).status == "failed" and receiver.deliveries == []


def test_one_private_answer_among_public_ones_is_enough_to_refuse():
    def resolve(host, port, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in ("1.1.1.1", "10.1.2.3")]

    with pytest.raises(RefusedCallback, match="10.1.2.3"):
        send("https://hooks.example.org/h", b"{}", {}, allow_private=False, resolve=resolve)


def test_the_connection_goes_to_the_address_that_was_vetted(org, receiver):
    """DNS rebinding: the name is looked up once, and the request goes to that answer (a second look-up
    could answer otherwise). '.invalid' never resolves through real DNS, so a request that arrives went
    to the vetted address, naming the original host."""
    asked = []

    def resolve(host, port, type=0):
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    body, headers = signed_request(org.webhook_secret, {"event": "item.decided", "item": {"id": "rebind"}})
    r = send(f"http://hooks.invalid:{port}/hook", body, headers, allow_private=True, resolve=resolve)
    assert r.status_code == 200 and asked == ["hooks.invalid"]
    [got] = receiver.deliveries
    assert got.signature_ok and got.item_id == "rebind" and got.host == f"hooks.invalid:{port}"
    with pytest.raises(RefusedCallback, match="loopback"):  # the same answer, private networks not allowed
        send(f"http://hooks.invalid:{port}/hook", body, headers, allow_private=False, resolve=resolve)
    assert len(receiver.deliveries) == 1
