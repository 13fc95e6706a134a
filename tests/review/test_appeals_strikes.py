"""Complaints, appeals routed away from the first decider, strikes and their thresholds, lifting them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ingest.submission import Submission, submit
from modpipe.domain import Decision, Kind
from modpipe.errors import Conflict, Forbidden, InvalidInput, NotFound
from modpipe.models import Account, Item
from review_queue import cases, claims, strikes
from review_queue.decisions import DecisionInput, decide
from review_queue.models import Appeal, Complaint, ReviewTask, Strike

BLOCK = {"decision": "block", "categories": ["rumor_disorder"]}


def _org_p(org):
    from modpipe.accounts import Principal

    return Principal(kind="org", org_id=org.org_id)


def block_by(rt, p, body=BLOCK):
    t = claims.claim_next(rt, p)
    return decide(rt, t.id, p, DecisionInput.parse(body))


def test_complaints_about_one_item_share_one_task(rt, submit_reviewed, staff_member, org):
    item_id = submit_reviewed(decision=Decision.PASS, cats=())
    c1 = cases.file_complaint(rt, _org_p(org), item_id, "这是谣言")
    c2 = cases.file_complaint(rt, staff_member("cora", "compliance").p, item_id, "收到用户举报")
    assert c1.task_id == c2.task_id
    with rt.db.session() as s:
        t = s.get(ReviewTask, c1.task_id)
    assert t.queue == "complaint" and t.priority == 21  # the second complaint bumped it
    mia = staff_member("mia", "moderator").p
    block_by(rt, mia, {**BLOCK, "note": "confirmed false"})
    with rt.db.session() as s:
        rows = s.scalars(select(Complaint)).all()
    assert {(c.status, c.outcome, c.answer) for c in rows} == {("resolved", "block", "confirmed false")}


def test_complaints_need_a_reason_and_stay_inside_the_organisation(rt, submit_reviewed, make_org):
    item_id = submit_reviewed()
    other = make_org("乙")
    with pytest.raises(InvalidInput):
        cases.file_complaint(rt, _org_p(other), item_id, "  ")
    with pytest.raises(NotFound):
        cases.file_complaint(rt, _org_p(other), item_id, "not yours")


def test_an_appeal_goes_to_someone_else_and_is_answered(rt, submit_reviewed, staff_member, org):
    item_id = submit_reviewed()
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    block_by(rt, mia)
    appeal = cases.file_appeal(rt, _org_p(org), item_id, "这是真实的停水通知，附官方链接")
    assert appeal.first_decider == mia.user_id and appeal.appealed_decision == "block"
    assert claims.claim_next(rt, mia) is None  # never back to the first decider
    t = claims.claim_next(rt, max_)
    assert t.queue == "appeal" and t.id == appeal.task_id
    with pytest.raises(InvalidInput, match="reason the organisation can read"):
        decide(rt, t.id, max_, DecisionInput("pass"))
    decide(rt, t.id, max_, DecisionInput.parse({"decision": "pass", "note": "官方通知属实，恢复发布"}))
    with rt.db.session() as s:
        a = s.get(Appeal, appeal.id)
        it = s.get(Item, item_id)
    assert (a.status, a.answer) == ("overturned", "官方通知属实，恢复发布")
    assert it.decision == "pass"


def test_an_appeal_can_be_upheld(rt, submit_reviewed, staff_member, org):
    item_id = submit_reviewed()
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    block_by(rt, mia)
    appeal = cases.file_appeal(rt, _org_p(org), item_id, "请复核")
    block_by(rt, max_, {**BLOCK, "note": "通知与官方公告不符"})
    with rt.db.session() as s:
        a = s.get(Appeal, appeal.id)
    assert a.status == "upheld" and a.answer == "通知与官方公告不符"


def test_appeals_only_for_blocks_from_the_organisation_once_at_a_time(rt, submit_reviewed, staff_member, org):
    passed = submit_reviewed(decision=Decision.PASS, cats=())
    with pytest.raises(Conflict, match="only a block"):
        cases.file_appeal(rt, _org_p(org), passed, "why")
    blocked = submit_reviewed(decision=Decision.BLOCK)
    with pytest.raises(Forbidden):
        cases.file_appeal(rt, staff_member("mia", "moderator").p, blocked, "not mine to appeal")
    cases.file_appeal(rt, _org_p(org), blocked, "first")
    with pytest.raises(Conflict, match="open appeal"):
        cases.file_appeal(rt, _org_p(org), blocked, "second")


def test_an_appeal_of_a_second_reviewed_block_avoids_both_deciders(rt, submit_reviewed, staff_member, org):
    item_id = submit_reviewed(cats=(("terrorism_extremism", 0.7),))
    mia, sam = staff_member("mia", "moderator").p, staff_member("sam", "senior_moderator").p
    body = {"decision": "block", "categories": ["terrorism_extremism"]}
    block_by(rt, mia, body)
    block_by(rt, sam, body)
    cases.file_appeal(rt, _org_p(org), item_id, "请复核")
    assert claims.claim_next(rt, mia) is None and claims.claim_next(rt, sam) is None
    assert claims.claim_next(rt, staff_member("max", "moderator").p).queue == "appeal"


def _account(rt, org_id, user_id) -> Account:
    with rt.db.session() as s:
        return s.scalar(select(Account).where(Account.org_id == org_id, Account.external_user_id == user_id))


def test_strikes_restrict_then_suspend_and_new_items_are_refused(rt, submit_reviewed, staff_member, org):
    mia = staff_member("mia", "moderator").p
    for i in range(strikes.RESTRICT_AT):
        submit_reviewed(text=f"谣言{i}", user_id="bad")
        block_by(rt, mia)
    acc = _account(rt, org.org_id, "bad")
    assert acc.status == "restricted" and "3 confirmed violations" in acc.status_reason
    with pytest.raises(Forbidden, match="restricted"):
        submit(rt, org.org_id, Submission(kind=Kind.TEXT, user_id="bad", text="又一条"))
    # another account of the same organisation is not affected; the organisation's count is
    submit(rt, org.org_id, Submission(kind=Kind.TEXT, user_id="good", text="正常内容"))
    with rt.db.session() as s:
        assert strikes.org_strike_count(s, org.org_id) == 3
    # two more confirmed violations (items that were already in the queue) suspend it
    with rt.db.session() as s:
        acc_id = acc.id
        for i in range(2):
            it = Item(org_id=org.org_id, account_id=acc_id, kind="text", status="decided", decision="review", text=f"旧{i}")
            s.add(it)
            s.flush()
            s.add(ReviewTask(item_id=it.id, queue="pipeline", priority=10, reason="old"))
    for _ in range(2):
        block_by(rt, mia)
    assert _account(rt, org.org_id, "bad").status == "suspended"


def test_a_successful_appeal_lifts_the_strike_and_the_restriction(rt, submit_reviewed, staff_member, org):
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    items = []
    for i in range(strikes.RESTRICT_AT):
        items.append(submit_reviewed(text=f"谣言{i}", user_id="bad"))
        block_by(rt, mia)
    assert _account(rt, org.org_id, "bad").status == "restricted"
    cases.file_appeal(rt, _org_p(org), items[0], "第一条是官方通知")
    t = claims.claim_next(rt, max_)
    decide(rt, t.id, max_, DecisionInput.parse({"decision": "pass", "note": "属实"}))
    acc = _account(rt, org.org_id, "bad")
    assert acc.status == "active" and acc.status_reason is None
    with rt.db.session() as s:
        st = s.scalar(select(Strike).where(Strike.item_id == items[0]))
    assert st.lifted_at is not None and "not a violation" in st.lifted_reason
    submit(rt, org.org_id, Submission(kind=Kind.TEXT, user_id="bad", text="恢复后可以发"))


def test_a_suspension_set_by_hand_is_left_alone(rt, submit_reviewed, staff_member, org):
    submit_reviewed(user_id="x")
    with rt.db.session() as s:
        acc = s.scalar(select(Account).where(Account.external_user_id == "x"))
        acc.status, acc.status_reason = "suspended", "court order"
    mia = staff_member("mia", "moderator").p
    t = claims.claim_next(rt, mia)
    decide(rt, t.id, mia, DecisionInput("pass"))
    assert _account(rt, org.org_id, "x").status == "suspended"


def test_restrictions_end_when_the_strikes_age_out(rt, submit_reviewed, staff_member, org):
    from datetime import timedelta

    from sqlalchemy import update

    from modpipe.db import utcnow

    mia = staff_member("mia", "moderator").p
    for i in range(strikes.RESTRICT_AT):
        submit_reviewed(text=f"谣言{i}", user_id="old")
        block_by(rt, mia)
    assert _account(rt, org.org_id, "old").status == "restricted"
    with rt.db.session() as s:
        assert strikes.expire_restrictions(s) == 0  # still inside the window
        s.execute(update(Strike).values(created_at=utcnow() - strikes.WINDOW - timedelta(days=1)))
    with rt.db.session() as s:
        assert strikes.expire_restrictions(s) == 1
    assert _account(rt, org.org_id, "old").status == "active"


def test_the_sweeper_lifts_a_restriction_whose_strikes_aged_out(rt, submit_reviewed, staff_member, org):
    """No person acts: the workers' sweeper thread finds the aged-out strikes and lifts the restriction."""
    from datetime import timedelta

    from sqlalchemy import update

    from modpipe.db import utcnow
    from reports.models import AuditEntry
    from tests.conftest import wait_until
    from workers.run import Sweeper

    mia = staff_member("mia", "moderator").p
    for user in ("aged", "recent"):  # two accounts restricted; only the first one's strikes will age out
        for i in range(strikes.RESTRICT_AT):
            submit_reviewed(text=f"{user}的谣言{i}", user_id=user)
            block_by(rt, mia)
    assert [_account(rt, org.org_id, u).status for u in ("aged", "recent")] == ["restricted", "restricted"]
    aged_id = _account(rt, org.org_id, "aged").id
    with rt.db.session() as s:
        s.execute(update(Strike).where(Strike.account_id == aged_id)
                  .values(created_at=utcnow() - strikes.WINDOW - timedelta(days=1)))

    sweeper = Sweeper(rt)  # rt.settings.sweep_every_s is 1 s in the tests
    sweeper.start()
    try:
        wait_until(lambda: _account(rt, org.org_id, "aged").status == "active", timeout=15)
    finally:
        sweeper.stop()
    acc = _account(rt, org.org_id, "aged")
    assert acc.status_reason is None
    assert _account(rt, org.org_id, "recent").status == "restricted"
    submit(rt, org.org_id, Submission(kind=Kind.TEXT, user_id="aged", text="限制已自动解除"))
    with pytest.raises(Forbidden, match="restricted"):
        submit(rt, org.org_id, Submission(kind=Kind.TEXT, user_id="recent", text="仍受限"))
    with rt.db.session() as s:
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.standing_expired")).all()
    assert (entry.actor, entry.target, entry.details["before"], entry.details["after"]) == \
        ("sweeper", f"account:{acc.id}", "restricted", "active")


def _at_once(n, fn):
    """Run ``fn(i)`` in ``n`` threads released together; returns results or the exceptions raised."""
    import threading

    barrier, out = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as e:  # collected, asserted by the caller
            out[i] = e
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_simultaneous_appeals_make_one_appeal_and_simultaneous_complaints_one_task(rt, submit_reviewed, staff_member, org):
    blocked = submit_reviewed()
    block_by(rt, staff_member("mia", "moderator").p)
    got = _at_once(5, lambda i: cases.file_appeal(rt, _org_p(org), blocked, f"申诉 {i}"))
    assert sum(isinstance(a, Appeal) for a in got) == 1, got
    assert all(isinstance(a, Conflict) for a in got if not isinstance(a, Appeal)), got
    with rt.db.session() as s:
        assert len(s.scalars(select(Appeal).where(Appeal.item_id == blocked)).all()) == 1

    item_id = submit_reviewed(decision=Decision.PASS, cats=())
    got = _at_once(6, lambda i: cases.file_complaint(rt, _org_p(org), item_id, f"举报 {i}"))
    assert all(isinstance(c, Complaint) for c in got), got
    assert len({c.task_id for c in got}) == 1
    with rt.db.session() as s:
        tasks = s.scalars(select(ReviewTask).where(ReviewTask.item_id == item_id, ReviewTask.queue == "complaint")).all()
    assert len(tasks) == 1
