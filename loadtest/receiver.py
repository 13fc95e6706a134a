"""A webhook receiver on 127.0.0.1 that checks every signature, as a platform would.

It can answer a scripted status first (``fail_first`` times 500) to prove retries
with backoff, and records each delivery's arrival time, item id and whether its
signature verified.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workers.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass
class Delivery:
    at: float
    item_id: str | None
    signature_ok: bool
    answered: int
    host: str | None = None  # the Host header: the name the sender was given, whatever address it used


@dataclass
class Receiver:
    secret: str
    fail_first: int = 0
    hang_first_s: float = 0.0  # hold the first request this long before answering (a sender killed meanwhile)
    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hung: bool = False
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                ok = verify(receiver.secret, self.headers.get(TIMESTAMP_HEADER, ""), body,
                            self.headers.get(SIGNATURE_HEADER, ""))
                try:
                    item_id = json.loads(body)["item"]["id"]
                except (ValueError, KeyError, TypeError):
                    item_id = None
                with receiver._lock:
                    first = not receiver.deliveries and not receiver._hung
                    receiver._hung = receiver._hung or first
                if first and receiver.hang_first_s:
                    time.sleep(receiver.hang_first_s)
                    return  # never answered: the connection is dropped
                with receiver._lock:
                    failing = len(receiver.deliveries) < receiver.fail_first
                    code = 500 if failing else (200 if ok else 401)
                    host = self.headers.get("Host")
                    receiver.deliveries.append(Delivery(time.time(), item_id, ok, code, host))
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

            def handle(self):
                try:
                    super().handle()
                except OSError:  # the sender went away mid-request (a killed worker)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def delivered_items(self) -> set[str]:
        with self._lock:
            return {d.item_id for d in self.deliveries if d.answered == 200 and d.item_id}
