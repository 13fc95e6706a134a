"""Exports (JSON, CSV, PDF) and who may read what."""

from __future__ import annotations

import csv
import io
import re
import zlib

import pytest

from tests.reports.helpers import audit_actions, auth

TEXT = "=HYPERLINK(\"http://evil\") 网传某县暴发鼠疫，已封城"


def _drafted(client, org, make_item, decide, moderator, compliance, text=TEXT):
    made = make_item(org.org_id, text, user_id="bob", real_name="李四")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    [r] = client.get("/v1/reports/regulator", headers=auth(compliance)).json()["reports"]
    return made, r


def _literal(raw: bytes) -> str:
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C:  # backslash escape
            nxt = raw[i + 1:i + 2]
            if nxt.isdigit():
                m = re.match(rb"[0-7]{1,3}", raw[i + 1:])
                out.append(int(m.group(0), 8))
                i += 1 + len(m.group(0))
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by fpdf2: core-font runs as Latin-1 strings, runs in the
    embedded TrueType subset as 2-byte glyph ids mapped back through the font's ToUnicode CMap."""
    streams = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = m.group(1)
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    cmap: dict[str, str] = {}
    for st in streams:
        if b"beginbfchar" in st:
            for gid, uni in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", st):
                cmap[gid.decode().upper()] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    out = []
    for st in streams:
        for lit, hexs in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|<([0-9A-Fa-f]+)>\s*Tj", st, re.S):
            if hexs:
                h = hexs.decode().upper()
                out.append("".join(cmap.get(h[i:i + 4], "?") for i in range(0, len(h), 4)))
            else:
                raw = _literal(lit)
                pairs = [raw[i:i + 2] for i in range(0, len(raw), 2)]
                if len(raw) % 2 == 0 and all(p[0] == 0 and p.hex().upper() in cmap for p in pairs):
                    out.append("".join(cmap[p.hex().upper()] for p in pairs))  # glyph ids of the CJK subset
                else:
                    out.append(raw.decode("latin-1"))
    return "".join(out)


def test_json_and_csv_exports(client, rt, org, make_item, decide, moderator, compliance):
    made, r = _drafted(client, org, make_item, decide, moderator, compliance)
    h = auth(compliance)
    resp = client.get("/v1/reports/regulator?format=csv", headers=h)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == r["id"] and row["item_id"] == made.item_id and row["org_name"] == "测试公益基金会"
    assert row["real_name_binding"] == "李四" and row["account_user_id"] == "bob"
    assert row["content_sha256"] == r["content_sha256"] and row["clause"] == r["clause"]
    assert "mod-1 block fabricated" in row["reviews"]
    # user content that a spreadsheet would run as a formula is defused
    assert row["content_text"] == "'" + TEXT
    assert client.get("/v1/reports/regulator?format=xml", headers=h).status_code == 400
    by_status = client.get("/v1/reports/regulator?status=submitted", headers=h).json()
    assert by_status["count"] == 0


def test_printable_pdf(client, rt, org, make_item, decide, moderator, compliance):
    made, r = _drafted(client, org, make_item, decide, moderator, compliance, text="网传某县暴发鼠疫，已封城")
    resp = client.get(f"/v1/reports/regulator/{r['id']}.pdf", headers=auth(compliance))
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    data = resp.content
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) < 300_000  # the 4 MB font is subset
    text = pdf_text(data)
    assert "网传某县暴发鼠疫，已封城" in text
    assert made.item_id in text and r["payload_sha256"] in text and "5.2.5" in text
    assert "mod-1" in text and "李四" in text
    assert ("compliance-1", "regulator_report.exported", r["id"]) in audit_actions(rt)


@pytest.mark.parametrize("role", ["moderator", "senior_moderator", "admin"])
def test_staff_other_than_compliance_cannot_read_regulator_reports(client, org, make_item, decide, moderator,
                                                                     compliance, make_staff, role):
    _, r = _drafted(client, org, make_item, decide, moderator, compliance)
    h = auth(make_staff(f"other-{role}", role))
    for method, path in (("get", "/v1/reports/regulator"), ("get", "/v1/reports/regulator?format=csv"),
                         ("get", f"/v1/reports/regulator/{r['id']}"), ("get", f"/v1/reports/regulator/{r['id']}.pdf"),
                         ("get", f"/v1/reports/regulator/{r['id']}/versions"),
                         ("post", f"/v1/reports/regulator/{r['id']}/submit")):
        resp = getattr(client, method)(path, headers=h)
        assert resp.status_code == 403, (role, path, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")


def test_organisations_cannot_read_regulator_reports(client, org, make_item, decide, moderator, compliance, make_staff):
    _, r = _drafted(client, org, make_item, decide, moderator, compliance)
    org_admin = auth(make_staff("org-admin", "org_admin", org_id=org.org_id))
    for h in (org.headers, org_admin):
        assert client.get("/v1/reports/regulator", headers=h).status_code == 403
        assert client.get(f"/v1/reports/regulator/{r['id']}", headers=h).status_code == 403
        assert client.get("/v1/reports/violations", headers=h).status_code == 403
        assert client.get("/v1/audit", headers=h).status_code == 403
    assert client.get("/v1/reports/regulator").status_code == 401


def test_violations_for_compliance_and_own_organisation_only(client, make_org, make_item, make_staff, compliance, moderator):
    a, b = make_org("甲基金会"), make_org("乙基金会")
    make_item(a.org_id, "广告", decision="block", source="rule",
              categories=[{"category": "spam_ads_sexual", "score": 0.95, "evidence": []}])
    make_item(b.org_id, "谣言", decision="block", source="model")
    admin_a = auth(make_staff("admin-a", "org_admin", org_id=a.org_id))
    assert client.get("/v1/reports/violations", headers=auth(compliance)).json()["total_items"] == 2
    assert client.get("/v1/reports/violations", headers=auth(moderator)).status_code == 403
    own = client.get(f"/v1/orgs/{a.org_id}/violations", headers=admin_a)
    assert own.status_code == 200
    body = own.json()
    assert body["total_items"] == 1 and {r["org_id"] for r in body["rows"]} == {a.org_id}
    assert client.get(f"/v1/orgs/{b.org_id}/violations", headers=admin_a).status_code == 403
    assert client.get(f"/v1/orgs/{b.org_id}/violations?format=csv", headers=admin_a).status_code == 403
    assert client.get(f"/v1/orgs/{a.org_id}/violations", headers=a.headers).status_code == 403  # API key: not a person
    svg = client.get(f"/v1/orgs/{a.org_id}/violations/chart/category.svg", headers=admin_a)
    assert svg.status_code == 200 and "spam_ads_sexual" in svg.text and "rumor_disorder" not in svg.text
