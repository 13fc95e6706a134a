"""The review HTTP API end to end, and every role boundary on it."""

from __future__ import annotations

import pytest

PHONE = "13812345678"


@pytest.fixture
def people(staff_member, org, make_org):
    other = make_org("乙")
    return {
        "moderator": staff_member("mia", "moderator"),
        "senior_moderator": staff_member("sam", "senior_moderator"),
        "admin": staff_member("ada", "admin"),
        "compliance": staff_member("cora", "compliance"),
        "org_admin": staff_member("oa", "org_admin", org_id=org.org_id),
        "org_member": staff_member("om", "org_member", org_id=org.org_id),
        "other_org_admin": staff_member("xa", "org_admin", org_id=other.org_id),
        "_other_org": other,
    }


def test_claim_decide_and_the_organisation_sees_the_verdict(client, submit_reviewed, people, org):
    item_id = submit_reviewed()
    mod = people["moderator"]
    r = client.post("/v1/review/claim", headers=mod.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["task"]["item_id"] == item_id and body["task"]["lease_until"]
    assert PHONE not in body["item"]["text"] and "138****5678" in body["item"]["text"]  # masked for moderators
    assert body["item"]["categories"][0]["evidence"][0]["span"] == [6, 8]
    r = client.post(f"/v1/review/tasks/{body['task']['id']}/decision", headers=mod.headers,
                    json={"decision": "block", "categories": ["rumor_disorder"], "fabricated": False, "note": "谣言"})
    assert r.status_code == 200 and r.json()["final"] is True
    assert client.post("/v1/review/claim", headers=mod.headers).status_code == 204
    view = client.get(f"/v1/items/{item_id}", headers=org.headers).json()
    assert view["decision"] == "block" and view["decision_source"] == "moderator"


def test_compliance_sees_personal_data_unmasked(client, submit_reviewed, people):
    submit_reviewed()
    task_id = client.post("/v1/review/claim", headers=people["moderator"].headers).json()["task"]["id"]
    body = client.get(f"/v1/review/tasks/{task_id}", headers=people["compliance"].headers).json()
    assert PHONE in body["item"]["text"]


CLAIM = [("compliance", 403), ("org_admin", 403), ("org_member", 403), ("org_key", 403), ("nobody", 401),
         ("moderator", 200), ("senior_moderator", 200), ("admin", 200)]
READ = [("moderator", 200), ("compliance", 200), ("admin", 200), ("org_admin", 403), ("org_member", 403),
        ("org_key", 403)]


def _headers(people, org, who):
    fixed = {"org_key": org.headers, "other_org_key": people["_other_org"].headers, "nobody": {}}
    return fixed[who] if who in fixed else people[who].headers


def test_who_may_claim_and_read_tasks(client, submit_reviewed, people, org):
    for _ in range(3):
        submit_reviewed()
    for who, status in CLAIM:
        r = client.post("/v1/review/claim", headers=_headers(people, org, who))
        assert r.status_code == status, who
        if status >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
    task_id = r.json()["task"]["id"]
    for who, status in READ:
        assert client.get(f"/v1/review/tasks/{task_id}", headers=_headers(people, org, who)).status_code == status, who


def test_deciding_needs_the_claim_and_the_role(client, submit_reviewed, people):
    submit_reviewed()
    task_id = client.post("/v1/review/claim", headers=people["moderator"].headers).json()["task"]["id"]
    body = {"decision": "pass"}
    assert client.post(f"/v1/review/tasks/{task_id}/decision", headers=people["compliance"].headers,
                       json=body).status_code == 403
    r = client.post(f"/v1/review/tasks/{task_id}/decision", headers=people["senior_moderator"].headers, json=body)
    assert r.status_code == 409 and "claimed by another" in r.json()["detail"]
    r = client.post(f"/v1/review/tasks/{task_id}/decision", headers=people["moderator"].headers,
                    json={"decision": "block"})
    assert r.status_code == 400 and "category" in r.json()["detail"]
    assert client.post(f"/v1/review/tasks/{task_id}/release", headers=people["moderator"].headers).status_code == 200
    assert client.post(f"/v1/review/tasks/{task_id}/release", headers=people["moderator"].headers).status_code == 409


COMPLAIN = [("org_key", 201), ("org_member", 201), ("org_admin", 201), ("moderator", 201), ("compliance", 201),
            ("other_org_key", 404), ("other_org_admin", 404), ("nobody", 401)]
APPEAL = [("org_member", 403), ("moderator", 403), ("other_org_key", 404), ("other_org_admin", 404),
          ("org_admin", 201), ("org_key", 409)]  # 409: the organisation's admin already appealed


def test_who_may_complain_and_appeal(client, submit_reviewed, people, org):
    from modpipe.domain import Decision

    item_id = submit_reviewed(decision=Decision.BLOCK)
    for who, status in COMPLAIN:
        headers = _headers(people, org, who)
        r = client.post("/v1/complaints", headers=headers, json={"item_id": item_id, "reason": "谣言"})
        assert r.status_code == status, (who, r.text)
        if status == 201:
            assert client.get(f"/v1/complaints/{r.json()['id']}", headers=headers).json()["status"] == "open"
    for who, status in APPEAL:
        r = client.post("/v1/appeals", headers=_headers(people, org, who),
                        json={"item_id": item_id, "reason": "这是官方通知"})
        assert r.status_code == status, (who, r.text)


def test_the_organisation_reads_its_appeals_answer(client, submit_reviewed, people, org):
    from modpipe.domain import Decision

    item_id = submit_reviewed(decision=Decision.BLOCK)
    appeal = client.post("/v1/appeals", headers=org.headers, json={"item_id": item_id, "reason": "请复核"}).json()
    assert appeal["status"] == "open"
    other = people["_other_org"]
    assert client.get(f"/v1/appeals/{appeal['id']}", headers=other.headers).status_code == 404
    mod = people["moderator"].headers
    task = client.post("/v1/review/claim", headers=mod).json()["task"]
    assert task["queue"] == "appeal"
    client.post(f"/v1/review/tasks/{task['id']}/decision", headers=mod,
                json={"decision": "pass", "note": "内容属实，已恢复"})
    got = client.get(f"/v1/appeals/{appeal['id']}", headers=org.headers).json()
    assert (got["status"], got["answer"]) == ("overturned", "内容属实，已恢复")
    listed = client.get("/v1/appeals", headers=org.headers).json()["appeals"]
    assert [a["id"] for a in listed] == [appeal["id"]]
    assert client.get("/v1/appeals", headers=other.headers).json()["appeals"] == []


def test_strikes_are_visible_to_the_organisation_and_lifted_by_an_admin(client, submit_reviewed, people, org):
    submit_reviewed(user_id="u9")
    mod = people["moderator"].headers
    task = client.post("/v1/review/claim", headers=mod).json()["task"]
    client.post(f"/v1/review/tasks/{task['id']}/decision", headers=mod,
                json={"decision": "block", "categories": ["rumor_disorder"]})
    mine = client.get("/v1/strikes", params={"user_id": "u9"}, headers=org.headers).json()
    assert mine["live_strikes"] == 1 and mine["status"] == "active" and mine["thresholds"]["restricted"] == 3
    other = people["_other_org"]
    assert client.get("/v1/strikes", params={"user_id": "u9"}, headers=other.headers).status_code == 404
    staff_view = client.get("/v1/strikes", params={"user_id": "u9", "org_id": org.org_id}, headers=mod).json()
    strike_id = staff_view["strikes"][0]["id"]
    for who in ("moderator", "senior_moderator", "compliance", "org_admin"):
        r = client.post(f"/v1/strikes/{strike_id}/lift", headers=people[who].headers, json={"reason": "x"})
        assert r.status_code == 403
    r = client.post(f"/v1/strikes/{strike_id}/lift", headers=people["admin"].headers, json={"reason": "误判"})
    assert r.status_code == 200 and r.json()["lifted"] is True
    assert client.get("/v1/strikes", params={"user_id": "u9"}, headers=org.headers).json()["live_strikes"] == 0


def test_queue_stats(client, submit_reviewed, people):
    submit_reviewed()
    submit_reviewed(text="x", cats=(("terrorism_extremism", 0.6),))
    stats = {q["queue"]: q for q in client.get("/v1/review/queues", headers=people["compliance"].headers).json()["queues"]}
    assert stats["pipeline"]["open"] == 2 and stats["second_review"]["open"] == 0
    assert client.get("/v1/review/queues", headers=people["org_admin"].headers).status_code == 403
