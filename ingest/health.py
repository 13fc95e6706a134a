"""Liveness, readiness and metrics.

``/healthz`` says the process answers; ``/readyz`` says it can do its job (database,
broker and object store each answer within a bound), so a load balancer stops
sending uploads to an API whose database or broker is gone; ``/metrics`` is
Prometheus text, and :class:`RequestTimer` feeds it the API's own time per route.
"""

from __future__ import annotations

import concurrent.futures
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from modpipe.metrics import HTTP_SECONDS, REGISTRY

# A dependency that hangs (a stopped Redis, a firewalled database) must make readiness fail, not hang.
PROBE_TIMEOUT_S = 2.0
_probes = concurrent.futures.ThreadPoolExecutor(max_workers=3, thread_name_prefix="modpipe-readyz")

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict:
    """The process is up. Readiness (its dependencies) is /readyz."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    rt = request.app.state.rt
    checks: dict[str, str] = {}
    probes = {"database": rt.db.ping, "broker": lambda: rt.broker.client.ping(), "store": rt.store.ping}
    futures = {name: _probes.submit(probe) for name, probe in probes.items()}
    for name, fut in futures.items():
        try:
            fut.result(timeout=PROBE_TIMEOUT_S)
            checks[name] = "ok"
        except concurrent.futures.TimeoutError:
            checks[name] = f"error: no answer within {PROBE_TIMEOUT_S}s"
        except Exception as e:  # any failure means not ready; say which and why
            checks[name] = f"error: {type(e).__name__}: {e}"[:300]
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class RequestTimer:
    """ASGI middleware: seconds per request by method, route template and status."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = {"code": 500}

        async def timed_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            HTTP_SECONDS.labels(scope["method"], path, str(status["code"])).observe(time.perf_counter() - start)
