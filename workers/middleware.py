"""Worker middleware: bind the item id of each message to every log line written while it runs.

Inserted first in the broker's list, so its ``before`` hook runs before every other
middleware's and its ``after`` hook after all of theirs: dramatiq's own lines about
a failed or retried message carry the item id too.
"""

from __future__ import annotations

from dramatiq import Middleware

from modpipe.logs import ITEM_ID

class ItemLogContext(Middleware):
    ITEM_ACTORS = frozenset({"process_item"})

    def before_process_message(self, broker, message) -> None:
        item_id = message.args[0] if message.actor_name in self.ITEM_ACTORS and message.args else None
        ITEM_ID.set(item_id)

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        ITEM_ID.set(None)

    after_skip_message = after_process_message


def install(broker) -> None:
    if any(isinstance(m, ItemLogContext) for m in broker.middleware):
        return
    first = type(broker.middleware[0]) if broker.middleware else None
    broker.add_middleware(ItemLogContext(), before=first) if first else broker.add_middleware(ItemLogContext())
