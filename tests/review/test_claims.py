"""Claims: one holder per task under a lease, many moderators at once, expiry, order of work."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from modpipe.db import utcnow
from modpipe.domain import Decision
from review_queue import claims
from review_queue.decisions import DecisionInput, decide
from review_queue.models import ReviewTask
from reports.audit import verify


def task_for(rt, item_id: str) -> ReviewTask:
    with rt.db.session() as s:
        return s.scalar(select(ReviewTask).where(ReviewTask.item_id == item_id))


def test_a_review_verdict_puts_the_item_in_the_pipeline_queue(rt, submit_reviewed):
    item_id = submit_reviewed()
    t = task_for(rt, item_id)
    assert (t.queue, t.status) == ("pipeline", "open")
    assert t.due_at > utcnow() + timedelta(hours=20)  # pipeline SLA 24 h, not severe


def test_tampered_labels_are_reviewed_even_when_the_machine_passed(rt, submit_reviewed):
    item_id = submit_reviewed(decision=Decision.PASS, cats=(), flags=("aigc_label_tampered",))
    assert task_for(rt, item_id).queue == "tampered"


def test_many_moderators_one_task_exactly_one_gets_it(rt, submit_reviewed, staff_member):
    submit_reviewed()
    mods = [staff_member(f"m{i}", "moderator").p for i in range(12)]
    got, barrier = [], threading.Barrier(len(mods))

    def run(p):
        barrier.wait()
        got.append(claims.claim_next(rt, p))

    threads = [threading.Thread(target=run, args=(p,)) for p in mods]
    [t.start() for t in threads]
    [t.join() for t in threads]
    winners = [t for t in got if t is not None]
    assert len(winners) == 1
    # and the decision too: everyone tries, only the holder succeeds, once
    outcomes = []

    def try_decide(p):
        try:
            decide(rt, winners[0].id, p, DecisionInput("pass"))
            outcomes.append("ok")
        except Exception as e:  # noqa: BLE001 - we count the refusals
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=try_decide, args=(p,)) for p in mods]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count("ok") == 1 and outcomes.count("Conflict") == len(mods) - 1
    with rt.db.session() as s:
        assert verify(s).ok


def test_holding_a_task_and_claiming_again_gives_the_same_task(rt, submit_reviewed, staff_member):
    submit_reviewed(), submit_reviewed(text="另一条")
    p = staff_member("mia", "moderator").p
    a, b = claims.claim_next(rt, p), claims.claim_next(rt, p)
    assert a.id == b.id and b.lease_until >= a.lease_until


def test_an_expired_lease_returns_the_task(rt, submit_reviewed, staff_member):
    submit_reviewed()
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    t = claims.claim_next(rt, mia)
    assert claims.claim_next(rt, max_) is None  # leased to mia
    with rt.db.session() as s:
        s.execute(update(ReviewTask).where(ReviewTask.id == t.id).values(lease_until=utcnow() - timedelta(seconds=1)))
    t2 = claims.claim_next(rt, max_)
    assert t2.id == t.id and t2.claimed_by == max_.user_id and t2.claims == 2
    # mia's late decision is refused: the task is max's now
    try:
        decide(rt, t.id, mia, DecisionInput("pass"))
        raise AssertionError("a lapsed lease must not decide")
    except Exception as e:
        assert type(e).__name__ == "Conflict" and "claimed by another" in str(e)
    assert decide(rt, t.id, max_, DecisionInput("pass")).final


def test_release_gives_the_task_back(rt, submit_reviewed, staff_member):
    submit_reviewed()
    mia, max_ = staff_member("mia", "moderator").p, staff_member("max", "moderator").p
    t = claims.claim_next(rt, mia)
    claims.release(rt, t.id, mia)
    assert claims.claim_next(rt, max_).id == t.id


def test_overdue_first_then_severity_then_age(rt, submit_reviewed, staff_member):
    mild = submit_reviewed(text="普通的一条")
    severe = submit_reviewed(text="严重的一条", cats=(("terrorism_extremism", 0.6),))
    late = submit_reviewed(text="超时的一条")
    with rt.db.session() as s:
        s.execute(update(ReviewTask).where(ReviewTask.item_id == late).values(due_at=utcnow() - timedelta(minutes=5)))
    order = []
    for i in range(3):
        p = staff_member(f"m{i}", "moderator").p
        order.append(claims.claim_next(rt, p).item_id)
    assert order == [late, severe, mild]


def test_sqlite_claims_are_safe_too(make_runtime, sqlite_url):
    """The embedded shape has no row locks: a compare-and-set UPDATE decides who wins."""
    from modpipe.accounts import create_org, create_user, principal_for_token
    from modpipe.verdict import Verdict
    from workers import tasks

    rt = make_runtime(sqlite_url, with_broker=False)
    org, _ = create_org(rt.db, "甲")
    for i in range(3):
        item, _ = _submit_no_broker(rt, org.id, f"第{i}条")
        tasks.claim(rt, item.id)
        tasks.finalize(rt, item.id, Verdict(decision=Decision.REVIEW))
    mods = [principal_for_token(rt.db, create_user(rt.db, f"s{i}", "moderator")[1]) for i in range(8)]
    got, barrier = [], threading.Barrier(len(mods))

    def run(p):
        barrier.wait()
        got.append(claims.claim_next(rt, p))

    threads = [threading.Thread(target=run, args=(p,)) for p in mods]
    [t.start() for t in threads]
    [t.join() for t in threads]
    ids = [t.id for t in got if t is not None]
    assert len(ids) == 3 and len(set(ids)) == 3


def _submit_no_broker(rt, org_id: str, text: str):
    from modpipe.models import Item

    with rt.db.session() as s:
        item = Item(org_id=org_id, kind="text", status="queued", text=text)
        s.add(item)
    return item, True
