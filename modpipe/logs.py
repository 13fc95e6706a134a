"""Structured logs: one JSON object per line, with the item id on every line about an item.

The item id travels in a context variable (:data:`ITEM_ID`): the worker
middleware binds it for each message, the API binds it for each request about
one item, and :class:`JsonFormatter` writes it on every line logged meanwhile,
including lines from libraries (dramatiq's retries, SQLAlchemy) that never saw it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import time
from typing import Iterator

_STD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

ITEM_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("modpipe_item_id", default=None)


@contextlib.contextmanager
def bound_item(item_id: str | None) -> Iterator[None]:
    """Every log line inside the block carries ``item_id``."""
    token = ITEM_ID.set(item_id)
    try:
        yield
    finally:
        ITEM_ID.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        item_id = ITEM_ID.get()
        if item_id is not None:
            out["item_id"] = item_id
        for k, v in record.__dict__.items():
            if k not in _STD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("jieba", "httpx", "multipart", "python_multipart", "alembic", "dramatiq"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
