"""Keep a worker's in-memory PDQ index in step with the hash-bank table.

Rows are loaded once at start; afterwards only rows newer than the last one
seen are read, at most once per ``ttl_s``, so "block and bank" takes effect
within seconds on every worker without a restart.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import select

from modpipe.db import Database
from modpipe.models import HashBankEntry


class HashBankSync:
    def __init__(self, db: Database, index, ttl_s: float = 2.0) -> None:
        self.db = db
        self.index = index
        self.ttl_s = ttl_s
        self._since: datetime | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def refresh(self, force: bool = False) -> int:
        """Add rows created since the last refresh. Returns how many were added."""
        now = time.monotonic()
        with self._lock:
            if not force and now - self._checked < self.ttl_s:
                return 0
            self._checked = now
            q = select(HashBankEntry).order_by(HashBankEntry.created_at)
            if self._since is not None:
                q = q.where(HashBankEntry.created_at > self._since)
            added = 0
            with self.db.session() as s:
                for row in s.scalars(q):
                    if row.id not in self.index:
                        self.index.add(row.id, row.pdq, row.category, row.org_id)
                        added += 1
                    self._since = row.created_at
            return added
