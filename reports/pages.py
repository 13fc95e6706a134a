"""The compliance pages: regulator reports with their workflow, violation reports with charts,
the audit log with its verification; and an organisation admin's own violation page.

Plain HTML forms (CSRF-checked by ``web_user``), post-redirect-get, server-drawn SVG charts:
nothing runs in the browser that the pages need. The same service functions as the API do the
work, so the audit log records the same things whichever way staff come in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from modpipe.accounts import Principal, Role
from modpipe.domain import Category
from modpipe.errors import InvalidInput, ModpipeError
from modpipe.web.auth import web_user
from modpipe.web.templates import render
from reports import api, audit, regulator, violations
from reports.models import ReportStatus

router = APIRouter(include_in_schema=False)

COMPLIANCE = web_user(Role.COMPLIANCE)
VIEWERS = web_user(Role.COMPLIANCE, Role.ADMIN)
ORG_ADMIN = web_user(Role.ORG_ADMIN)
STATUSES = (ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.ACKNOWLEDGED, ReportStatus.DISCARDED)
CHART_KINDS = ("trend", "category", "source", "org")


def _rt(request: Request):
    return request.app.state.rt


@router.get("/compliance")
def index(request: Request, status: str = "", p: Principal = Depends(VIEWERS)) -> Response:
    reports: list[dict[str, Any]] = []
    if p.role is Role.COMPLIANCE:
        rt = _rt(request)
        with rt.db.session() as s:
            found = regulator.query(s, status=status or None, limit=500)
            reports = [regulator.view(r, rt.settings.public_base_url) for r in found]
            audit.record(s, p.actor, "regulator_report.listed", target="regulator_reports", status=status or None,
                         count=len(reports))
    return render(request, "compliance/index.html", reports=reports, status=status, statuses=STATUSES,
                  can_read_reports=p.role is Role.COMPLIANCE)


@router.get("/compliance/export/regulator.{fmt}")
def export_reports(fmt: str, request: Request, status: str = "", p: Principal = Depends(COMPLIANCE)) -> Response:
    return api.export_regulator(request, p, api._format(fmt), status=status or None)


@router.get("/compliance/reports/{report_id}/evidence/{sha256}")
def report_evidence(report_id: str, sha256: str, request: Request, p: Principal = Depends(COMPLIANCE)) -> Response:
    return api.evidence_response(request, p, report_id, sha256)


@router.get("/compliance/export/audit.{fmt}")
def export_audit(fmt: str, request: Request, action: str = "", actor: str = "", org_id: str = "",
                 p: Principal = Depends(VIEWERS)) -> Response:
    return api.audit_export(request, p, api._format(fmt), org_id=org_id, action=action, actor=actor, limit=10_000)


@router.get("/compliance/reports/{report_id}.pdf")
def report_pdf(report_id: str, request: Request, p: Principal = Depends(COMPLIANCE)) -> Response:
    return api.pdf_response(request, p, report_id)


def _detail(request: Request, p: Principal, report_id: str, error: str | None = None, status_code: int = 200,
            record: bool = True) -> Response:
    rt = _rt(request)
    with rt.db.session() as s:
        r = regulator.get(s, report_id)
        v = regulator.view(r, rt.settings.public_base_url)
        versions = [regulator.view(x, rt.settings.public_base_url) for x in regulator.versions(s, r.chain_id)]
        latest = versions[-1]["id"] == r.id
        if record:
            audit.record(s, p.actor, "regulator_report.viewed", target=r.id, org_id=r.org_id)
    return render(request, "compliance/report.html", status_code=status_code, r=v, p=v["payload"], versions=versions,
                  latest=latest, error=error, editable=regulator.EDITABLE)


@router.get("/compliance/reports/{report_id}")
def report_page(report_id: str, request: Request, p: Principal = Depends(COMPLIANCE)) -> Response:
    return _detail(request, p, report_id)


def _fields(form) -> dict[str, str]:
    return {k: str(form.get(k)) for k in regulator.EDITABLE if form.get(k) is not None}


@router.post("/compliance/reports/{report_id}/{action}")
async def report_action(report_id: str, action: str, request: Request, p: Principal = Depends(COMPLIANCE)) -> Response:
    form = await request.form()
    rt = _rt(request)

    def run() -> str:
        with rt.db.session() as s:
            r = regulator.get(s, report_id)
            if action == "edit":
                out = regulator.update_draft(s, r, p.actor, _fields(form))
            elif action == "submit":
                out = regulator.submit(s, r, p.actor)
            elif action == "acknowledge":
                out = regulator.acknowledge(s, r, p.actor, str(form.get("regulator_ref", "")))
            elif action == "discard":
                out = regulator.discard(s, r, p.actor, str(form.get("reason", "")))
            elif action == "correct":
                changes = {k: v for k, v in _fields(form).items() if v != (r.payload or {}).get(k)}
                out = regulator.correct(s, r, p.actor, str(form.get("reason", "")), changes)
            else:
                raise InvalidInput(f"no action {action!r}")
            s.flush()
            return out.id

    try:
        target = await run_in_threadpool(run)
    except ModpipeError as e:
        if e.status >= 500:
            raise
        return await run_in_threadpool(_detail, request, p, report_id, str(e), e.status, False)
    return RedirectResponse(f"/compliance/reports/{target}", status_code=303)


def _violations_page(request: Request, p: Principal, template: str, f: violations.ViolationFilter,
                     base: str, **ctx: Any) -> Response:
    rt = _rt(request)
    with rt.db.session() as s:
        rep = violations.report(s, f)
        audit.record(s, p.actor, "violations.viewed", target="violations", org_id=f.org_id, filter=f.to_dict(),
                     rows=len(rep["rows"]))
    kinds = [k for k in CHART_KINDS if not (k == "org" and f.org_id)]
    query = urlencode({k: v for k, v in f.to_dict().items() if v})
    return render(request, template, rep=rep, f=f, charts={k: api.chart_svg(rep, k) for k in kinds},
                  categories=[c.value for c in Category], sources=violations.SOURCES, buckets=violations.BUCKETS,
                  query=query, base=base, **ctx)


@router.get("/compliance/violations")
def violations_page(request: Request, org_id: str = "", account: str = "", category: str = "", source: str = "",
                    since: str = "", until: str = "", bucket: str = "day", p: Principal = Depends(VIEWERS)) -> Response:
    try:
        f = api.make_filter(org_id, account, category, source, since, until, bucket)
    except InvalidInput as e:
        return render(request, "error.html", status_code=400, title="Invalid filter", message=str(e))
    return _violations_page(request, p, "compliance/violations.html", f, "/compliance/export/violations",
                            org_scope=None)


@router.get("/compliance/export/violations.{fmt}")
def export_violations(fmt: str, request: Request, org_id: str = "", account: str = "", category: str = "",
                      source: str = "", since: str = "", until: str = "", bucket: str = "day",
                      p: Principal = Depends(VIEWERS)) -> Response:
    f = api.make_filter(org_id, account, category, source, since, until, bucket)
    return api.violations_response(request, p, f, api._format(fmt))


@router.get("/org/violations")
def org_violations_page(request: Request, account: str = "", category: str = "", source: str = "", since: str = "",
                        until: str = "", bucket: str = "day", p: Principal = Depends(ORG_ADMIN)) -> Response:
    try:
        f = api.make_filter(p.org_id, account, category, source, since, until, bucket)
    except InvalidInput as e:
        return render(request, "error.html", status_code=400, title="Invalid filter", message=str(e))
    return _violations_page(request, p, "compliance/violations.html", f, "/org/export/violations", org_scope=p.org_id)


@router.get("/org/export/violations.{fmt}")
def org_export_violations(fmt: str, request: Request, account: str = "", category: str = "", source: str = "",
                          since: str = "", until: str = "", bucket: str = "day",
                          p: Principal = Depends(ORG_ADMIN)) -> Response:
    f = api.make_filter(p.org_id, account, category, source, since, until, bucket)
    return api.violations_response(request, p, f, api._format(fmt))


@router.get("/org/data")
def org_data_page(request: Request, p: Principal = Depends(ORG_ADMIN)) -> Response:
    """Clause 5.1: the organisation's deletion requests and their answers, and the form for a new one."""
    from sqlalchemy import select

    from modpipe.models import Organization
    from reports.models import DeletionRequest

    with _rt(request).db.session() as s:
        org = s.get(Organization, p.org_id)
        answers = [d.answer for d in s.scalars(select(DeletionRequest).where(DeletionRequest.org_id == p.org_id)
                                               .order_by(DeletionRequest.requested_at.desc()))]
        audit.record(s, p.actor, "deletions.viewed", target=f"org:{p.org_id}", org_id=p.org_id)
    return render(request, "compliance/org_data.html", org=org, answers=answers, answer=None, error=None)


@router.post("/org/data")
async def org_data_request(request: Request, p: Principal = Depends(ORG_ADMIN)) -> Response:
    from modpipe.models import Organization
    from reports.deletion import delete_org_data

    form = await request.form()
    closure = form.get("closure") == "yes"
    rt = _rt(request)
    with rt.db.session() as s:
        org = s.get(Organization, p.org_id)
    if closure and str(form.get("confirm", "")).strip() != org.name:
        return render(request, "compliance/org_data.html", status_code=400, org=org, answers=[], answer=None,
                      error="To close the account, type the organisation's name exactly as shown.")
    ids = [x for x in str(form.get("item_ids", "")).split() if x] or None
    try:
        answer = await run_in_threadpool(delete_org_data, rt, p.org_id, p.actor, closure=closure,
                                         reason=str(form.get("reason", "")) or None, item_ids=ids)
    except ModpipeError as e:
        if e.status >= 500:
            raise
        return render(request, "compliance/org_data.html", status_code=e.status, org=org, answers=[], answer=None,
                      error=str(e))
    return render(request, "compliance/org_data.html", org=org, answers=[], answer=answer, error=None)


@router.get("/compliance/audit")
def audit_page(request: Request, action: str = "", actor: str = "", org_id: str = "",
               p: Principal = Depends(VIEWERS)) -> Response:
    rt = _rt(request)
    with rt.db.session() as s:
        result = audit.verify(s)
    with rt.db.session() as s:
        audit.record(s, p.actor, "audit.verified", target="audit_log", ok=result.ok, checked=result.checked)
        found = [audit.entry_view(e) for e in audit.entries(s, action=action or None, actor=actor or None,
                                                             org_id=org_id or None, limit=200)]
    return render(request, "compliance/audit.html", result=result, entries=found, action=action, actor=actor,
                  org_id=org_id)
