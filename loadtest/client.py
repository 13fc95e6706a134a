"""A bounded, open-loop upload client for the loopback only.

Requests are scheduled at a fixed rate (item ``i`` is due at ``start + i/rate``),
whatever the server's speed, so a slow server shows as latency and backlog rather
than as a politely slower client; at most ``max_in_flight`` are open at once (past
that the client records how far it fell behind). The count and duration are
bounded and the target must be a loopback address.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import json
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


TEXTS = [
    "周末在社区图书馆举办亲子阅读活动，欢迎家长带孩子参加。",
    "感谢各位爱心人士，本月助学项目共收到捐款三万二千元。",
    "我们正在招募养老院探访志愿者，每周六上午九点集合。",
    "山区小学的新书架已经装好，孩子们很开心。",
    "Volunteers needed for the river clean-up this Sunday morning.",
    "义卖活动所得将全部用于支持乡村儿童营养午餐计划。",
    "本周环保讲座改到周四晚上七点，地点不变。",
    "加微信领取免费福利，名额有限先到先得！",
]


def check_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if not ok:
        raise ValueError(f"the load client only targets the loopback, not {host!r}")


def make_images(n: int, seed: int = 7) -> list[bytes]:
    """Small distinct PNG posters (noise + a block), a few KB each."""
    from PIL import Image

    rng = random.Random(seed)
    out = []
    for i in range(n):
        img = Image.new("RGB", (96, 96), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
        px = img.load()
        for _ in range(400):
            px[rng.randrange(96), rng.randrange(96)] = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        buf = io.BytesIO()
        img.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


@dataclass
class Sent:
    index: int
    kind: str
    due: float  # wall-clock time the request was due
    t_send: float  # wall-clock time it was sent
    t_resp: float = 0.0
    status: int = 0
    item_id: str | None = None
    error: str | None = None
    retries: int = 0
    callback: bool = False

    @property
    def accepted(self) -> bool:
        return self.status == 202 and self.item_id is not None


@dataclass
class LoadResult:
    sent: list[Sent] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    max_lag_s: float = 0.0

    @property
    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if s.accepted]


class _Pool:
    """Keep-alive HTTP/1.1 connections written by hand: httpx's client cost more CPU per request
    than the API did (the first 'bottleneck' the load test found was itself), and on 2 cores
    the client's CPU is taken from the server's."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.idle: asyncio.Queue = asyncio.Queue()
        for _ in range(size):
            self.idle.put_nowait(None)  # a slot; the connection opens on first use

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        conn = await self.idle.get()
        try:
            if conn is None:
                conn = await asyncio.open_connection(self.host, self.port)
            reader, writer = conn
            writer.write(head + body)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionError("the server closed the connection")
            status = int(status_line.split()[1])
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            data = await reader.readexactly(length) if length else b""
            if close:
                writer.close()
                conn = None
            return status, data
        except BaseException:
            if conn is not None:
                conn[1].close()
            conn = None
            raise
        finally:
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        while not self.idle.empty():
            conn = self.idle.get_nowait()
            if conn is not None:
                conn[1].close()


BOUNDARY = "modpipe-load-boundary-7f3a"


def json_request(host: str, api_key: str, body: dict) -> tuple[bytes, bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    head = (f"POST /v1/items HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {api_key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode()
    return head, data


def multipart_request(host: str, api_key: str, fields: dict, filename: str, content: bytes, ctype: str) -> tuple[bytes, bytes]:
    parts = []
    for k, v in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    data = b"".join(parts)
    head = (f"POST /v1/items HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {api_key}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len(data)}\r\n\r\n").encode()
    return head, data


async def _drive(base_url: str, api_key: str, rate: float, duration: float, image_share: float,
                 max_in_flight: int, prefix: str, images: list[bytes], seed: int, retries: int,
                 retry_delay_s: float, stop: threading.Event | None, callback_url: str | None,
                 callback_share: float) -> LoadResult:
    check_loopback(base_url)
    parts = urlsplit(base_url)
    host = f"{parts.hostname}:{parts.port}"
    total = int(rate * duration)
    rng = random.Random(seed)
    result = LoadResult()
    gate = asyncio.Semaphore(max_in_flight)
    pool = _Pool(parts.hostname, parts.port, max_in_flight)

    async def one(s: Sent, head: bytes, body: bytes) -> None:
        try:
            for attempt in range(retries + 1):
                if attempt:
                    s.retries += 1
                    await asyncio.sleep(retry_delay_s * attempt)
                try:
                    status, data = await asyncio.wait_for(pool.request(head, body), timeout=30)
                except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as e:
                    s.status, s.error = 0, f"{type(e).__name__}: {e}"[:200]
                    continue  # the same external id again: the server answers the same item if it has one
                s.status = status
                if status == 202:
                    s.item_id, s.error = json.loads(data)["id"], None
                    return
                s.error = data[:200].decode("utf-8", "replace")
                if status < 500:
                    return
        finally:
            s.t_resp = time.time()
            gate.release()

    tasks = []
    result.started = start = time.time()
    for i in range(total):
        if stop is not None and stop.is_set():
            break
        if time.time() > start + duration:
            break  # the run is bounded in time too: a server that cannot keep up shows as uploads not sent
        due = start + i / rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await gate.acquire()
        now = time.time()
        result.max_lag_s = max(result.max_lag_s, now - due)
        ext = f"{prefix}-{i}"
        fields = {"external_id": ext, "user_id": f"user{rng.randrange(500)}"}
        if callback_url and rng.random() < callback_share:
            fields["callback_url"] = callback_url
        if rng.random() < image_share:
            s = Sent(i, "image", due, now)
            head, body = multipart_request(host, api_key, fields, f"poster{i}.png", images[i % len(images)], "image/png")
        else:
            s = Sent(i, "text", due, now)
            head, body = json_request(host, api_key, {**fields, "kind": "text", "text": f"{TEXTS[i % len(TEXTS)]}（#{i}）"})
        s.callback = "callback_url" in fields
        result.sent.append(s)
        tasks.append(asyncio.create_task(one(s, head, body)))
    await asyncio.gather(*tasks)
    await pool.close()
    result.finished = time.time()
    return result


def run_load(base_url: str, api_key: str, *, rate: float, duration: float, image_share: float = 0.1,
             max_in_flight: int = 64, prefix: str = "load", images: list[bytes] | None = None,
             seed: int = 1, retries: int = 0, retry_delay_s: float = 0.5,
             stop: threading.Event | None = None, callback_url: str | None = None,
             callback_share: float = 0.0) -> LoadResult:
    """Send ``rate * duration`` uploads (``image_share`` of them PNG posters); with ``retries``,
    a connection error or 5xx is retried with the same external id, as an upload path would."""
    if rate <= 0 or duration <= 0 or rate * duration > 1_000_000:
        raise ValueError("a load run needs 0 < rate*duration <= 1,000,000 requests")
    images = images or make_images(32)
    return asyncio.run(_drive(base_url, api_key, rate, duration, image_share, max_in_flight, prefix, images,
                              seed, retries, retry_delay_s, stop, callback_url, callback_share))
