"""Rate-limit counters in a real Redis: the limit is decided by the atomic increment, and the headers' questions
(how many left, when the window resets) are answered from that same answer: one round trip per request."""

from __future__ import annotations

import os
import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from saas.config import load_settings
from saas.web.redis_counters import RedisCounters
from tests.conftest import need_service

pytestmark = pytest.mark.redis


def _count_commands(storage: RedisCounters) -> list[str]:
    """Every command the storage's client sends, by name (a round trip each)."""
    sent: list[str] = []
    for client in {id(c): c for c in (storage.get_connection(), storage.get_connection(True))}.values():
        original = client.execute_command

        def counted(*args, _original=original, **kwargs):
            sent.append(str(args[0]).upper())
            return _original(*args, **kwargs)

        client.execute_command = counted
    return sent


def test_a_hit_and_its_headers_cost_one_round_trip_and_the_limit_holds():
    url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    storage = RedisCounters(f"atelier+{url}")
    limiter = FixedWindowRateLimiter(storage)
    limit = parse("2/minute")
    key = f"test-{time.time_ns()}"
    limiter.hit(limit, key)  # the first hit of the window (and the script's first load)
    sent = _count_commands(storage)
    assert limiter.hit(limit, key) is True
    stats = limiter.get_window_stats(limit, key)
    assert stats.remaining == 0 and 0 < stats.reset_time - time.time() <= 60
    assert sent == ["EVALSHA"]  # the hit; the headers' count and reset time asked nothing more
    assert limiter.hit(limit, key) is False  # the third in the window is refused
    # Another process's view (no answer of its own to reuse) reads Redis and agrees.
    elsewhere = FixedWindowRateLimiter(RedisCounters(f"atelier+{url}"))
    assert elsewhere.get_window_stats(limit, key).remaining == 0


def test_the_settings_route_redis_rate_limits_through_it():
    env = {"ATELIER_ENV": "test", "SECRET_KEY": "x" * 40, "REDIS_URL": "redis://localhost:6379/3"}
    assert load_settings(env).rate_limit_storage_url == "atelier+redis://localhost:6379/3"
    local = {**env, "RATE_LIMIT_STORAGE_URL": "local://"}
    assert load_settings(local).rate_limit_storage_url == "local://"
