"""The local twins and the scaled services behave the same: object stores, databases."""

from __future__ import annotations

import pytest

from loadtest.cluster import WeedProc
from modpipe.errors import InvalidInput, NotFound
from modpipe.store import LocalStore, S3Store, sha256_hex


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = WeedProc(tmp_path_factory.mktemp("weed")).start()
    yield server.s3_settings
    server.stop()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    return S3Store(request.getfixturevalue("s3"))


def test_put_is_content_addressed_and_idempotent(store):
    data = "公益海报".encode() * 1000
    sha = store.put(data)
    assert sha == sha256_hex(data)
    assert store.put(data) == sha
    assert store.exists(sha)
    assert store.get(sha) == data
    store.delete(sha)
    assert not store.exists(sha)
    with pytest.raises(NotFound):
        store.get(sha)


def test_keys_accept_only_digests(store):
    for bad in ("../../etc/passwd", "abc", "A" * 64, "0" * 63 + "/"):
        with pytest.raises(InvalidInput):
            store.get(bad)


def test_runtime_uses_s3_when_configured(s3, make_runtime, sqlite_url, tmp_path):
    rt = make_runtime(sqlite_url, with_broker=False, s3=s3)
    assert isinstance(rt.store, S3Store)
    sha = rt.store.put(b"\x89PNG fake")
    assert rt.store.get(sha) == b"\x89PNG fake"
    assert not (rt.settings.objects_dir).exists() or not any(rt.settings.objects_dir.rglob(sha))


def test_items_flow_on_both_databases(make_runtime, any_db_url):
    """The same ingest -> worker path on SQLite (embedded) and PostgreSQL (scaled)."""
    from fastapi.testclient import TestClient

    from ingest.app import create_app
    from modpipe.accounts import create_org
    from tests.conftest import wait_until
    from workers.run import WorkerGroup

    rt = make_runtime(any_db_url)
    _, key = create_org(rt.db, "两种数据库")
    h = {"Authorization": f"Bearer {key}"}
    group = WorkerGroup(rt, threads=2)
    group.start()
    try:
        with TestClient(create_app(rt)) as c:
            ids = [c.post("/v1/items", json={"text": f"第{i}条", "external_id": str(i)}, headers=h).json()["id"]
                   for i in range(20)]
            again = c.post("/v1/items", json={"text": "重复", "external_id": "3"}, headers=h).json()["id"]
            assert again == ids[3]
            wait_until(lambda: all(c.get(f"/v1/items/{i}", headers=h).json()["status"] == "decided" for i in ids))
    finally:
        group.stop()


def test_settings_refuse_incomplete_s3_and_default_secret_in_production():
    from modpipe.errors import ConfigError
    from modpipe.settings import Settings

    with pytest.raises(ConfigError, match="MODPIPE_S3_ACCESS_KEY"):
        Settings.from_env(env={"MODPIPE_S3_ENDPOINT": "http://127.0.0.1:9000"})
    with pytest.raises(ConfigError, match="MODPIPE_SECRET_KEY"):
        Settings.from_env(env={"MODPIPE_ENV": "production"})
    with pytest.raises(ConfigError, match="MODPIPE_MAX_UPLOAD_BYTES"):
        Settings.from_env(env={"MODPIPE_MAX_UPLOAD_BYTES": "lots"})
