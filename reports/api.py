"""HTTP for compliance: regulator reports and their workflow, violation reports, the audit log,
deletion requests. Every read, export, transition and deletion is written to the audit log in
the same transaction as the work it records.

Who sees what: regulator reports are for compliance staff only (not moderators, not
organisations); violation reports for compliance staff and platform admins, and an
organisation's own for its admin; the audit log for compliance staff and platform admins.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from ingest.auth import principal, staff
from modpipe.accounts import Principal, Role
from modpipe.errors import Forbidden, InvalidInput, NotFound
from reports import audit, charts, exports, regulator, violations
from reports.deletion import delete_org_data
from reports.models import DeletionRequest, EvidenceCopy

router = APIRouter(prefix="/v1", tags=["compliance"])

compliance_only = staff(Role.COMPLIANCE)
compliance_or_admin = staff(Role.COMPLIANCE, Role.ADMIN)


def _rt(request: Request):
    return request.app.state.rt


def _format(fmt: str) -> str:
    if fmt not in ("json", "csv"):
        raise InvalidInput(f"format={fmt!r}; use json or csv")
    return fmt


def _attachment(body: str | bytes, media: str, filename: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- regulator reports -------------------------------------------------------------------------

@router.get("/reports/regulator")
def list_regulator_reports(request: Request, format: str = "json", status: str | None = None,
                           org_id: str | None = None, since: str | None = None, until: str | None = None,
                           latest: bool = False, p: Principal = Depends(compliance_only)) -> Response:
    return export_regulator(request, p, _format(format), status, org_id, since, until, latest)


def export_regulator(request: Request, p: Principal, fmt: str, status: str | None = None, org_id: str | None = None,
                     since: str | None = None, until: str | None = None, latest: bool = False) -> Response:
    """The regulator reports as JSON or CSV (shared by the API and the compliance pages)."""
    rt = _rt(request)
    with rt.db.session() as s:
        found = regulator.query(s, status=status or None, org_id=org_id or None,
                                since=violations.parse_time(since, "since"),
                                until=violations.parse_time(until, "until"), latest_only=latest)
        views = [regulator.view(r, rt.settings.public_base_url) for r in found]
        audit.record(s, p.actor, "regulator_report.exported", target="regulator_reports", format=fmt,
                     count=len(views), filter={"status": status, "org_id": org_id, "since": since, "until": until})
    if fmt == "csv":
        return _attachment(exports.regulator_csv(views), "text/csv; charset=utf-8", "regulator-reports.csv")
    return JSONResponse({"count": len(views), "reports": views})


@router.get("/reports/regulator/{report_id}.pdf")
def regulator_report_pdf(report_id: str, request: Request, p: Principal = Depends(compliance_only)) -> Response:
    return pdf_response(request, p, report_id)


def pdf_response(request: Request, p: Principal, report_id: str) -> Response:
    from reports.pdf import render

    rt = _rt(request)
    with rt.db.session() as s:
        v = regulator.view(regulator.get(s, report_id), rt.settings.public_base_url)
        audit.record(s, p.actor, "regulator_report.exported", target=report_id, org_id=v["org_id"], format="pdf")
    return Response(render(v), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="regulator-report-{report_id}-v{v["version"]}.pdf"'})


@router.get("/reports/regulator/{report_id}")
def get_regulator_report(report_id: str, request: Request, p: Principal = Depends(compliance_only)) -> dict:
    rt = _rt(request)
    with rt.db.session() as s:
        r = regulator.get(s, report_id)
        audit.record(s, p.actor, "regulator_report.viewed", target=r.id, org_id=r.org_id)
        return regulator.view(r, rt.settings.public_base_url)


def _act(request: Request, report_id: str, fn) -> dict:
    rt = _rt(request)
    with rt.db.session() as s:
        r = fn(s, regulator.get(s, report_id))
        s.flush()
        return regulator.view(r, rt.settings.public_base_url)


@router.patch("/reports/regulator/{report_id}")
def edit_regulator_report(report_id: str, request: Request, body: dict[str, Any] = Body(...),
                          p: Principal = Depends(compliance_only)) -> dict:
    return _act(request, report_id, lambda s, r: regulator.update_draft(s, r, p.actor, body))


@router.post("/reports/regulator/{report_id}/submit")
def submit_regulator_report(report_id: str, request: Request, p: Principal = Depends(compliance_only)) -> dict:
    return _act(request, report_id, lambda s, r: regulator.submit(s, r, p.actor))


@router.post("/reports/regulator/{report_id}/acknowledge")
def acknowledge_regulator_report(report_id: str, request: Request, body: dict[str, Any] = Body(...),
                                 p: Principal = Depends(compliance_only)) -> dict:
    return _act(request, report_id, lambda s, r: regulator.acknowledge(s, r, p.actor, body.get("regulator_ref")))


@router.post("/reports/regulator/{report_id}/discard")
def discard_regulator_report(report_id: str, request: Request, body: dict[str, Any] = Body(...),
                             p: Principal = Depends(compliance_only)) -> dict:
    return _act(request, report_id, lambda s, r: regulator.discard(s, r, p.actor, body.get("reason")))


@router.post("/reports/regulator/{report_id}/versions", status_code=201)
def correct_regulator_report(report_id: str, request: Request, body: dict[str, Any] = Body(...),
                             p: Principal = Depends(compliance_only)) -> dict:
    return _act(request, report_id,
                lambda s, r: regulator.correct(s, r, p.actor, body.get("reason"), body.get("changes") or {}))


@router.get("/reports/regulator/{report_id}/versions")
def regulator_report_versions(report_id: str, request: Request, p: Principal = Depends(compliance_only)) -> dict:
    rt = _rt(request)
    with rt.db.session() as s:
        r = regulator.get(s, report_id)
        vs = [regulator.view(x, rt.settings.public_base_url) for x in regulator.versions(s, r.chain_id)]
        audit.record(s, p.actor, "regulator_report.viewed", target=r.chain_id, org_id=r.org_id, versions=len(vs))
    return {"chain_id": r.chain_id, "versions": vs}


@router.get("/reports/regulator/{report_id}/evidence/{sha256}")
def regulator_report_evidence(report_id: str, sha256: str, request: Request,
                              p: Principal = Depends(compliance_only)) -> Response:
    return evidence_response(request, p, report_id, sha256)


def evidence_response(request: Request, p: Principal, report_id: str, sha256: str) -> Response:
    """A sealed original, served as a download (never rendered inline: it is user content)."""
    from sqlalchemy import select

    rt = _rt(request)
    with rt.db.session() as s:
        r = regulator.get(s, report_id)
        ev = s.scalar(select(EvidenceCopy).where(EvidenceCopy.chain_id == r.chain_id, EvidenceCopy.sha256 == sha256))
        if ev is None:
            raise NotFound(f"report {report_id} holds no original {sha256!r}")
        audit.record(s, p.actor, "regulator_report.evidence_read", target=r.id, org_id=r.org_id, sha256=sha256)
    data = rt.store.get(sha256)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{sha256}"', "X-Content-SHA256": sha256,
                             "X-Original-Content-Type": ev.mime or "application/octet-stream"})


@router.get("/reports/items/{item_id}")
def item_compliance_record(item_id: str, request: Request, p: Principal = Depends(compliance_only)) -> dict:
    """Any item's record as it stands: what was found, decided, by whom, on what evidence, and
    every audit entry that names it."""
    from sqlalchemy import or_, select

    from modpipe.models import Item
    from reports.models import AuditEntry

    rt = _rt(request)
    with rt.db.session() as s:
        item = s.get(Item, item_id)
        if item is None:
            raise NotFound(f"no item {item_id!r}")
        out = regulator.item_record(s, item)
        out["regulator_reports"] = [
            {"id": r.id, "version": r.version, "status": r.status, "clause": r.clause}
            for r in regulator.query(s, item_id=item.id)]
        trail = s.scalars(select(AuditEntry).where(or_(
            AuditEntry.details["item_id"].as_string() == item.id,
            AuditEntry.target.in_([item.id, f"item:{item.id}"]))).order_by(AuditEntry.seq))
        out["audit"] = [audit.entry_view(e) for e in trail]
        audit.content_viewed(s, p, item, "api:reports.item")
    return out


# --- violation reports -------------------------------------------------------------------------

def make_filter(org_id, account, category, source, since, until, bucket) -> violations.ViolationFilter:
    """A filter from query parameters; empty strings (from an HTML form) mean 'any'."""
    org_id, account, category, source = (x or None for x in (org_id, account, category, source))
    return violations.ViolationFilter(org_id=org_id, account=account, category=category, source=source,
                                      since=violations.parse_time(since, "since"),
                                      until=violations.parse_time(until, "until"), bucket=bucket)


def violations_response(request: Request, p: Principal, f: violations.ViolationFilter, fmt: str) -> Response:
    rt = _rt(request)
    with rt.db.session() as s:
        rep = violations.report(s, f)
        audit.record(s, p.actor, "violations.exported", target="violations", org_id=f.org_id, format=fmt,
                     filter=f.to_dict(), rows=len(rep["rows"]))
    if fmt == "csv":
        return _attachment(exports.violations_csv(rep), "text/csv; charset=utf-8", "violations.csv")
    return JSONResponse(rep)


def chart_response(request: Request, p: Principal, f: violations.ViolationFilter, kind: str) -> Response:
    rt = _rt(request)
    with rt.db.session() as s:
        rep = violations.report(s, f)
        audit.record(s, p.actor, "violations.viewed", target=f"chart:{kind}", org_id=f.org_id, filter=f.to_dict())
    return Response(chart_svg(rep, kind), media_type="image/svg+xml")


def chart_svg(rep: dict[str, Any], kind: str) -> str:
    if kind == "trend":
        return charts.trend(rep["series"], f"Blocked items per {rep['filter']['bucket']}")
    if kind == "category":
        return charts.bars(rep["by_category"], "By category")
    if kind == "source":
        return charts.bars(rep["by_source"], "By decision source")
    if kind == "org":
        return charts.bars({(o["name"] or o["org_id"]): o["items"] for o in rep["by_org"]}, "By organisation")
    raise InvalidInput(f"chart {kind!r}; use trend, category, source or org")


@router.get("/reports/violations")
def violation_report(request: Request, format: str = "json", org_id: str | None = None, account: str | None = None,
                     category: str | None = None, source: str | None = None, since: str | None = None,
                     until: str | None = None, bucket: str = "day",
                     p: Principal = Depends(compliance_or_admin)) -> Response:
    fmt = _format(format)
    return violations_response(request, p, make_filter(org_id, account, category, source, since, until, bucket), fmt)


@router.get("/reports/violations/chart/{kind}.svg")
def violation_chart(kind: str, request: Request, org_id: str | None = None, account: str | None = None,
                    category: str | None = None, source: str | None = None, since: str | None = None,
                    until: str | None = None, bucket: str = "day", p: Principal = Depends(compliance_or_admin)) -> Response:
    return chart_response(request, p, make_filter(org_id, account, category, source, since, until, bucket), kind)


def own_org(org_id: str, p: Principal = Depends(principal)) -> Principal:
    """Compliance staff and platform admins for any organisation; an organisation's admin for its own."""
    if p.kind == "staff" and p.role in (Role.COMPLIANCE, Role.ADMIN):
        return p
    if p.kind == "staff" and p.role is Role.ORG_ADMIN and p.org_id == org_id:
        return p
    raise Forbidden("this needs the organisation's own admin (or compliance staff)")


@router.get("/orgs/{org_id}/violations")
def org_violation_report(org_id: str, request: Request, format: str = "json", account: str | None = None,
                         category: str | None = None, source: str | None = None, since: str | None = None,
                         until: str | None = None, bucket: str = "day", p: Principal = Depends(own_org)) -> Response:
    fmt = _format(format)
    return violations_response(request, p, make_filter(org_id, account, category, source, since, until, bucket), fmt)


@router.get("/orgs/{org_id}/violations/chart/{kind}.svg")
def org_violation_chart(org_id: str, kind: str, request: Request, account: str | None = None,
                        category: str | None = None, source: str | None = None, since: str | None = None,
                        until: str | None = None, bucket: str = "day", p: Principal = Depends(own_org)) -> Response:
    if kind == "org":
        raise InvalidInput("an organisation's report has no per-organisation chart; use trend, category or source")
    return chart_response(request, p, make_filter(org_id, account, category, source, since, until, bucket), kind)


# --- deletion requests -------------------------------------------------------------------------

def org_admin_or_platform_admin(org_id: str, p: Principal = Depends(principal)) -> Principal:
    if p.kind == "staff" and p.role is Role.ADMIN:
        return p
    if p.kind == "staff" and p.role is Role.ORG_ADMIN and p.org_id == org_id:
        return p
    raise Forbidden("a deletion request or closure comes from the organisation's admin (or a platform admin)")


@router.post("/orgs/{org_id}/deletion")
def request_deletion(org_id: str, request: Request, body: dict[str, Any] = Body(default={}),
                     p: Principal = Depends(org_admin_or_platform_admin)) -> dict:
    closure = body.get("closure", False)
    if not isinstance(closure, bool):
        raise InvalidInput("'closure' must be true or false")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 2000):
        raise InvalidInput("'reason' must be a string of at most 2000 characters")
    return delete_org_data(_rt(request), org_id, p.actor, closure=closure, reason=reason,
                           item_ids=body.get("item_ids"))


@router.get("/orgs/{org_id}/deletions")
def list_deletions(org_id: str, request: Request, p: Principal = Depends(own_org)) -> dict:
    from sqlalchemy import select

    with _rt(request).db.session() as s:
        found = s.scalars(select(DeletionRequest).where(DeletionRequest.org_id == org_id)
                          .order_by(DeletionRequest.requested_at.desc())).all()
        audit.record(s, p.actor, "deletions.viewed", target=f"org:{org_id}", org_id=org_id)
        return {"deletions": [d.answer for d in found]}


# --- audit log ---------------------------------------------------------------------------------

@router.get("/audit")
def audit_log(request: Request, format: str = "json", org_id: str | None = None, action: str | None = None,
              actor: str | None = None, since: str | None = None, until: str | None = None, limit: int = 500,
              before_seq: int | None = None, p: Principal = Depends(compliance_or_admin)) -> Response:
    return audit_export(request, p, _format(format), org_id, action, actor, since, until, limit, before_seq)


def audit_export(request: Request, p: Principal, fmt: str, org_id: str | None = None, action: str | None = None,
                 actor: str | None = None, since: str | None = None, until: str | None = None, limit: int = 500,
                 before_seq: int | None = None) -> Response:
    if not 1 <= limit <= 10_000:
        raise InvalidInput("limit must be 1 to 10000")
    with _rt(request).db.session() as s:
        found = [audit.entry_view(e) for e in audit.entries(
            s, org_id=org_id or None, action=action or None, actor=actor or None,
            since=violations.parse_time(since, "since"), until=violations.parse_time(until, "until"), limit=limit,
            before_seq=before_seq)]
        audit.record(s, p.actor, "audit.exported", target="audit_log", format=fmt, count=len(found))
    if fmt == "csv":
        cols = ["seq", "at", "actor", "action", "target", "org_id", "details", "prev_hash", "hash"]
        return _attachment(exports.to_csv(cols, found), "text/csv; charset=utf-8", "audit-log.csv")
    return JSONResponse({"count": len(found), "entries": found})


@router.get("/audit/verify")
def audit_verify(request: Request, p: Principal = Depends(compliance_or_admin)) -> dict:
    with _rt(request).db.session() as s:
        result = audit.verify(s).to_dict()
    with _rt(request).db.session() as s:
        audit.record(s, p.actor, "audit.verified", target="audit_log", ok=result["ok"], checked=result["checked"])
    return result
