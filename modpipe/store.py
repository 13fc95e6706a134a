"""Object store for originals: each stored once, addressed by its SHA-256.

:class:`LocalStore` keeps files under the data directory (embedded shape);
:class:`S3Store` talks to MinIO or any S3 server through the ``minio`` client
(scaled shape). Both write atomically: a reader never sees half an object.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from modpipe.errors import InvalidInput, NotFound
from modpipe.settings import S3Settings, Settings

_SHA = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check(sha: str) -> str:
    # The digest becomes a path or an object key: accept nothing but 64 hex digits.
    if not _SHA.match(sha):
        raise InvalidInput(f"{sha!r} is not a SHA-256 hex digest")
    return sha


class ObjectStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` once and return its SHA-256; storing it again is a no-op."""

    def get(self, sha: str) -> bytes: ...

    def exists(self, sha: str) -> bool: ...

    def delete(self, sha: str) -> None: ...

    def ping(self) -> None: ...


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, sha: str) -> Path:
        _check(sha)
        return self.root / sha[:2] / sha[2:4] / sha

    def put(self, data: bytes) -> str:
        sha = sha256_hex(data)
        path = self._path(sha)
        if path.exists():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha: str) -> bytes:
        try:
            return self._path(sha).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"object {sha} is not in the store at {self.root}") from None

    def exists(self, sha: str) -> bool:
        return self._path(sha).exists()

    def delete(self, sha: str) -> None:
        self._path(sha).unlink(missing_ok=True)

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"object store {self.root} is not writable")


class S3Store:
    def __init__(self, cfg: S3Settings) -> None:
        from minio import Minio  # imported here: the embedded shape never needs it

        self.bucket = cfg.bucket
        self.client = Minio(cfg.endpoint, access_key=cfg.access_key, secret_key=cfg.secret_key, secure=cfg.secure)
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    @staticmethod
    def _key(sha: str) -> str:
        return f"objects/{_check(sha)[:2]}/{sha}"

    def put(self, data: bytes) -> str:
        sha = sha256_hex(data)
        if not self.exists(sha):
            self.client.put_object(self.bucket, self._key(sha), io.BytesIO(data), len(data),
                                   content_type="application/octet-stream")
        return sha

    def get(self, sha: str) -> bytes:
        from minio.error import S3Error

        try:
            resp = self.client.get_object(self.bucket, self._key(sha))
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchObject"):
                raise NotFound(f"object {sha} is not in bucket {self.bucket}") from None
            raise
        try:
            return resp.read()
        finally:
            resp.close()
            resp.release_conn()

    def exists(self, sha: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, self._key(sha))
            return True
        except S3Error as e:
            if e.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                return False
            raise

    def delete(self, sha: str) -> None:
        self.client.remove_object(self.bucket, self._key(sha))

    def ping(self) -> None:
        self.client.bucket_exists(self.bucket)


def open_store(settings: Settings) -> ObjectStore:
    return S3Store(settings.s3) if settings.s3 else LocalStore(settings.objects_dir)
