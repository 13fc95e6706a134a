"""Shared fixtures: real PostgreSQL and Redis on 127.0.0.1, SQLite and local files in tmp.

Each test gets its own PostgreSQL database, cloned from a template migrated once
per run, and its own Redis key namespace; nothing leaks between tests.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import psycopg
import pytest
import redis

from modpipe.settings import Settings

PG_ADMIN = os.environ.get("MODPIPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MODPIPE_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN = uuid.uuid4().hex[:8]


def pg_url(dbname: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname


def _admin():
    return psycopg.connect(PG_ADMIN, autocommit=True)


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A database migrated once with Alembic; each test clones it (CREATE DATABASE ... TEMPLATE)."""
    from modpipe import migrate

    name = f"mp_tmpl_{RUN}"
    with _admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    migrate.upgrade(pg_url(name))
    yield name
    with _admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(pg_template) -> str:
    name = f"mp_{RUN}_{uuid.uuid4().hex[:10]}"
    with _admin() as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield pg_url(name)
    with _admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    from modpipe import migrate

    url = f"sqlite:///{tmp_path / 'modpipe.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def redis_namespace() -> str:
    ns = f"mptest-{RUN}-{uuid.uuid4().hex[:8]}"
    yield ns
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{ns}*", count=1000):
        client.delete(key)
    client.close()


@pytest.fixture
def make_settings(tmp_path, redis_namespace, request) -> Callable[..., Settings]:
    def make(database_url: str, **overrides) -> Settings:
        base = Settings.from_env(env={}, data_dir=tmp_path / "data")
        values = dict(database_url=database_url, redis_url=REDIS_URL, queue_namespace=redis_namespace,
                      stuck_after_s=5.0, sweep_every_s=1.0,
                      # the product refuses webhooks to 127.0.0.1 (SSRF); a test with a local receiver says so
                      webhook_allow_private=request.node.get_closest_marker("local_webhooks") is not None)
        values.update(overrides)
        return base.with_(**values)

    return make


@pytest.fixture
def make_runtime(make_settings):
    from modpipe.runtime import Runtime

    made = []

    def make(database_url: str, with_broker: bool = True, **overrides) -> Runtime:
        rt = Runtime.build(make_settings(database_url, **overrides), with_broker=with_broker)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


@pytest.fixture
def rt(make_runtime, postgres_url):
    """The scaled shape's real services: PostgreSQL, Redis, local files."""
    return make_runtime(postgres_url)


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def app(rt):
    from ingest.app import create_app

    return create_app(rt)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@dataclass
class OrgCreds:
    org_id: str
    api_key: str
    webhook_secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@pytest.fixture
def make_org(rt) -> Callable[[str], OrgCreds]:
    from modpipe.accounts import create_org

    def make(name: str = "测试公益基金会") -> OrgCreds:
        org, key = create_org(rt.db, name)
        return OrgCreds(org.id, key, org.webhook_secret)

    return make


@pytest.fixture
def org(make_org) -> OrgCreds:
    return make_org()


@pytest.fixture
def make_staff(rt):
    from modpipe.accounts import create_user

    def make(username: str, role: str, org_id: str | None = None, password: str | None = None) -> dict[str, str]:
        user, token = create_user(rt.db, username, role, org_id=org_id, password=password)
        return {"Authorization": f"Bearer {token}", "user_id": user.id}

    return make


@pytest.fixture
def submit_reviewed(rt, org) -> Callable[..., str]:
    """Submit an item and finalize it with a verdict we choose, as a worker would. Returns the item id."""
    from ingest.submission import Submission, submit
    from modpipe.domain import Category, CategoryResult, Decision, Evidence, Flag, Kind
    from modpipe.verdict import Verdict
    from workers import tasks

    def make(text: str = "听说明天全城停水，赶紧囤水，联系 13812345678", *, user_id: str | None = "u1",
             decision: Decision = Decision.REVIEW, cats: tuple = (("rumor_disorder", 0.62),),
             flags: tuple[str, ...] = (), org_id: str | None = None, kind: Kind = Kind.TEXT,
             data: bytes | None = None, mime: str | None = None, callback_url: str | None = None) -> str:
        sub = Submission(kind=kind, user_id=user_id, text=text if kind is Kind.TEXT else None, data=data,
                         mime=mime, callback_url=callback_url)
        item, _ = submit(rt, org_id or org.org_id, sub)
        assert tasks.claim(rt, item.id) is not None
        results = []
        for slug, score in cats:
            at = max(text.find("停水"), 0)
            ev = [Evidence(source="rule", detail="停水", span=(at, at + 2), rule_id="r-rumor-1", severity="review")] \
                if kind is Kind.TEXT else [Evidence(source="ocr", detail="文字", box=(10, 10, 60, 30))]
            results.append(CategoryResult(Category(slug), score, ev))
        verdict = Verdict(decision=decision, categories=results, flags=[Flag(f) for f in flags], source="model")
        assert tasks.finalize(rt, item.id, verdict) == "decided"
        return item.id

    return make


@pytest.fixture
def workers(rt):
    """Worker threads consuming this test's queues, in this process."""
    from workers.run import WorkerGroup

    group = WorkerGroup(rt, threads=2)
    group.start()
    yield group
    group.stop()


def wait_until(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def wait_final(client):
    def wait(item_id: str, headers: dict[str, str], timeout: float = 20.0) -> dict:
        def final():
            body = client.get(f"/v1/items/{item_id}", headers=headers).json()
            return body if body.get("status") in ("decided", "rejected") else None

        return wait_until(final, timeout)

    return wait


REPO = Path(__file__).resolve().parents[1]
