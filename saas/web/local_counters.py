"""Rate-limit counters in this process's memory, for when there is no Redis (development, one process).

limits' own `memory://` storage starts a `threading.Timer` on nearly every hit to sweep expired counters: a new
thread per request. Counters here expire when read, and the sweep of counters nobody reads any more runs inline,
at most once a minute. Only the fixed-window strategy (Flask-Limiter's default, the one configured) is served.
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

SWEEP_EVERY = 60.0


class LocalCounters(Storage):
    STORAGE_SCHEME = ["local"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: object) -> None:
        self._counts: dict[str, int] = {}
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + SWEEP_EVERY
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            self._sweep(now)
            if self._expires.get(key, 0) <= now:
                self._counts[key] = 0
                self._expires[key] = now + expiry
            self._counts[key] += amount
            return self._counts[key]

    def get(self, key: str) -> int:
        with self._lock:
            return self._counts.get(key, 0) if self._expires.get(key, 0) > time.time() else 0

    def get_expiry(self, key: str) -> float:
        return self._expires.get(key, time.time())

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)
            self._expires.pop(key, None)

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            cleared = len(self._counts)
            self._counts.clear()
            self._expires.clear()
            return cleared

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY
        for key in [key for key, at in self._expires.items() if at <= now]:
            del self._counts[key], self._expires[key]
