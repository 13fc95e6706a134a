"""Sign-in throttling: failed passwords counted in Redis, per username and per client address.

After ``USER_FAILURES`` failures for one username (or ``ADDRESS_FAILURES`` from one address)
within ``WINDOW_S``, sign-in for it answers 429 with ``Retry-After`` until the window has
passed, without checking the password, so guessing costs an attacker the window each time.
A good password resets its username's count. Counters live in Redis, so every API process
shares them and they expire by themselves; when Redis cannot be reached the check is skipped
and logged (a broken broker must not lock every moderator out).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

WINDOW_S = 15 * 60
USER_FAILURES = 5  # a moderator mistyping five times in a quarter of an hour waits; a guesser waits too
ADDRESS_FAILURES = 30  # one address guessing many usernames


@dataclass(frozen=True)
class Throttle:
    client: object  # a redis client
    namespace: str

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return (f"{self.namespace}:signin-fail:user:{username.strip().lower()}",
                f"{self.namespace}:signin-fail:addr:{address}")

    def retry_after(self, username: str, address: str) -> int:
        """Seconds to wait before trying again, 0 when sign-in may go ahead."""
        user_key, addr_key = self._keys(username, address)
        try:
            with self.client.pipeline() as p:
                p.get(user_key).ttl(user_key).get(addr_key).ttl(addr_key)
                user_n, user_ttl, addr_n, addr_ttl = p.execute()
        except Exception:
            log.warning("sign-in throttle unavailable (Redis); not throttling", exc_info=True)
            return 0
        waits = [max(1, int(ttl)) for n, ttl, limit in ((user_n, user_ttl, USER_FAILURES),
                                                        (addr_n, addr_ttl, ADDRESS_FAILURES))
                 if n is not None and int(n) >= limit]
        return max(waits, default=0)

    def failed(self, username: str, address: str) -> None:
        try:
            with self.client.pipeline() as p:
                for key in self._keys(username, address):
                    p.set(key, 0, ex=WINDOW_S, nx=True).incr(key)  # the window starts at the first failure
                p.execute()
        except Exception:
            log.warning("sign-in throttle unavailable (Redis); failure not counted", exc_info=True)

    def succeeded(self, username: str, address: str) -> None:
        try:
            self.client.delete(self._keys(username, address)[0])
        except Exception:
            log.warning("sign-in throttle unavailable (Redis); count not reset", exc_info=True)


def for_runtime(rt) -> Throttle | None:
    broker = getattr(rt, "broker", None)
    return Throttle(broker.client, broker.namespace) if broker is not None else None
