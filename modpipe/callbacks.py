"""Where a webhook may go: http(s) to public addresses, so a callback URL cannot turn the workers
against the network they run in (SSRF: the database, Redis, the object store, a cloud's metadata
service).

Checked twice. At ingest (:func:`check_url`), on the URL as written: the scheme, and a host that is
an address (every IPv4 spelling ``inet_aton`` accepts, IPv4 inside IPv6) or a name that is always
local (``localhost``). At delivery (:func:`vet_addresses`), on every address the host resolves to
now; the sender then connects to a vetted address, so a second DNS answer (rebinding) cannot send
the request elsewhere. Both use httpx's URL parser, the one the sender uses.

``MODPIPE_WEBHOOK_ALLOW_PRIVATE=1`` (on-premises receivers, the tests' receiver on 127.0.0.1)
allows loopback, private and link-local addresses; never the metadata services, the unspecified
address or multicast, and never another scheme.
"""

from __future__ import annotations

import re
import socket
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpx

from modpipe.errors import RefusedCallback

SCHEMES = ("http", "https")
# AWS/GCP/Azure/OpenStack (and AWS's IPv6 one), Alibaba Cloud: never a webhook receiver.
METADATA = frozenset(ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.tencentyun.com"})
NAT64 = ip_network("64:ff9b::/96")
_LEGACY_V4 = re.compile(r"[0-9a-fx.]+")  # 2130706433, 0x7f.1, 127.1: inet_aton reads them all as IPv4

Address = IPv4Address | IPv6Address


def _embedded_v4(ip: IPv6Address) -> list[IPv4Address]:
    out = [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None) if a is not None]
    if ip in NAT64:
        out.append(IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def address_refusal(ip: Address, allow_private: bool) -> str | None:
    """Why a webhook may not go to ``ip``, or None when it may."""
    if isinstance(ip, IPv6Address):
        for inner in _embedded_v4(ip):
            why = address_refusal(inner, allow_private)
            if why:
                return why
    if ip in METADATA:
        return "a cloud metadata service"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if allow_private:
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private network address"
    if not ip.is_global:
        return "not a public address"
    return None


def _literal(host: str) -> Address | None:
    try:
        return ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _LEGACY_V4.fullmatch(host):
        try:
            return IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _refuse(url: str, why: str) -> RefusedCallback:
    return RefusedCallback(f"'callback_url' {url[:200]!r} is refused: {why}. Webhooks go to public "
                           "http(s) addresses; an operator can allow private networks with "
                           "MODPIPE_WEBHOOK_ALLOW_PRIVATE=1")


def check_url(url: str, allow_private: bool) -> httpx.URL:
    """The parsed URL if a webhook may be sent there as far as the URL itself tells; raises
    :class:`RefusedCallback` naming why not. (Names are resolved at delivery, not here.)"""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as e:
        raise _refuse(url, f"it is not a URL ({e})") from None
    if parsed.scheme not in SCHEMES:
        raise _refuse(url, f"the scheme is {parsed.scheme or 'missing'!r}, not http or https")
    host = parsed.raw_host.decode("ascii").rstrip(".").lower()
    if not host:
        raise _refuse(url, "it has no host")
    if host in METADATA_NAMES:
        raise _refuse(url, f"{host} is a cloud metadata service")
    literal = _literal(host)
    if literal is not None:
        why = address_refusal(literal, allow_private)
        if why:
            raise _refuse(url, f"{host} is {why}")
    elif not allow_private and (host == "localhost" or host.endswith(".localhost")):
        raise _refuse(url, f"{host} is a loopback name")
    return parsed


def vet_addresses(url: httpx.URL, allow_private: bool, resolve=socket.getaddrinfo) -> list[str]:
    """Every address ``url``'s host resolves to, once every one of them passes; otherwise raises
    :class:`RefusedCallback` (one private answer among public ones is enough to refuse).
    A failed look-up raises ``OSError`` (``socket.gaierror``): worth trying again later."""
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    found = []
    for *_, sockaddr in resolve(host, port, type=socket.SOCK_STREAM):
        addr = str(sockaddr[0])
        why = address_refusal(ip_address(addr.split("%", 1)[0]), allow_private)
        if why:
            raise _refuse(str(url), f"{host} resolves to {addr}, {why}")
        found.append(addr)
    if not found:
        raise socket.gaierror(f"{host} resolved to no address")
    return list(dict.fromkeys(found))
