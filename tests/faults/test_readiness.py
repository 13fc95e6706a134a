"""/readyz fails while the database or the broker is gone and recovers by itself; /healthz stays up.

The database is this test's own (made unreachable with ALLOW_CONNECTIONS false and its
connections terminated); the broker is a redis-server of the test's own, killed and restarted.
"""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient

from ingest.app import create_app
from loadtest.cluster import RedisProc
from tests.conftest import PG_ADMIN, wait_until


@pytest.fixture
def own_redis(tmp_path):
    r = RedisProc(tmp_path).start()
    yield r
    r.stop()


def _set_connections(dbname: str, allowed: bool) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                      "AND pid <> pg_backend_pid()", (dbname,))


def test_readiness_follows_the_database(make_runtime, postgres_url, own_redis):
    rt = make_runtime(postgres_url, redis_url=own_redis.url)
    dbname = postgres_url.rsplit("/", 1)[1]
    with TestClient(create_app(rt)) as client:
        assert client.get("/readyz").status_code == 200
        _set_connections(dbname, False)
        try:
            r = client.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "not ready"
            assert body["checks"]["database"].startswith("error")
            assert body["checks"]["broker"] == "ok"
            assert client.get("/healthz").status_code == 200  # alive, just not ready
        finally:
            _set_connections(dbname, True)
        wait_until(lambda: client.get("/readyz").status_code == 200, timeout=15)


def test_upload_while_the_database_is_gone_is_a_retryable_503(make_runtime, postgres_url, own_redis):
    from modpipe.accounts import create_org

    rt = make_runtime(postgres_url, redis_url=own_redis.url)
    _org, key = create_org(rt.db, "断库测试")
    dbname = postgres_url.rsplit("/", 1)[1]
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(rt)) as client:
        assert client.post("/v1/items", json={"text": "预热"}, headers=headers).status_code == 202  # key now cached
        _set_connections(dbname, False)
        try:
            r = client.post("/v1/items", json={"external_id": "during", "text": "断库期间"}, headers=headers)
            assert r.status_code == 503, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers.get("retry-after")
        finally:
            _set_connections(dbname, True)
        r = wait_until(lambda: (x := client.post("/v1/items", json={"external_id": "during", "text": "断库期间"},
                                                 headers=headers)).status_code == 202 and x, timeout=15)
        assert r.json()["status"] == "queued"


def test_readiness_follows_the_broker(make_runtime, postgres_url, own_redis):
    rt = make_runtime(postgres_url, redis_url=own_redis.url)
    with TestClient(create_app(rt)) as client:
        assert client.get("/readyz").status_code == 200
        own_redis.kill9()
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["broker"].startswith("error")
        assert r.json()["checks"]["database"] == "ok"
        own_redis.start()
        wait_until(lambda: client.get("/readyz").status_code == 200, timeout=15)


def test_readiness_does_not_hang_on_a_frozen_broker(make_runtime, postgres_url, own_redis):
    """A stopped (SIGSTOP) Redis accepts connections and never answers: readiness must still answer, 503."""
    import signal
    import time

    rt = make_runtime(postgres_url, redis_url=own_redis.url)
    with TestClient(create_app(rt)) as client:
        assert client.get("/readyz").status_code == 200
        own_redis.popen.send_signal(signal.SIGSTOP)
        try:
            t = time.monotonic()
            r = client.get("/readyz")
            assert time.monotonic() - t < 5
            assert r.status_code == 503 and "no answer" in r.json()["checks"]["broker"]
        finally:
            own_redis.popen.send_signal(signal.SIGCONT)
        wait_until(lambda: client.get("/readyz").status_code == 200, timeout=15)
