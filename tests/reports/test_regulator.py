"""Regulator reports: drafted on confirmed fabrication or rumour, the workflow, immutability, versions."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from modpipe.errors import Conflict
from reports.models import RegulatorReport
from tests.reports.helpers import audit_actions, auth

TEXT = "网传某市自来水厂被投毒，请大家不要喝水！（经核实为谣言）"


def reports_for(rt, item_id):
    with rt.db.session() as s:
        return list(s.scalars(select(RegulatorReport).where(RegulatorReport.item_id == item_id)
                              .order_by(RegulatorReport.version)))


def test_confirmed_fabrication_drafts_a_complete_report(rt, org, make_item, decide, moderator):
    made = make_item(org.org_id, TEXT, user_id="alice", real_name="张三 110101********1234",
                     aigc={"label": "2", "declared": True}, declared_aigc=True, external_id="post-9")
    task_id = decide(made.item_id, moderator["user_id"], fabricated=True, categories=["rumor_disorder"])
    [r] = reports_for(rt, made.item_id)
    assert r.status == "draft" and r.version == 1 and r.task_id == task_id
    assert r.grounds == "fabricated" and r.clause == "5.2.5; 5.2.2(8)"
    p = r.payload
    assert p["item"]["id"] == made.item_id and p["item"]["external_id"] == "post-9"
    assert p["item"]["source_ip"] == "203.0.113.7" and p["item"]["published_at"]
    assert p["organisation"] == {"id": org.org_id, "name": "测试公益基金会"}
    assert p["account"]["user_id"] == "alice" and p["account"]["real_name_binding"].startswith("张三")
    assert p["content"]["text"] == TEXT
    assert p["content"]["sha256"] == hashlib.sha256(TEXT.encode()).hexdigest() == r.content_sha256
    assert p["aigc"] == {"labels_received": {"label": "2", "declared": True}, "declared_aigc": True}
    assert p["detectors"]["categories"][0]["category"] == "rumor_disorder"
    assert p["detectors"]["rules_version"] == "r1"
    [rev] = p["reviews"]
    assert rev["reviewer"] == "mod-1" and rev["reviewer_role"] == "moderator"
    assert rev["decision"] == "block" and rev["fabricated"] is True and rev["decided_at"]
    assert p["action"]["decision"] == "block" and p["action"]["content_removed"] is True
    assert ("system", "regulator_report.drafted", r.id) in audit_actions(rt)


@pytest.mark.parametrize("decision,categories,fabricated,expected", [
    ("block", ["rumor_disorder"], False, "5.2.2(8)"),
    ("block", ["spam_ads_sexual"], True, "5.2.5"),
    ("block", ["spam_ads_sexual"], False, None),
    ("pass", ["rumor_disorder"], True, None),
])
def test_only_confirmed_fabrication_or_rumour_is_reported(rt, org, make_item, decide, moderator,
                                                          decision, categories, fabricated, expected):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], decision=decision, categories=categories, fabricated=fabricated)
    found = reports_for(rt, made.item_id)
    assert [r.clause for r in found] == ([expected] if expected else [])


def test_the_same_decision_twice_keeps_one_draft(rt, org, make_item, decide, moderator, make_staff):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    senior = make_staff("senior-1", "senior_moderator")
    decide(made.item_id, senior["user_id"], fabricated=True, queue="appeal")
    [r] = reports_for(rt, made.item_id)
    assert [x["reviewer"] for x in r.payload["reviews"]] == ["mod-1", "senior-1"]


def test_workflow_draft_submitted_acknowledged(client, rt, org, make_item, decide, moderator, compliance):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    h = auth(compliance)
    [listed] = client.get("/v1/reports/regulator", headers=h).json()["reports"]
    rid = listed["id"]
    assert listed["status"] == "draft" and listed["integrity"] == "ok"
    assert listed["item_url"].endswith(f"/v1/items/{made.item_id}")

    r = client.patch(f"/v1/reports/regulator/{rid}", json={"summary": "用户编造水厂投毒谣言"}, headers=h)
    assert r.status_code == 200 and r.json()["payload"]["summary"] == "用户编造水厂投毒谣言"
    r = client.patch(f"/v1/reports/regulator/{rid}", json={"content": {"text": "改过的"}}, headers=h)
    assert r.status_code == 400 and "cannot be edited" in r.json()["detail"]

    assert client.post(f"/v1/reports/regulator/{rid}/acknowledge", json={"regulator_ref": "X"}, headers=h).status_code == 409
    sub = client.post(f"/v1/reports/regulator/{rid}/submit", headers=h)
    assert sub.status_code == 200
    sent = sub.json()
    assert sent["status"] == "submitted" and sent["submitted_by"] == "compliance-1"
    assert client.post(f"/v1/reports/regulator/{rid}/submit", headers=h).status_code == 409
    r = client.patch(f"/v1/reports/regulator/{rid}", json={"summary": "later"}, headers=h)
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")

    r = client.post(f"/v1/reports/regulator/{rid}/acknowledge", json={}, headers=h)
    assert r.status_code == 400 and "regulator_ref" in r.json()["detail"]
    r = client.post(f"/v1/reports/regulator/{rid}/acknowledge", json={"regulator_ref": "网信-2026-00042"}, headers=h)
    assert r.status_code == 200
    ack = r.json()
    assert ack["status"] == "acknowledged" and ack["regulator_ref"] == "网信-2026-00042"
    assert ack["payload_sha256"] == sent["payload_sha256"] and ack["payload"] == sent["payload"]
    again = client.post(f"/v1/reports/regulator/{rid}/acknowledge", json={"regulator_ref": "other"}, headers=h)
    assert again.status_code == 409
    assert client.get(f"/v1/reports/regulator/{rid}", headers=h).json()["regulator_ref"] == "网信-2026-00042"

    actions = [a for _, a, t in audit_actions(rt) if t == rid]
    for expected in ("regulator_report.drafted", "regulator_report.edited", "regulator_report.submitted",
                     "regulator_report.acknowledged", "regulator_report.viewed"):
        assert expected in actions
    assert ("compliance-1", "regulator_report.exported", "regulator_reports") in audit_actions(rt)


def test_submitted_records_refuse_changes_whoever_writes(rt, org, make_item, decide, moderator):
    from reports import regulator

    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    [r] = reports_for(rt, made.item_id)
    with rt.db.session() as s:
        regulator.submit(s, s.get(RegulatorReport, r.id), "compliance-1")
    # Straight through the ORM, as any other code in the process could try:
    with pytest.raises(Conflict, match="immutable once submitted"):
        with rt.db.session() as s:
            row = s.get(RegulatorReport, r.id)
            row.payload = {**row.payload, "summary": "rewritten"}
    with pytest.raises(Conflict, match="status"):
        with rt.db.session() as s:
            s.get(RegulatorReport, r.id).status = "draft"
    with pytest.raises(Conflict, match="cannot be deleted"):
        with rt.db.session() as s:
            s.delete(s.get(RegulatorReport, r.id))
    [after] = reports_for(rt, made.item_id)
    assert after.payload == r.payload and after.status == "submitted"


def test_a_correction_is_a_new_version(client, rt, org, make_item, decide, moderator, compliance):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    h = auth(compliance)
    [v1] = reports_for(rt, made.item_id)
    client.post(f"/v1/reports/regulator/{v1.id}/submit", headers=h)
    bad = client.post(f"/v1/reports/regulator/{v1.id}/versions", json={"changes": {"summary": "x"}}, headers=h)
    assert bad.status_code == 400 and "reason" in bad.json()["detail"]
    r = client.post(f"/v1/reports/regulator/{v1.id}/versions",
                    json={"reason": "处置措施写错", "changes": {"action_taken": "删除内容并暂停账号"}}, headers=h)
    assert r.status_code == 201
    v2 = r.json()
    assert v2["version"] == 2 and v2["supersedes"] == v1.id and v2["status"] == "draft"
    assert v2["chain_id"] == v1.chain_id and v2["payload"]["action_taken"] == "删除内容并暂停账号"
    assert v2["payload"]["correction"] == {"of_version": 1, "of_report": v1.id, "reason": "处置措施写错"}
    # one open draft per chain: correcting v1 again is refused, v2 is the latest
    assert client.post(f"/v1/reports/regulator/{v1.id}/versions", json={"reason": "again"}, headers=h).status_code == 409
    assert client.post(f"/v1/reports/regulator/{v2['id']}/submit", headers=h).status_code == 200
    versions = client.get(f"/v1/reports/regulator/{v1.id}/versions", headers=h).json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "submitted"), (2, "submitted")]
    assert versions[0]["superseded_by"] == v2["id"]
    assert versions[0]["payload"] == v1.payload  # the version sent first is untouched
    latest = client.get("/v1/reports/regulator?latest=true", headers=h).json()["reports"]
    assert [x["id"] for x in latest] == [v2["id"]]


def test_a_reversal_after_submission_drafts_a_correction(rt, org, make_item, decide, moderator, make_staff):
    from reports import regulator

    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    [v1] = reports_for(rt, made.item_id)
    with rt.db.session() as s:
        regulator.submit(s, s.get(RegulatorReport, v1.id), "compliance-1")
    senior = make_staff("senior-2", "senior_moderator")
    decide(made.item_id, senior["user_id"], decision="pass", categories=[], queue="appeal")
    v1_after, v2 = reports_for(rt, made.item_id)
    assert v2.version == 2 and v2.status == "draft" and v2.payload.get("reversed") is True
    assert [x["decision"] for x in v2.payload["reviews"]] == ["block", "pass"]
    assert v1_after.payload == v1.payload


def test_discarding_a_draft_needs_a_reason(client, rt, org, make_item, decide, moderator, compliance):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    [r] = reports_for(rt, made.item_id)
    h = auth(compliance)
    assert client.post(f"/v1/reports/regulator/{r.id}/discard", json={}, headers=h).status_code == 400
    d = client.post(f"/v1/reports/regulator/{r.id}/discard", json={"reason": "moderator error"}, headers=h)
    assert d.status_code == 200 and d.json()["status"] == "discarded"
    assert client.post(f"/v1/reports/regulator/{r.id}/submit", headers=h).status_code == 409


def test_a_decision_after_the_user_deleted_the_item_keeps_the_snapshot(client, rt, org, make_item, decide, moderator,
                                                                        make_staff, compliance):
    made = make_item(org.org_id, TEXT, user_id="gao", real_name="高七")
    decide(made.item_id, moderator["user_id"], fabricated=True)
    admin = make_staff("org-admin-d", "org_admin", org_id=org.org_id)
    assert client.post(f"/v1/orgs/{org.org_id}/deletion", json={"item_ids": [made.item_id]},
                       headers=auth(admin)).status_code == 200
    senior = make_staff("senior-3", "senior_moderator")
    decide(made.item_id, senior["user_id"], fabricated=True, queue="appeal")
    [r] = reports_for(rt, made.item_id)
    assert r.payload["content"]["text"] == TEXT and r.payload["account"]["real_name_binding"] == "高七"
    assert [x["reviewer"] for x in r.payload["reviews"]] == ["mod-1", "senior-3"]


def test_any_items_record_with_its_audit_trail(client, rt, org, make_item, decide, moderator, compliance):
    from reports import audit

    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    with rt.db.session() as s:  # as the review queue records its decisions
        audit.record(s, "mod-1", "review.decide", target="review_task:t1", org_id=org.org_id, item_id=made.item_id)
    body = client.get(f"/v1/reports/items/{made.item_id}", headers=auth(compliance)).json()
    assert body["content"]["text"] == TEXT and body["decision"]["source"] == "moderator"
    assert [r["status"] for r in body["regulator_reports"]] == ["draft"]
    actions = [e["action"] for e in body["audit"]]
    assert "regulator_report.drafted" in actions and "review.decide" in actions
    assert client.get(f"/v1/reports/items/{made.item_id}", headers=auth(moderator)).status_code == 403
    assert client.get("/v1/reports/items/nope", headers=auth(compliance)).status_code == 404


def test_a_discarded_draft_can_be_followed_by_a_sent_version(client, rt, org, make_item, decide, moderator,
                                                             compliance, make_staff):
    made = make_item(org.org_id, TEXT)
    decide(made.item_id, moderator["user_id"], fabricated=True)
    [v1] = reports_for(rt, made.item_id)
    h = auth(compliance)
    client.post(f"/v1/reports/regulator/{v1.id}/discard", json={"reason": "证据不足"}, headers=h)
    senior = make_staff("senior-4", "senior_moderator")
    decide(made.item_id, senior["user_id"], fabricated=True, queue="complaint", note="新证据确认")
    v1_after, v2 = reports_for(rt, made.item_id)
    assert v1_after.status == "discarded" and v2.version == 2 and v2.supersedes == v1.id
    assert client.post(f"/v1/reports/regulator/{v2.id}/submit", headers=h).status_code == 200
    assert reports_for(rt, made.item_id)[0].superseded_by == v2.id
