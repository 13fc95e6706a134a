"""End to end with the review queue: an item the pipeline sent to review, a moderator marks it
fabricated, a senior confirms it, and compliance finds the draft with both decisions; an appeal
that overturns it later drafts a correction of the submitted report."""

from __future__ import annotations

from ingest.submission import Submission, submit
from modpipe.domain import Category, CategoryResult, Decision, Evidence, Kind
from modpipe.verdict import Verdict
from tests.reports.helpers import auth
from workers import tasks

TEXT = "紧急扩散！明天全城停水三天，自来水公司已确认"


def reviewed_item(rt, org_id: str) -> str:
    item, _ = submit(rt, org_id, Submission(kind=Kind.TEXT, user_id="wu", text=TEXT))
    assert tasks.claim(rt, item.id) is not None
    ev = [Evidence(source="rule", detail="停水", span=(5, 7), rule_id="r-rumor-1", severity="review")]
    verdict = Verdict(decision=Decision.REVIEW, categories=[CategoryResult(Category.RUMOR_DISORDER, 0.64, ev)],
                      source="rule")
    assert tasks.finalize(rt, item.id, verdict) == "decided"
    return item.id


def test_fabrication_confirmed_in_the_review_queue_is_drafted(client, rt, org, make_staff, compliance):
    item_id = reviewed_item(rt, org.org_id)
    mod, senior = auth(make_staff("mia", "moderator")), auth(make_staff("sam", "senior_moderator"))
    body = {"decision": "block", "categories": ["rumor_disorder"], "fabricated": True, "note": "自来水公司辟谣"}
    task = client.post("/v1/review/claim", headers=mod).json()["task"]
    r = client.post(f"/v1/review/tasks/{task['id']}/decision", json=body, headers=mod)
    assert r.status_code == 200, r.text
    h = auth(compliance)
    assert client.get("/v1/reports/regulator", headers=h).json()["count"] == 0  # not final until confirmed
    second = client.post("/v1/review/claim", headers=senior).json()["task"]
    assert client.post(f"/v1/review/tasks/{second['id']}/decision", json=body, headers=senior).status_code == 200
    [rep] = client.get("/v1/reports/regulator", headers=h).json()["reports"]
    p = rep["payload"]
    assert rep["item_id"] == item_id and rep["clause"] == "5.2.5; 5.2.2(8)"
    assert [(x["reviewer"], x["queue"], x["fabricated"]) for x in p["reviews"]] == [
        ("mia", "pipeline", True), ("sam", "second_review", True)]
    assert p["content"]["text"] == TEXT and p["detectors"]["categories"][0]["category"] == "rumor_disorder"
    assert p["account"]["user_id"] == "wu"
    assert client.post(f"/v1/reports/regulator/{rep['id']}/submit", headers=h).status_code == 200

    # the organisation appeals; another senior overturns the block
    appeal = client.post("/v1/appeals", json={"item_id": item_id, "reason": "消息来自官方通知"}, headers=org.headers)
    assert appeal.status_code == 201, appeal.text
    judge = auth(make_staff("jun", "senior_moderator"))
    t = client.post("/v1/review/claim", headers=judge).json()["task"]
    assert t["queue"] == "appeal"
    d = client.post(f"/v1/review/tasks/{t['id']}/decision", json={"decision": "pass", "categories": [], "note": "官方确有停水通知"}, headers=judge)
    assert d.status_code == 200, d.text
    versions = client.get(f"/v1/reports/regulator/{rep['id']}/versions", headers=h).json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "submitted"), (2, "draft")]
    assert versions[1]["payload"]["reversed"] is True and versions[0]["payload"] == p
