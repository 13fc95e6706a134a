"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from modpipe.metrics import REGISTRY

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict:
    """The process is up. Readiness (its dependencies) is /readyz."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    rt = request.app.state.rt
    checks: dict[str, str] = {}
    for name, probe in (("database", rt.db.ping), ("broker", lambda: rt.broker.client.ping()), ("store", rt.store.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as e:  # any failure means not ready; say which and why
            checks[name] = f"error: {type(e).__name__}: {e}"[:300]
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
