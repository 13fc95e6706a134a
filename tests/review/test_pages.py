"""The workspace pages through the HTTP layer: sign-in, claim, evidence, masking, decide, role walls."""

from __future__ import annotations

import re

from sqlalchemy import select

from modpipe.models import Item
from review_queue.models import ReviewTask


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username, password):
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "next": "/review",
                                    "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    return r


def test_a_moderator_claims_sees_evidence_masked_and_decides(client, rt, submit_reviewed, staff_member):
    first = submit_reviewed()
    second = submit_reviewed(text="第二条：周末义卖活动")
    staff_member("mia", "moderator", password="pw-mia-123")
    sign_in(client, "mia", "pw-mia-123")
    dash = client.get("/review")
    assert dash.status_code == 200 and "Machine unsure" in dash.text
    assert client.post("/review/claim", data={}, follow_redirects=False).status_code == 403  # no CSRF token
    r = client.post("/review/claim", data={"csrf_token": csrf_from(dash.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/review/tasks/")
    page = client.get(r.headers["location"])
    html = page.text
    assert '全城<mark class="ev" title="rumor_disorder: 停水">停水</mark>，' in html
    assert "13812345678" not in html and "138****5678" in html
    assert 'id="decision-form"' in html and "<kbd>P</kbd>" in html
    assert "r-rumor-1" in html  # the rule that fired
    token = csrf_from(html)
    task_id = r.headers["location"].rsplit("/", 1)[1]
    # a block without a category comes back with the reason, the task still ours
    bad = client.post(f"/review/tasks/{task_id}/decision", data={"csrf_token": token, "decision": "block"},
                      follow_redirects=False)
    assert bad.status_code == 400 and "at least one category" in bad.text
    ok = client.post(f"/review/tasks/{task_id}/decision",
                     data={"csrf_token": token, "decision_js": "block", "categories": ["rumor_disorder"],
                           "note": "谣言"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"].startswith("/review/tasks/")  # straight to the next
    with rt.db.session() as s:
        assert s.get(Item, first).decision == "block"
        nxt = s.scalar(select(ReviewTask).where(ReviewTask.item_id == second))
    assert nxt.status == "claimed" and ok.headers["location"].split("?")[0].endswith(nxt.id)


def test_compliance_sees_the_queue_but_cannot_claim_and_org_users_see_nothing(client, submit_reviewed,
                                                                              staff_member, org):
    submit_reviewed()
    staff_member("cora", "compliance", password="pw-cora-123")
    sign_in(client, "cora", "pw-cora-123")
    dash = client.get("/review")
    assert dash.status_code == 200 and 'id="claim"' not in dash.text
    assert client.post("/review/claim", data={"csrf_token": csrf_from(dash.text)}).status_code == 403
    client.cookies.clear()
    staff_member("oa", "org_admin", org_id=org.org_id, password="pw-oa-1234")
    sign_in(client, "oa", "pw-oa-1234")
    assert client.get("/review").status_code == 403


def test_images_are_served_only_to_staff_who_review(client, submit_reviewed, staff_member, org):
    from modpipe.domain import Kind
    from tests.review.test_decisions import _png

    item_id = submit_reviewed(kind=Kind.IMAGE, data=_png(), mime="image/png", cats=(("spam_ads_sexual", 0.6),))
    staff_member("mia", "moderator", password="pw-mia-123")
    staff_member("om", "org_member", org_id=org.org_id, password="pw-om-1234")
    sign_in(client, "om", "pw-om-1234")
    assert client.get(f"/review/items/{item_id}/media").status_code == 403
    client.cookies.clear()
    sign_in(client, "mia", "pw-mia-123")
    r = client.get(f"/review/items/{item_id}/media")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG" and r.headers["cache-control"] == "no-store"


def test_the_organisation_page_shows_only_its_own_and_its_admin_appeals(client, rt, submit_reviewed, staff_member,
                                                                         org, make_org):
    from modpipe.domain import Decision

    mine = submit_reviewed(decision=Decision.BLOCK, user_id="writer-1")
    other = make_org("乙")
    theirs = submit_reviewed(decision=Decision.BLOCK, org_id=other.org_id, text="别人的内容")
    staff_member("om", "org_member", org_id=org.org_id, password="pw-om-1234")
    staff_member("oa", "org_admin", org_id=org.org_id, password="pw-oa-1234")
    sign_in(client, "om", "pw-om-1234")
    page = client.get("/org")
    assert page.status_code == 200 and mine[:8] in page.text and theirs[:8] not in page.text
    assert 'action="/org/appeals"' not in page.text  # members look; the admin appeals
    assert client.post("/org/appeals", data={"csrf_token": csrf_from(page.text), "item_id": mine,
                                             "reason": "x"}).status_code == 403
    assert client.get("/review").status_code == 403
    client.cookies.clear()
    sign_in(client, "oa", "pw-oa-1234")
    page = client.get("/org")
    token = csrf_from(page.text)
    r = client.post("/org/appeals", data={"csrf_token": token, "item_id": theirs, "reason": "不是我们的"},
                    follow_redirects=False)
    assert r.status_code == 303 and f"no item &#39;{theirs}&#39;" in client.get(r.headers["location"]).text
    r = client.post("/org/appeals", data={"csrf_token": token, "item_id": mine, "reason": "这是官方通知"},
                    follow_redirects=False)
    assert r.status_code == 303 and "Appeal" in client.get(r.headers["location"]).text
    with rt.db.session() as s:
        from review_queue.models import Appeal

        appeals = s.scalars(select(Appeal)).all()
    assert [(a.item_id, a.filed_by) for a in appeals] == [(mine, "oa")]


def test_the_workspace_suggests_a_break_after_a_long_run(client, rt, submit_reviewed, staff_member):
    from datetime import timedelta


    from modpipe.db import utcnow
    from review_queue.pages import BREAK_AFTER

    submit_reviewed()
    staff_member("mia", "moderator", password="pw-mia-123")
    sign_in(client, "mia", "pw-mia-123")
    assert 'id="wellness"' not in client.get("/review").text
    with rt.db.session() as s:
        from modpipe.models import StaffUser

        mia_id = s.scalar(select(StaffUser.id).where(StaffUser.username == "mia"))
        for i in range(BREAK_AFTER):
            it = Item(org_id=s.scalar(select(Item.org_id).limit(1)), kind="text", status="decided", text=str(i))
            s.add(it)
            s.flush()
            s.add(ReviewTask(item_id=it.id, queue="pipeline", status="done", decided_by=mia_id,
                             decided_at=utcnow() - timedelta(minutes=i % 50)))
    page = client.get("/review").text
    assert 'id="wellness"' in page and f"{BREAK_AFTER} items in the last hour" in page
