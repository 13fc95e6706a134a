"""Compliance pages over HTTP (sign-in, roles, the workflow forms, CSRF); the browser test is apart."""

from __future__ import annotations

import re

from sqlalchemy import select

from reports.models import RegulatorReport


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str):
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "next": "/",
                                    "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def test_workflow_through_the_pages(client, rt, org, make_item, decide, moderator, make_staff):
    made = make_item(org.org_id, "编造：某桥梁坍塌致百人遇难")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    make_staff("cora", "compliance", password="cora-password-1")
    sign_in(client, "cora", "cora-password-1")
    index = client.get("/compliance")
    assert index.status_code == 200 and "5.2.5" in index.text
    with rt.db.session() as s:
        rid = s.scalar(select(RegulatorReport.id))
    page = client.get(f"/compliance/reports/{rid}")
    assert page.status_code == 200 and "编造：某桥梁坍塌致百人遇难" in page.text
    token = csrf_from(page.text)
    # no CSRF token: refused
    assert client.post(f"/compliance/reports/{rid}/submit", data={}, follow_redirects=False).status_code == 403
    r = client.post(f"/compliance/reports/{rid}/edit", data={"csrf_token": token, "summary": "桥梁谣言"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/compliance/reports/{rid}/submit", data={"csrf_token": token})
    assert r.status_code == 200 and 'id="report-status">submitted' in r.text
    again = client.post(f"/compliance/reports/{rid}/edit", data={"csrf_token": token, "summary": "x"})
    assert again.status_code == 409 and "only drafts can be edited" in again.text
    r = client.post(f"/compliance/reports/{rid}/acknowledge", data={"csrf_token": token, "regulator_ref": "REF-7"})
    assert "REF-7" in r.text and 'id="report-status">acknowledged' in r.text
    pdf = client.get(f"/compliance/reports/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_export = client.get("/compliance/export/regulator.csv")
    assert csv_export.status_code == 200 and "REF-7" in csv_export.content.decode("utf-8-sig")
    v = client.get("/compliance/violations?bucket=week")
    assert v.status_code == 200 and "<svg" in v.text
    assert "测试公益基金会</td><td>1</td>" in v.text and "built-in method" not in v.text
    a = client.get("/compliance/audit")
    assert a.status_code == 200 and "chain intact" in a.text and "regulator_report.acknowledged" in a.text


def test_pages_keep_the_role_boundaries(client, org, make_staff):
    make_staff("mo", "moderator", password="mo-password-12")
    sign_in(client, "mo", "mo-password-12")
    for path in ("/compliance", "/compliance/violations", "/compliance/audit", "/compliance/export/regulator.csv",
                 "/org/violations"):
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 403, path
    client.cookies.clear()
    make_staff("boss", "admin", password="boss-password-1")
    sign_in(client, "boss", "boss-password-1")
    page = client.get("/compliance")
    assert page.status_code == 200 and "compliance staff only" in page.text
    assert client.get("/compliance/export/regulator.json").status_code == 403
    assert client.get("/compliance/violations").status_code == 200
    client.cookies.clear()
    make_staff("oa", "org_admin", org_id=org.org_id, password="oa-password-12")
    sign_in(client, "oa", "oa-password-12")
    assert client.get("/compliance/violations").status_code == 403
    own = client.get("/org/violations")
    assert own.status_code == 200 and "your organisation" in own.text and 'name="org_id"' not in own.text


def test_evidence_and_audit_downloads_from_the_pages(client, rt, org, make_item, decide, moderator, make_staff):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "purple").save(buf, "PNG")
    made = make_item(org.org_id, data=buf.getvalue(), mime="image/png")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    make_staff("cora", "compliance", password="cora-password-1")
    sign_in(client, "cora", "cora-password-1")
    with rt.db.session() as s:
        rid = s.scalar(select(RegulatorReport.id))
    page = client.get(f"/compliance/reports/{rid}")
    href = re.search(r'href="([^"]+)" id="evidence-link"', page.text).group(1)
    ev = client.get(href)
    assert ev.status_code == 200 and ev.content == buf.getvalue()
    assert ev.headers["content-type"] == "application/octet-stream" and "attachment" in ev.headers["content-disposition"]
    audit_page = client.get("/compliance/audit?action=regulator_report.evidence_read")
    assert "regulator_report.evidence_read" in audit_page.text
    href = re.search(r'href="([^"]+)" id="export-audit"', audit_page.text).group(1).replace("&amp;", "&")
    csv_text = client.get(href).content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("seq,at,actor,action") and len(lines) == 2 and "evidence_read" in lines[1]
