"""Validate a submission and commit it as a queued item; the message goes out after the commit.

Kept free of FastAPI so the rules are plain, testable code; the HTTP layer only
parses the body into :class:`Submission`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from modpipe.callbacks import check_url
from modpipe.domain import ItemStatus, Kind
from modpipe.errors import Forbidden, InvalidInput, ModpipeError, TooLarge, Unavailable
from modpipe.logs import bound_item
from modpipe.metrics import ITEMS_INGESTED
from modpipe.models import Account, Item
from modpipe.runtime import Runtime

log = logging.getLogger(__name__)

MAX_ID_CHARS = 200


@dataclass
class Submission:
    kind: Kind
    external_id: str | None = None
    user_id: str | None = None
    text: str | None = None
    data: bytes | None = None
    filename: str | None = None
    mime: str | None = None
    declared_aigc: bool = False
    callback_url: str | None = None
    source_ip: str | None = None


def _unicode(key: str, v: str) -> str:
    # JSON may carry "\ud800": valid JSON, not valid Unicode; the database cannot store it (the fuzz corpus found it).
    try:
        v.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidInput(f"{key!r} contains a lone surrogate at character {e.start}; send valid Unicode") from None
    if "\x00" in v:
        raise InvalidInput(f"{key!r} contains a NUL character")
    return v


def _opt_str(fields: dict[str, Any], key: str, max_len: int) -> str | None:
    v = fields.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise InvalidInput(f"{key!r} must be a string, got {type(v).__name__}")
    if len(v) > max_len:
        raise InvalidInput(f"{key!r} is {len(v)} characters; the limit is {max_len}")
    return _unicode(key, v)


def _bool(fields: dict[str, Any], key: str) -> bool:
    v = fields.get(key, False)
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "1", "yes", "false", "0", "no", ""):
        return v.lower() in ("true", "1", "yes")
    if v is None:
        return False
    raise InvalidInput(f"{key!r} must be true or false, got {v!r}")


def parse_fields(fields: dict[str, Any], max_text_chars: int) -> Submission:
    """Check the JSON (or multipart) fields; every message names the field and the fix."""
    if not isinstance(fields, dict):
        raise InvalidInput("the body must be a JSON object")
    raw_kind = fields.get("kind", "text")
    try:
        kind = Kind(raw_kind)
    except ValueError:
        raise InvalidInput(f"'kind' is {raw_kind!r}; use one of: text, image, video, file") from None
    text = fields.get("text")
    if text is not None and not isinstance(text, str):
        raise InvalidInput(f"'text' must be a string, got {type(text).__name__}")
    if text is not None and len(text) > max_text_chars:
        raise TooLarge(f"'text' is {len(text)} characters; the limit is {max_text_chars}")
    if text is not None and "\x00" in text:
        raise InvalidInput("'text' contains a NUL character")
    if text is not None:
        _unicode("text", text)
    callback = _opt_str(fields, "callback_url", 2000)  # where it may point: submit() (needs the settings)
    return Submission(
        kind=kind,
        external_id=_opt_str(fields, "external_id", MAX_ID_CHARS),
        user_id=_opt_str(fields, "user_id", MAX_ID_CHARS),
        text=text,
        declared_aigc=_bool(fields, "declared_aigc"),
        callback_url=callback,
    )


def _account(s, org_id: str, user_id: str | None) -> Account | None:
    if user_id is None:
        return None
    acc = s.scalar(select(Account).where(Account.org_id == org_id, Account.external_user_id == user_id))
    if acc is None:
        # Two first uploads of the same user may race (the load test found it): the loser of the
        # insert rolls back its savepoint only and reads the winner's row.
        try:
            with s.begin_nested():
                acc = Account(org_id=org_id, external_user_id=user_id)
                s.add(acc)
        except IntegrityError:
            acc = s.scalar(select(Account).where(Account.org_id == org_id, Account.external_user_id == user_id))
    if acc.status == "suspended" or acc.status == "restricted":
        raise Forbidden(f"account {user_id!r} is {acc.status}: {acc.status_reason or 'after repeated violations'} "
                        "(clause 8.1); new items are refused until it is lifted")
    return acc


def submit(rt: Runtime, org_id: str, sub: Submission) -> tuple[Item, bool]:
    """Commit the item (or find the one with the same external id). Returns (item, created)."""
    if sub.kind is Kind.TEXT and sub.data is None and not (sub.text or "").strip():
        raise InvalidInput("a text item needs a non-empty 'text'")
    if sub.kind is not Kind.TEXT and sub.data is None:
        raise InvalidInput(f"kind {sub.kind.value!r} needs the content as a multipart 'file' part")
    if sub.callback_url is not None:
        check_url(sub.callback_url, rt.settings.webhook_allow_private)  # SSRF: 422 before anything is stored
    # No look-up first: a new external id (the common case) costs one transaction; a repeated one
    # fails the unique constraint and is answered with the item that has it, below.
    sha = _store(rt, sub.data) if sub.data is not None else None
    try:
        with rt.db.session() as s:
            acc = _account(s, org_id, sub.user_id)
            item = Item(
                org_id=org_id, external_id=sub.external_id, account_id=acc.id if acc else None,
                kind=sub.kind.value, status=ItemStatus.QUEUED.value, text=sub.text,
                blob_sha256=sha, mime=sub.mime, filename=sub.filename,
                size_bytes=len(sub.data) if sub.data is not None else len((sub.text or "").encode()),
                declared_aigc=sub.declared_aigc, callback_url=sub.callback_url, source_ip=sub.source_ip,
            )
            s.add(item)
    except IntegrityError:
        # This external id is known (sent again, or two requests raced): the first item stands.
        existing = _find(rt, org_id, sub.external_id) if sub.external_id else None
        if existing is None:
            raise
        return existing, False
    ITEMS_INGESTED.labels(item.kind).inc()
    with bound_item(item.id):
        enqueue(rt, item.id)
    return item, True


def _store(rt: Runtime, data: bytes) -> str:
    """Store the original; a full or unreachable store refuses the upload (503), it never half-accepts it."""
    try:
        return rt.store.put(data)
    except ModpipeError:
        raise
    except Exception as e:
        log.warning("object store refused an upload of %d bytes: %s: %s", len(data), type(e).__name__, str(e)[:200])
        raise Unavailable("the object store cannot take this upload now (full or unreachable); nothing was "
                          "accepted, send it again later") from None


def enqueue(rt: Runtime, item_id: str) -> None:
    """Send the trigger. If the broker is away the item stays queued and the sweeper sends it later."""
    try:
        rt.actors.process_item.send(item_id)
    except Exception:
        log.exception("could not enqueue item %s now; the sweeper will re-send it", item_id)


def _find(rt: Runtime, org_id: str, external_id: str) -> Item | None:
    with rt.db.session() as s:
        return s.scalar(select(Item).where(Item.org_id == org_id, Item.external_id == external_id))
