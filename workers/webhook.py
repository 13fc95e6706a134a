"""Signed webhooks: HMAC-SHA256 over ``timestamp.body`` with the organisation's secret, sent
only to vetted addresses.

The receiver recomputes ``hex(hmac_sha256(secret, f"{timestamp}.{body}"))`` and
compares it with ``X-Modpipe-Signature: sha256=<hex>``, and rejects stale timestamps.
:func:`send` resolves the host, refuses it if any address it resolves to is one a webhook may not
reach (:mod:`modpipe.callbacks`), and connects to a vetted address itself, so DNS rebinding between
the check and the connection cannot reach a private address.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from typing import Any

import httpx

from modpipe.callbacks import check_url, vet_addresses

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


def send(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float = 10.0,
         resolve=socket.getaddrinfo) -> httpx.Response:
    """POST ``body`` to ``url`` over a connection to an address vetted after DNS. Raises
    :class:`~modpipe.errors.RefusedCallback` for a URL or address a webhook may not reach,
    ``OSError`` when the name does not resolve now, ``httpx.HTTPError`` when the receiver does not answer.

    The request names the original host (``Host``, and TLS SNI and certificate checks for https);
    redirects are not followed and proxy settings from the environment are not used: either would
    send it to an address nobody vetted.
    """
    target = check_url(url, allow_private)
    address = vet_addresses(target, allow_private, resolve)[0]
    extensions = {"sni_hostname": target.raw_host.decode("ascii")} if target.scheme == "https" else {}
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        return client.post(target.copy_with(host=address), content=body, extensions=extensions,
                           headers={**headers, "Host": target.netloc.decode("ascii")})
