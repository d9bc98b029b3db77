"""The in-process rate-limit counters (no Redis): they count, expire, reset and start no thread per hit."""

from __future__ import annotations

import threading
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from saas.web.local_counters import LocalCounters


def test_local_scheme_gives_these_counters_and_a_window_refuses_past_its_limit():
    storage = storage_from_string("local://")
    assert isinstance(storage, LocalCounters)
    limiter = FixedWindowRateLimiter(storage)
    three = parse("3 per minute")
    assert [limiter.hit(three, "token", "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(three, "token", "b")  # another key has its own window
    reset_at, remaining = limiter.get_window_stats(three, "token", "a")
    assert remaining == 0 and time.time() < reset_at <= time.time() + 60


def test_a_window_ends_and_its_counter_starts_again():
    storage = LocalCounters()
    assert storage.incr("k", expiry=0.05) == 1 and storage.incr("k", expiry=0.05) == 2
    time.sleep(0.06)  # the window's own length: what is tested is that it ended
    assert storage.get("k") == 0 and storage.incr("k", expiry=0.05) == 1


def test_hits_start_no_threads_and_stale_counters_are_swept():
    storage = LocalCounters()
    before = threading.active_count()
    for i in range(500):
        storage.incr(f"key-{i}", expiry=0.001)
    assert threading.active_count() == before
    storage._next_sweep = 0  # the minute has passed
    time.sleep(0.002)
    storage.incr("fresh", expiry=60)
    assert list(storage._counts) == ["fresh"]
    assert storage.reset() == 1 and storage.get("fresh") == 0
