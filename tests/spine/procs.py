"""Real processes for the durability tests: `modpipe worker` subprocesses and a private redis-server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def modpipe_env(settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MODPIPE_DATA_DIR": str(settings.data_dir),
        "MODPIPE_DATABASE_URL": settings.database_url,
        "MODPIPE_REDIS_URL": settings.redis_url or "",
        "MODPIPE_QUEUE_NAMESPACE": settings.queue_namespace,
        "MODPIPE_STUCK_AFTER_S": str(settings.stuck_after_s),
        "MODPIPE_SWEEP_EVERY_S": str(settings.sweep_every_s),
        "MODPIPE_WEBHOOK_ALLOW_PRIVATE": "1" if settings.webhook_allow_private else "0",
        "PYTHONPATH": str(REPO),
    })
    env.update(extra)
    return env


def start_worker(settings, log_path: Path, threads: int = 2, **extra: str) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen([sys.executable, "-m", "modpipe", "worker", "--threads", str(threads)],
                            env=modpipe_env(settings, **extra), stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    return proc


def kill9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill9(proc)


class RedisServer:
    """A private redis-server with an append-only file, which a test may kill and restart."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            kill9(self.proc)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
