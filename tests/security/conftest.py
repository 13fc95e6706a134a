"""Principals for the security tests: two organisations and one staff member of every role, and
records of organisation A's to point the auth matrix at (a review task, a complaint, an appeal,
a strike, a regulator report with its sealed original)."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def principals(make_org, make_staff, client, submit_reviewed):
    a, b = make_org("甲基金会"), make_org("乙基金会")
    heads = {
        "anonymous": {},
        "bad_token": {"Authorization": "Bearer mpk_not-a-real-key"},
        "org": a.headers,
        "other_org": b.headers,
        "moderator": make_staff("mod1", "moderator"),
        "senior_moderator": make_staff("senior1", "senior_moderator"),
        "compliance": make_staff("comp1", "compliance"),
        "admin": make_staff("admin1", "admin"),
        "org_admin": make_staff("orgadmin1", "org_admin", org_id=a.org_id),
        "org_member": make_staff("orgmember1", "org_member", org_id=a.org_id),
    }
    heads = {k: {h: v for h, v in d.items() if h == "Authorization"} for k, d in heads.items()}
    item = client.post("/v1/items", json={"external_id": "sec-1", "text": "甲组织的投稿"}, headers=a.headers).json()["id"]
    other_item = client.post("/v1/items", json={"external_id": "sec-1", "text": "乙组织的投稿"},
                             headers=b.headers).json()["id"]
    return {"headers": heads, "org": a, "other_org": b, "item": item, "other_item": other_item,
            "records": reviewed_records(client, submit_reviewed, a, heads)}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _ok(r, what: str) -> dict:
    assert 200 <= r.status_code < 300, f"setting up {what}: {r.status_code} {r.text[:200]}"
    return r.json()


def reviewed_records(client, submit_reviewed, org, heads) -> dict[str, str]:
    """An image of ``org``'s taken through review the way people do it: held by the machine, blocked
    as a rumour by a moderator (a strike, a regulator-report draft sealing the original), then
    appealed and complained about. Returns the ids the matrix's paths name."""
    from modpipe.domain import Kind

    item_id = submit_reviewed(kind=Kind.IMAGE, data=_png(), mime="image/png", org_id=org.org_id,
                              user_id="u-matrix")
    mod = heads["moderator"]
    task = _ok(client.post("/v1/review/claim", headers=mod), "the claim")["task"]
    _ok(client.post(f"/v1/review/tasks/{task['id']}/decision", headers=mod,
                    json={"decision": "block", "categories": ["rumor_disorder"], "note": "谣言"}), "the block")
    appeal = _ok(client.post("/v1/appeals", headers=org.headers, json={"item_id": item_id, "reason": "请复核"}),
                 "the appeal")
    complaint = _ok(client.post("/v1/complaints", headers=org.headers,
                                json={"item_id": item_id, "reason": "侵犯我的肖像权"}), "the complaint")
    [strike] = _ok(client.get("/v1/strikes", params={"user_id": "u-matrix"}, headers=org.headers),
                   "strikes")["strikes"]
    [report] = _ok(client.get("/v1/reports/regulator", headers=heads["compliance"]), "reports")["reports"]
    sha256 = report["payload"]["content"]["blob_sha256"]
    assert sha256 and report["item_id"] == item_id and report["status"] == "draft"
    return {"reviewed_item": item_id, "task": complaint["task_id"], "complaint_id": complaint["id"],
            "appeal_id": appeal["id"], "strike_id": strike["id"], "report_id": report["id"], "sha256": sha256}
