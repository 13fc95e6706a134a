"""The ingest contract: auth, idempotency, clear 4xx for bad input, verdicts through a real queue."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from modpipe.models import Item


def count_items(rt) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(Item))


def test_text_item_reaches_a_verdict(client, org, workers, wait_final):
    r = client.post("/v1/items", json={"external_id": "p1", "user_id": "u1", "kind": "text", "text": "今天去养老院做志愿者"},
                    headers=org.headers)
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "queued"
    final = wait_final(body["id"], org.headers)
    assert final["status"] == "decided"
    assert final["decision"] in ("pass", "review", "block")
    assert isinstance(final["categories"], list) and isinstance(final["flags"], list)
    assert "label" in final["aigc"]


def test_without_a_key_is_401_problem_json(client):
    r = client.post("/v1/items", json={"text": "x"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" in r.json()["detail"]
    r = client.get("/v1/items/abc", headers={"Authorization": "Bearer mpk_nope"})
    assert r.status_code == 401


def test_same_external_id_gives_same_item(client, org, rt):
    a = client.post("/v1/items", json={"external_id": "dup", "text": "一"}, headers=org.headers).json()
    b = client.post("/v1/items", json={"external_id": "dup", "text": "二"}, headers=org.headers).json()
    assert a["id"] == b["id"]
    assert count_items(rt) == 1


def test_external_ids_are_per_organisation(client, make_org):
    a, b = make_org("甲"), make_org("乙")
    ia = client.post("/v1/items", json={"external_id": "x", "text": "一"}, headers=a.headers).json()["id"]
    ib = client.post("/v1/items", json={"external_id": "x", "text": "一"}, headers=b.headers).json()["id"]
    assert ia != ib
    # and one organisation cannot read the other's item
    assert client.get(f"/v1/items/{ia}", headers=b.headers).status_code == 404


def test_bad_bodies_are_clear_4xx_and_write_nothing(client, org, rt):
    h = {**org.headers, "content-type": "application/json"}
    cases = [
        (b'{"text": "unterminated', 400, "not valid JSON"),
        (b'\xff\xfe{"text": "x"}', 400, "UTF-8"),
        (b'{"kind": "hologram", "text": "x"}', 400, "kind"),
        (b'[1, 2]', 400, "JSON object"),
        (b'{"text": 5}', 400, "text"),
        (b'{"text": ""}', 400, "non-empty"),
        (b'{"kind": "image"}', 400, "file"),
        (b'{"text": "x", "callback_url": "file:///etc/passwd"}', 422, "callback_url"),
        (b'{"text": "x", "declared_aigc": "perhaps"}', 400, "declared_aigc"),
    ]
    for body, status, words in cases:
        r = client.post("/v1/items", content=body, headers=h)
        assert r.status_code == status, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert words in r.json()["detail"], (body, r.json())
    assert count_items(rt) == 0


def test_oversized_bodies_are_413(client, org, rt):
    limit = rt.settings.limits.max_upload_bytes
    r = client.post("/v1/items", content=b"x" * (limit + 1), headers={**org.headers, "content-type": "application/json"})
    assert r.status_code == 413
    too_long = "字" * (rt.settings.limits.max_text_chars + 1)
    r = client.post("/v1/items", json={"text": too_long}, headers=org.headers)
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]
    assert count_items(rt) == 0


def test_type_comes_from_bytes_not_the_name(client, org):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = client.post("/v1/items", files={"file": ("notes.txt", png, "text/plain")}, data={"external_id": "img1"},
                    headers=org.headers)
    assert r.status_code == 202
    item = client.get(f"/v1/items/{r.json()['id']}", headers=org.headers).json()
    assert item["kind"] == "image"
    exe = b"MZ\x90\x00" + b"\x00" * 200
    r = client.post("/v1/items", files={"file": ("cat.png", exe, "image/png")}, data={"kind": "image"},
                    headers=org.headers)
    assert r.status_code == 400
    assert "read from the content" in r.json()["detail"]


def test_original_is_stored_once_by_sha256(client, org, rt):
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
    ids = [client.post("/v1/items", files={"file": ("a.png", png)}, headers=org.headers).json()["id"] for _ in range(2)]
    with rt.db.session() as s:
        shas = {s.get(Item, i).blob_sha256 for i in ids}
    assert len(shas) == 1
    sha = shas.pop()
    assert rt.store.get(sha) == png
    files = list((rt.settings.objects_dir).rglob(sha))
    assert len(files) == 1


def test_health_ready_and_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"] == {"database": "ok", "broker": "ok", "store": "ok"}
    m = client.get("/metrics")
    assert m.status_code == 200
    assert "modpipe_items" in m.text and "modpipe_queue_depth" in m.text


def test_openapi_describes_the_contract(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/items", "/v1/items/{item_id}", "/v1/items/{item_id}/labeled", "/healthz", "/metrics"):
        assert path in spec["paths"], path
    assert json.dumps(spec)  # serialisable
