"""What the actors do, as plain functions of (runtime, id): testable without a broker.

Durability: the item row exists before its message; ``claim`` and ``finalize``
are compare-and-set updates on ``status``, so however often a message is
delivered (redelivery after a killed worker, the sweeper's re-send), the item
gets exactly one final outcome and its side effects (review task, webhook) once.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy import select, text, update

from classifiers.base import Content
from modpipe.db import utcnow
from modpipe.domain import Decision, ItemStatus, Kind
from modpipe.errors import RefusedCallback
from modpipe.logs import bound_item
from modpipe.metrics import DB_SECONDS, ITEMS_FINISHED, PIPELINE_FAILURES, POST_TO_VERDICT, SWEEPER_RESENT
from modpipe.models import Item, Organization, WebhookDelivery
from modpipe.runtime import Runtime
from modpipe.verdict import Verdict
from review_queue.models import ReviewTask

log = logging.getLogger(__name__)

OPEN_STATUSES = (ItemStatus.QUEUED.value, ItemStatus.PROCESSING.value)

# A crafted file that makes a stage raise must not come back forever (sweeper re-sends
# on top of dramatiq's retries): from this delivery on, a pipeline error is the outcome.
# Errors loading the item (database, object store) never count: those items wait.
MAX_PIPELINE_ATTEMPTS = 3


@contextmanager
def timed_db(op: str):
    t = time.perf_counter()
    try:
        yield
    finally:
        DB_SECONDS.labels(op).observe(time.perf_counter() - t)


class WebhookGaveUp(Exception):
    """The receiver answered with a client error that retrying will not fix."""


def content_for(rt: Runtime, item: Item) -> Content:
    data = rt.store.get(item.blob_sha256) if item.blob_sha256 else None
    return Content(
        kind=Kind(item.kind),
        text=item.text or "",
        data=data,
        mime=item.mime,
        filename=item.filename,
        org_id=item.org_id,
        declared_aigc=bool(item.declared_aigc),
    )


def claim(rt: Runtime, item_id: str) -> Item | None:
    """Mark the item processing; None when it already has its final outcome."""
    with timed_db("claim"), rt.db.session() as s:
        if s.get_bind().dialect.name == "postgresql":
            # Losing a claim in a database crash is harmless (the item is still open and the sweeper
            # re-sends it), so it need not wait for its WAL flush; the outcome (finalize) still does.
            s.execute(text("SET LOCAL synchronous_commit TO OFF"))
        # One round trip: the compare-and-set returns the row it changed, or nothing.
        return s.scalars(
            update(Item)
            .where(Item.id == item_id, Item.status.in_(OPEN_STATUSES))
            .values(status=ItemStatus.PROCESSING.value, attempts=Item.attempts + 1, enqueued_at=utcnow())
            .returning(Item)
        ).first()


def process_item(rt: Runtime, item_id: str) -> str | None:
    """Run the pipeline on one item and record its outcome. Returns the final status written, if any."""
    with bound_item(item_id):
        item = claim(rt, item_id)
        if item is None:
            log.info("item already final, nothing to do")
            return None
        content = content_for(rt, item)
        try:
            verdict = rt.pipeline.scan(content)
        except Exception as e:
            PIPELINE_FAILURES.inc()
            if item.attempts < MAX_PIPELINE_ATTEMPTS:
                raise  # dramatiq retries with backoff
            log.exception("the pipeline failed on attempt %d; rejecting the item", item.attempts)
            verdict = Verdict.rejected(f"the content could not be processed ({type(e).__name__} on "
                                       f"{item.attempts} attempts); a moderator can look at it")
        return finalize(rt, item_id, verdict)


def finalize(rt: Runtime, item_id: str, verdict: Verdict) -> str | None:
    """Write the outcome once (compare-and-set), with its review task and webhook row in the same transaction."""
    now = utcnow()
    status = ItemStatus.REJECTED if verdict.decision is None else ItemStatus.DECIDED
    values = dict(status=status.value, decided_at=now)
    if status is ItemStatus.REJECTED:
        values.update(reason=verdict.error)
    else:
        values.update(
            decision=verdict.decision.value,
            pipeline_decision=verdict.decision.value,
            decision_source=verdict.source,
            categories=[r.to_dict() for r in verdict.reported_categories()],
            flags=[f.value for f in verdict.flags],
            aigc=verdict.aigc,
            rules_version=verdict.rules_version,
            model_version=verdict.model_version,
        )
    delivery_id = None
    with timed_db("finalize"), rt.db.session() as s:
        item = s.scalars(
            update(Item).where(Item.id == item_id, Item.status.in_(OPEN_STATUSES)).values(**values).returning(Item)
        ).first()
        if item is None:
            return None  # someone else finished it first; their outcome stands
        created_at = item.created_at
        if needs_review(verdict):
            s.add(review_task_for(item, verdict))
        if item.callback_url:
            d = WebhookDelivery(item_id=item.id, url=item.callback_url)
            s.add(d)
            s.flush()
            delivery_id = d.id
    ITEMS_FINISHED.labels(status.value, values.get("decision") or "").inc()
    if created_at is not None:
        POST_TO_VERDICT.observe(max(0.0, (now - created_at).total_seconds()))
    if delivery_id and rt.actors is not None:
        rt.actors.deliver_webhook.send(delivery_id)
    return status.value


# A person looks at what the machine is unsure of, and at every tampered AI label or
# suspected fabrication (5.2.5: recorded only once a moderator confirms it).
REVIEW_FLAGS = frozenset({"aigc_label_tampered", "fabricated"})


def needs_review(verdict: Verdict) -> bool:
    if verdict.decision is None:
        return False
    return verdict.decision is Decision.REVIEW or bool(REVIEW_FLAGS.intersection(f.value for f in verdict.flags))


def review_task_for(item: Item, verdict: Verdict) -> ReviewTask:
    from review_queue.routing import pipeline_task

    return pipeline_task(item, [r.category.value for r in verdict.reported_categories()],
                         [f.value for f in verdict.flags])


def deliver_webhook(rt: Runtime, delivery_id: str) -> None:
    """POST the signed verdict; raise to let the Retries middleware back off and try again."""
    from modpipe.views import item_view
    from workers.webhook import signed_request

    with rt.db.session() as s:
        d = s.get(WebhookDelivery, delivery_id)
        if d is None or d.status == "delivered":
            return
        item = s.get(Item, d.item_id)
        org = s.get(Organization, item.org_id)
        body, headers = signed_request(org.webhook_secret, {"event": d.event, "item": item_view(item)})
        d.attempts += 1
        url = d.url
    with bound_item(item.id):
        _post_and_record(rt, delivery_id, url, body, headers)


def _post_and_record(rt: Runtime, delivery_id: str, url: str, body: bytes, headers: dict[str, str]) -> None:
    from workers.webhook import send

    give_up = None
    try:
        resp = send(url, body, headers, allow_private=rt.settings.webhook_allow_private)
        error = None if resp.status_code < 300 else f"HTTP {resp.status_code}"
        if 400 <= resp.status_code < 500 and resp.status_code not in (408, 429):
            give_up = f"webhook {url} answered {resp.status_code}; not retrying a client error"
    except RefusedCallback as e:  # SSRF guard (a private or metadata address, after DNS): retrying won't help
        error = give_up = f"refused: {e}"
    except (httpx.HTTPError, OSError) as e:  # OSError: the name does not resolve now
        error = f"{type(e).__name__}: {e}"
    with rt.db.session() as s:
        d = s.get(WebhookDelivery, delivery_id)
        if error is None:
            d.status, d.delivered_at, d.last_error = "delivered", utcnow(), None
            return
        d.last_error = error[:2000]
        if give_up:
            d.status = "failed"
    if give_up:
        raise WebhookGaveUp(give_up)
    raise RuntimeError(f"webhook delivery {delivery_id} to {url} failed: {error}")


def sweep(rt: Runtime) -> int:
    """Re-send items stuck in queued/processing past the deadline (and webhook deliveries never
    tried; and lift aged-out strike restrictions). Returns how many items were re-sent."""
    cutoff = utcnow() - timedelta(seconds=rt.settings.stuck_after_s)
    with rt.db.session() as s:
        ids = list(
            s.scalars(
                select(Item.id)
                .where(Item.status.in_(OPEN_STATUSES), Item.enqueued_at < cutoff)
                .order_by(Item.enqueued_at)
                .limit(1000)
            )
        )
        if ids:
            s.execute(update(Item).where(Item.id.in_(ids)).values(enqueued_at=utcnow()))
    for item_id in ids:
        rt.actors.process_item.send(item_id)
    if ids:
        SWEEPER_RESENT.inc(len(ids))
        log.warning("sweeper re-sent %d stuck items", len(ids))
    sweep_webhooks(rt, cutoff)
    sweep_restrictions(rt)
    return len(ids)


def sweep_webhooks(rt: Runtime, cutoff) -> int:
    """Re-send deliveries never tried: a worker killed between finalize's commit and its send
    leaves a pending row with no message (the fault run found four). A short-lived Redis key
    per delivery keeps one re-send per ``stuck_after_s``; a duplicate message is harmless
    (``deliver_webhook`` skips a delivered row)."""
    with rt.db.session() as s:
        ids = list(s.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.attempts == 0, WebhookDelivery.created_at < cutoff)
            .order_by(WebhookDelivery.created_at)
            .limit(1000)
        ))
    sent = 0
    client, ns = rt.broker.client, rt.broker.namespace
    ttl = max(1, int(rt.settings.stuck_after_s))
    for delivery_id in ids:
        if client.set(f"{ns}:modpipe:hook-resent:{delivery_id}", 1, nx=True, ex=ttl):
            rt.actors.deliver_webhook.send(delivery_id)
            sent += 1
    if sent:
        log.warning("sweeper re-sent %d webhook deliveries that were never tried", sent)
    return sent


# Strikes age out in days, not seconds: working the standings out again once a minute, fleet-wide, is plenty.
RESTRICTIONS_EVERY_S = 60


def sweep_restrictions(rt: Runtime) -> int:
    """Lift restrictions and suspensions whose strikes have aged out of the window (clause 8.1),
    without waiting for a person. A Redis key makes it once per ``RESTRICTIONS_EVERY_S`` however
    many sweepers run. Returns how many accounts changed."""
    from review_queue.strikes import expire_restrictions

    if not rt.broker.client.set(f"{rt.broker.namespace}:modpipe:restrictions-swept", 1, nx=True,
                                ex=RESTRICTIONS_EVERY_S):
        return 0
    with rt.db.session() as s:
        changed = expire_restrictions(s, actor="sweeper")
    if changed:
        log.info("sweeper lifted the strike restrictions of %d accounts", changed)
    return changed
