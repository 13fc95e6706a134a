"""Decisions: the item's verdict, second review for severe blocks and fabrications, webhooks, events, bank."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from modpipe import events
from modpipe.domain import Kind
from modpipe.errors import Conflict, Forbidden, InvalidInput
from modpipe.models import HashBankEntry, Item, WebhookDelivery
from review_queue import claims
from review_queue.decisions import DecisionInput, decide
from review_queue.models import ReviewTask
from reports.models import AuditEntry


def item(rt, item_id) -> Item:
    with rt.db.session() as s:
        return s.get(Item, item_id)


@pytest.fixture
def decided_events():
    seen = []

    def handler(session, task, item, final):
        seen.append((task.id, item.id, item.decision, final))

    events.subscribe("review.decided", handler)
    yield seen
    events._handlers["review.decided"].remove(handler)


@pytest.mark.local_webhooks
def test_a_pass_is_final_and_updates_the_item_and_fires_the_webhook(rt, submit_reviewed, staff_member,
                                                                   decided_events):
    item_id = submit_reviewed(callback_url="http://127.0.0.1:9/hook")
    mia = staff_member("mia", "moderator").p
    t = claims.claim_next(rt, mia)
    r = decide(rt, t.id, mia, DecisionInput.parse({"decision": "pass", "note": "a real notice"}))
    assert r.final and r.task.outcome == "final"
    it = item(rt, item_id)
    assert (it.decision, it.decision_source, it.categories) == ("pass", "moderator", [])
    assert it.pipeline_decision == "review"  # what the machine said is kept
    with rt.db.session() as s:
        hooks = s.scalars(select(WebhookDelivery).where(WebhookDelivery.item_id == item_id)).all()
        actions = s.scalars(select(AuditEntry.action)).all()
    assert len(hooks) == 2  # the pipeline's verdict, then the moderator's
    assert "review.decide" in actions and "review.claim" in actions
    assert decided_events == [(t.id, item_id, "pass", True)]


def test_a_block_keeps_the_machine_evidence_for_the_confirmed_category(rt, submit_reviewed, staff_member):
    item_id = submit_reviewed(cats=(("rumor_disorder", 0.62), ("spam_ads_sexual", 0.3)))
    mia = staff_member("mia", "moderator").p
    t = claims.claim_next(rt, mia)
    decide(rt, t.id, mia, DecisionInput.parse({"decision": "block", "categories": ["rumor_disorder"]}))
    cats = item(rt, item_id).categories
    assert [c["category"] for c in cats] == ["rumor_disorder"]
    sources = [e["source"] for e in cats[0]["evidence"]]
    assert sources == ["rule", "moderator"]


@pytest.mark.parametrize("body", [
    {"decision": "maybe"},
    {"decision": "block", "categories": []},
    {"decision": "block", "categories": ["not_a_category"]},
    {"decision": "pass", "fabricated": "yes"},
    {"decision": "pass", "bank": True},
    {"decision": "pass", "note": "x" * 5000},
])
def test_bad_decisions_are_refused_with_the_reason(body):
    with pytest.raises(InvalidInput):
        DecisionInput.parse(body)


def test_severe_block_needs_a_senior_who_is_not_the_first_reviewer(rt, submit_reviewed, staff_member,
                                                                 decided_events):
    item_id = submit_reviewed(cats=(("terrorism_extremism", 0.7),))
    mia = staff_member("mia", "moderator").p
    sam = staff_member("sam", "senior_moderator").p
    sue = staff_member("sue", "senior_moderator").p
    t = claims.claim_next(rt, mia)
    r = decide(rt, t.id, mia, DecisionInput.parse({"decision": "block", "categories": ["terrorism_extremism"]}))
    assert not r.final and r.second_review_task_id
    assert item(rt, item_id).decision == "review"  # nothing applied yet
    assert decided_events == []
    # a plain moderator never gets the second review; the senior does
    assert claims.claim_next(rt, staff_member("max", "moderator").p) is None
    second = claims.claim_next(rt, sam)
    assert second.id == r.second_review_task_id and second.queue == "second_review"
    r2 = decide(rt, second.id, sam, DecisionInput.parse({"decision": "block", "categories": ["terrorism_extremism"]}))
    assert r2.final
    assert item(rt, item_id).decision == "block"
    with rt.db.session() as s:
        assert s.get(ReviewTask, t.id).outcome == "confirmed"
    assert decided_events == [(second.id, item_id, "block", True)]
    assert claims.claim_next(rt, sue) is None


def test_a_senior_first_reviewer_still_needs_another_senior(rt, submit_reviewed, staff_member):
    submit_reviewed(cats=(("porn_gambling_violence", 0.7),))
    sam, sue = staff_member("sam", "senior_moderator").p, staff_member("sue", "senior_moderator").p
    t = claims.claim_next(rt, sam)
    r = decide(rt, t.id, sam, DecisionInput.parse({"decision": "block", "categories": ["porn_gambling_violence"]}))
    assert not r.final
    assert claims.claim_next(rt, sam) is None  # his own decision does not come back to him
    assert claims.claim_next(rt, sue).id == r.second_review_task_id


def test_a_fabrication_mark_needs_a_second_review_and_can_be_overruled(rt, submit_reviewed, staff_member,
                                                                     decided_events):
    item_id = submit_reviewed()
    mia, sam = staff_member("mia", "moderator").p, staff_member("sam", "senior_moderator").p
    t = claims.claim_next(rt, mia)
    r = decide(rt, t.id, mia, DecisionInput.parse({"decision": "block", "categories": ["rumor_disorder"],
                                                   "fabricated": True}))
    assert not r.final
    second = claims.claim_next(rt, sam)
    decide(rt, second.id, sam, DecisionInput.parse({"decision": "block", "categories": ["rumor_disorder"],
                                                    "note": "a rumour, but not fabricated"}))
    it = item(rt, item_id)
    assert it.decision == "block" and "fabricated" not in it.flags
    with rt.db.session() as s:
        assert s.get(ReviewTask, t.id).outcome == "overruled"
    assert [e[3] for e in decided_events] == [True]


def test_a_confirmed_fabrication_flags_the_item(rt, submit_reviewed, staff_member):
    item_id = submit_reviewed()
    mia, sam = staff_member("mia", "moderator").p, staff_member("sam", "senior_moderator").p
    body = {"decision": "block", "categories": ["rumor_disorder"], "fabricated": True}
    decide(rt, claims.claim_next(rt, mia).id, mia, DecisionInput.parse(body))
    decide(rt, claims.claim_next(rt, sam).id, sam, DecisionInput.parse(body))
    assert "fabricated" in item(rt, item_id).flags


def test_nobody_decides_a_task_they_do_not_hold(rt, submit_reviewed, staff_member):
    submit_reviewed()
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    t = claims.claim_next(rt, mia)
    with pytest.raises(Conflict, match="claimed by another"):
        decide(rt, t.id, max_, DecisionInput("pass"))
    decide(rt, t.id, mia, DecisionInput("pass"))
    with pytest.raises(Conflict, match="already decided"):
        decide(rt, t.id, mia, DecisionInput("pass"))


def test_compliance_and_org_roles_cannot_claim_or_decide(rt, submit_reviewed, staff_member, org):
    submit_reviewed()
    for username, role, org_id in (("cora", "compliance", None), ("oa", "org_admin", org.org_id),
                                   ("om", "org_member", org.org_id)):
        p = staff_member(username, role, org_id=org_id).p
        with pytest.raises(Forbidden):
            claims.claim_next(rt, p)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (120, 80), "white")
    d = ImageDraw.Draw(im)
    for i in range(0, 120, 12):
        d.rectangle([i, (i * 7) % 60, i + 8, (i * 7) % 60 + 20], fill=(i * 2, 40, 200 - i))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_block_and_bank_adds_the_images_pdq_hash(rt, submit_reviewed, staff_member):
    from review_queue.bank import pdq_hex

    data = _png()
    item_id = submit_reviewed(kind=Kind.IMAGE, data=data, mime="image/png", cats=(("spam_ads_sexual", 0.6),))
    mia = staff_member("mia", "moderator").p
    t = claims.claim_next(rt, mia)
    decide(rt, t.id, mia, DecisionInput.parse({"decision": "block", "categories": ["spam_ads_sexual"], "bank": True}))
    with rt.db.session() as s:
        entries = s.scalars(select(HashBankEntry)).all()
    assert len(entries) == 1
    e = entries[0]
    assert (e.org_id, e.category, e.item_id, e.added_by) == (None, "spam_ads_sexual", item_id, "mia")
    assert e.pdq == pdq_hex(data) and len(e.pdq) == 64


def test_a_final_decision_answers_the_machines_open_task_on_the_same_item(rt, submit_reviewed, staff_member, org):
    from modpipe.accounts import Principal
    from review_queue import cases

    item_id = submit_reviewed()
    cases.file_complaint(rt, Principal(kind="org", org_id=org.org_id), item_id, "谣言")
    mia = staff_member("mia", "moderator").p
    t = claims.claim_next(rt, mia)
    assert t.queue == "complaint"
    decide(rt, t.id, mia, DecisionInput.parse({"decision": "block", "categories": ["rumor_disorder"]}))
    with rt.db.session() as s:
        rows = {(r.queue, r.status) for r in s.scalars(select(ReviewTask).where(ReviewTask.item_id == item_id))}
    assert rows == {("complaint", "done"), ("pipeline", "cancelled")}
    assert claims.claim_next(rt, mia) is None
