"""Signed webhooks: HMAC-SHA256 over ``timestamp.body`` with the organisation's secret.

The receiver recomputes ``hex(hmac_sha256(secret, f"{timestamp}.{body}"))`` and
compares it with ``X-Modpipe-Signature: sha256=<hex>``, and rejects stale timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

SIGNATURE_HEADER = "X-Modpipe-Signature"
TIMESTAMP_HEADER = "X-Modpipe-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age_s: int = 300, now: float | None = None) -> bool:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > max_age_s:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def signed_request(secret: str, payload: dict[str, Any], now: float | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    ts = int(now if now is not None else time.time())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, ts, body),
        TIMESTAMP_HEADER: str(ts),
        "User-Agent": "modpipe-webhook/1",
    }
    return body, headers
