"""In-process domain events, so packages react to each other without importing each other.

Handlers are registered in one place, :func:`modpipe.events.register_defaults`,
never by import side effects. Handlers run synchronously inside the caller's
database session: what they write commits (or rolls back) with the event's cause.

Events:
- ``review.decided(session, task, item, final: bool)``: a moderator decided a review task.
- ``item.final(session, item)``: an item's outcome changed after review (decision, categories).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

Handler = Callable[..., None]

_handlers: dict[str, list[Handler]] = defaultdict(list)
_registered = False


def subscribe(event: str, handler: Handler) -> None:
    if handler in _handlers[event]:
        raise ValueError(f"{handler!r} is already subscribed to {event!r}")
    _handlers[event].append(handler)


def emit(event: str, **payload: Any) -> None:
    register_defaults()
    for handler in list(_handlers[event]):
        handler(**payload)


def register_defaults() -> None:
    """The one list of default subscriptions (filled in as packages land)."""
    global _registered
    if _registered:
        return
    _registered = True
    from reports.regulator import on_review_decided

    subscribe("review.decided", on_review_decided)  # drafts regulator reports (clause 5.2.5)
