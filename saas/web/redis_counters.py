"""Rate-limit counters in Redis at one round trip per request instead of three.

With headers on (X-RateLimit-Remaining / -Reset, which integrations read), Flask-Limiter hits the counter and
then asks the storage for the window's count and expiry: INCR, then GET and TTL, three round trips. This storage
answers the hit with the count and the time left together (one script) and serves the two questions that follow
from that answer, in the same thread, for a second. Another process's hits in that second are not in the
headers; the limit itself is always decided by the atomic INCR. Registered as `atelier+redis://` (and
`atelier+rediss://`); the settings turn a `redis://` rate-limit URL into it.
"""

from __future__ import annotations

import threading
import time

from limits.storage import RedisStorage

# INCRBY, the expiry set on the window's first hit (as limits' own script), and the seconds left, in one call.
INCR_WITH_TTL = """
local current = redis.call("incrby", KEYS[1], tonumber(ARGV[2]))
if current == tonumber(ARGV[2]) then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""
FRESH_FOR = 1.0  # seconds an answer may serve the header questions that follow it


class RedisCounters(RedisStorage):
    STORAGE_SCHEME = ["atelier+redis", "atelier+rediss"]

    def __init__(self, uri: str, **options: object) -> None:
        self._answers = threading.local()
        super().__init__(uri.removeprefix("atelier+"), **options)

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self.lua_incr_with_ttl = self.get_connection().register_script(INCR_WITH_TTL)

    def _recent(self, key: str) -> tuple[int, float] | None:
        found = getattr(self._answers, "by_key", {}).get(key)
        if found is None or time.monotonic() - found[2] > FRESH_FOR:
            return None
        return found[0], found[1]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        count, ttl = self.lua_incr_with_ttl([self.prefixed_key(key)], [expiry, amount])
        answers = getattr(self._answers, "by_key", None)
        if answers is None or len(answers) > 64:
            answers = self._answers.by_key = {}
        answers[key] = (int(count), max(int(ttl), 0) + time.time(), time.monotonic())
        return int(count)

    def get(self, key: str) -> int:
        found = self._recent(key)
        return found[0] if found is not None else super().get(key)

    def get_expiry(self, key: str) -> float:
        found = self._recent(key)
        return found[1] if found is not None else super().get_expiry(key)
