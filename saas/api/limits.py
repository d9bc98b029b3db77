"""The API's per-token rate limit (`API_RATE_LIMIT`), checked in one step before the token is looked up.

Flask-Limiter resolved, for every request, which of its decorators, blueprint limits and defaults applied, and
parsed the limit again: ~0.15 ms of CPU of a 1.8 ms API read, for one limit that is the same for every request
of the blueprint. This applies that limit directly, with the same counters (the app's limiter storage: Redis in
one round trip, saas/web/redis_counters.py, or this process's memory) and the same fixed window, and answers with
the same headers (X-RateLimit-Limit, -Remaining, -Reset; Retry-After on a 429). As Flask-Limiter was configured
(RATELIMIT_SWALLOW_ERRORS, RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), a storage that fails does not fail the request:
this process counts in its own memory until the storage answers again.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from saas.tokens import hash_token
from saas.web import local_counters, redis_counters  # noqa: F401  register local:// and atelier+redis://

log = logging.getLogger(__name__)
RETRY_STORAGE_AFTER = 30.0  # seconds on this process's memory before the storage is tried again


@dataclass
class TokenLimits:
    limits: list[RateLimitItem]
    counters: FixedWindowRateLimiter
    fallback: FixedWindowRateLimiter
    storage_failed_at: float | None = None

    def strategy(self) -> FixedWindowRateLimiter:
        failed = self.storage_failed_at
        if failed is not None and time.monotonic() - failed < RETRY_STORAGE_AFTER:
            return self.fallback
        return self.counters


def init_token_limits(app: Flask) -> None:
    """The counters live where the app's other limits do (RATE_LIMIT_STORAGE_URL, or Redis, or local://)."""
    settings = app.extensions["atelier.settings"]
    app.extensions["atelier.api_limits"] = TokenLimits(
        parse_many(settings.api_rate_limit),
        FixedWindowRateLimiter(storage_from_string(settings.rate_limit_storage_url)),
        FixedWindowRateLimiter(storage_from_string("local://")),
    )


def token_key() -> str:
    """Per token (the limit is checked before the token is looked up, so the key is the header itself)."""
    header = request.headers.get("Authorization", "")
    return f"token:{hash_token(header)[:24]}" if header.startswith("Bearer ") else f"ip:{request.remote_addr}"


def check_token_limit() -> None:
    """Count this request against its token's limits; 429 once one is spent. The headers go on the answer."""
    state: TokenLimits = current_app.extensions["atelier.api_limits"]
    key = token_key()
    try:
        spent = _hit(state.strategy(), state.limits, key)
    except Exception:  # the storage is unreachable: count here rather than refuse or let everything through
        log.warning("API rate-limit storage unreachable; counting in this process's memory", exc_info=True)
        state.storage_failed_at = time.monotonic()
        spent = _hit(state.fallback, state.limits, key)
    limit, remaining, reset = spent
    g.api_limit_headers = {
        "X-RateLimit-Limit": str(limit.amount),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": str(math.ceil(reset)),
    }
    if remaining < 0:
        refused = TooManyRequests()
        refused.retry_after = max(math.ceil(reset - time.time()), 1)  # type: ignore[attr-defined]
        raise refused


def _hit(strategy: FixedWindowRateLimiter, limits: list[RateLimitItem], key: str) -> tuple[RateLimitItem, int, float]:
    """Hit every limit; the one nearest to refusing (a spent one first) with what is left and when it resets."""
    tightest: tuple[RateLimitItem, int, float] | None = None
    for limit in limits:
        allowed = strategy.hit(limit, key)
        reset, remaining = strategy.get_window_stats(limit, key)
        if not allowed:
            remaining = -1
        if tightest is None or remaining < tightest[1]:
            tightest = (limit, remaining, reset)
    assert tightest is not None
    return tightest


def add_limit_headers(response: Response) -> Response:
    for name, value in g.get("api_limit_headers", {}).items():
        response.headers[name] = value
    return response
