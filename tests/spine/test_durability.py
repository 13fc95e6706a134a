"""Nothing committed is ever lost: SIGKILL a worker mid-batch, kill and restart Redis.

Every accepted item must reach exactly one final outcome: one status, at most
one review task, at most one webhook row, and the count of final items equal to
the count accepted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from modpipe.models import Item, WebhookDelivery
from review_queue.models import ReviewTask
from tests.conftest import wait_until
from tests.spine.procs import RedisServer, kill9, start_worker, stop

pytestmark = pytest.mark.slow


def status_counts(rt) -> dict[str, int]:
    with rt.db.session() as s:
        return dict(s.execute(select(Item.status, func.count()).group_by(Item.status)).all())


def assert_exactly_once(rt, accepted: set[str]) -> None:
    with rt.db.session() as s:
        rows = s.execute(select(Item.id, Item.status)).all()
        assert {i for i, _ in rows} == accepted, "an accepted item is missing, or one appeared from nowhere"
        assert all(st in ("decided", "rejected") for _, st in rows)
        per_item_tasks = s.execute(select(ReviewTask.item_id, func.count()).group_by(ReviewTask.item_id)
                                   .having(func.count() > 1)).all()
        assert per_item_tasks == [], f"items with two review tasks: {per_item_tasks[:5]}"
        per_item_hooks = s.execute(select(WebhookDelivery.item_id, func.count()).group_by(WebhookDelivery.item_id)
                                   .having(func.count() > 1)).all()
        assert per_item_hooks == [], f"items with two webhook rows: {per_item_hooks[:5]}"


def submit_many(client, org, n: int, prefix: str) -> set[str]:
    ids = set()
    for i in range(n):
        r = client.post("/v1/items", json={"external_id": f"{prefix}-{i}", "user_id": f"u{i % 17}",
                                            "text": f"第{i}条：我们的助学项目本周收到捐款，感谢大家支持。"},
                        headers=org.headers)
        assert r.status_code == 202, r.text
        ids.add(r.json()["id"])
    return ids


def test_sigkill_worker_mid_batch_loses_nothing(rt, client, org, tmp_path):
    accepted = submit_many(client, org, 600, "k")
    first = start_worker(rt.settings, tmp_path / "w1.log", threads=2)
    try:
        wait_until(lambda: status_counts(rt).get("decided", 0) >= 20, timeout=120, interval=0.01)
        kill9(first)
    finally:
        stop(first)
    before = status_counts(rt)
    assert before.get("decided", 0) < len(accepted), f"the worker finished everything before the kill: {before}"
    second = start_worker(rt.settings, tmp_path / "w2.log", threads=2)
    try:
        wait_until(lambda: status_counts(rt).get("decided", 0) + status_counts(rt).get("rejected", 0) == len(accepted),
                   timeout=180, interval=0.2)
    finally:
        stop(second)
    assert_exactly_once(rt, accepted)


def test_redis_killed_and_restarted_loses_nothing(make_runtime, postgres_url, tmp_path):
    from fastapi.testclient import TestClient

    from ingest.app import create_app
    from modpipe.accounts import create_org

    redis_server = RedisServer(tmp_path / "redis")
    redis_server.start()
    try:
        rt = make_runtime(postgres_url, redis_url=redis_server.url)
        org, key = create_org(rt.db, "重启测试")
        headers = {"Authorization": f"Bearer {key}"}
        with TestClient(create_app(rt)) as client:
            accepted = {client.post("/v1/items", json={"text": f"消息{i}"}, headers=headers).json()["id"]
                        for i in range(100)}
            redis_server.kill()  # messages for these items were in Redis when it died
            # While the broker is down, uploads are still accepted and committed.
            for i in range(20):
                r = client.post("/v1/items", json={"text": f"断线期间{i}"}, headers=headers)
                assert r.status_code == 202
                accepted.add(r.json()["id"])
            redis_server.start()  # same port, same append-only file
        worker = start_worker(rt.settings, tmp_path / "w.log", threads=2)
        try:
            wait_until(lambda: sum(status_counts(rt).get(s, 0) for s in ("decided", "rejected")) == len(accepted),
                       timeout=120, interval=0.2)
        finally:
            stop(worker)
        assert_exactly_once(rt, accepted)
    finally:
        redis_server.stop()
