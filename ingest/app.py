"""The FastAPI application: routers, problem+json errors, body limits."""

from __future__ import annotations

from fastapi import FastAPI

from ingest import health, items, problems, terms
from ingest.limits import BodyLimit
from modpipe import __version__, web
from modpipe.metrics import install_state_collector
from modpipe.runtime import Runtime
from reports import api as compliance_api
from reports import pages as compliance_pages
from review_queue import api as review_api
from review_queue import org_pages
from review_queue import pages as review_pages


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="modpipe", version=__version__,
                  description="Content moderation for an open charity platform: ingest, review, compliance.")
    app.state.rt = rt
    problems.install(app)
    app.include_router(health.router)
    app.include_router(items.router)
    app.include_router(terms.router)
    web.install(app)
    app.include_router(review_api.router)
    app.include_router(review_pages.router)
    app.include_router(org_pages.router)
    app.include_router(compliance_api.router)
    app.include_router(compliance_pages.router)
    app.add_middleware(BodyLimit, limits=rt.settings.limits)
    app.add_middleware(health.RequestTimer)
    install_state_collector(rt)
    return app
