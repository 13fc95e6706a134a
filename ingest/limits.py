"""Request body limits enforced while the body streams in, before anything is parsed or stored."""

from __future__ import annotations

from modpipe.errors import TooLarge
from modpipe.settings import Limits


class BodyLimit:
    """ASGI middleware: uploads to ``/v1/items`` may be up to ``max_upload_bytes``, every
    other request body up to ``max_json_bytes``. A declared Content-Length over the limit is
    refused at once; a body that grows past it while streaming is cut off with the same 413."""

    def __init__(self, app, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def limit_for(self, path: str) -> int:
        return self.limits.max_upload_bytes if path.rstrip("/") == "/v1/items" else self.limits.max_json_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    return await _send_413(send, limit)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(f"request body is over the {limit} byte limit for this endpoint")
            return message

        return await self.app(scope, limited_receive, send)


async def _send_413(send, limit: int) -> None:
    import json

    body = json.dumps({
        "type": "about:blank", "title": "Payload too large", "status": 413,
        "detail": f"request body is over the {limit} byte limit for this endpoint",
    }).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
