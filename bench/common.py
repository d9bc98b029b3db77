"""What every benchmark shares: the environment it runs the app in, and how it times calls."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def environment(folder: Path) -> dict[str, str]:
    """SQLite in `folder`, or the PostgreSQL of BENCH_DATABASE_URL (as the RLS-bound app role)."""
    env = {
        "ATELIER_ENV": "test",
        "SECRET_KEY": "b" * 48,
        "INSTANCE_DIR": str(folder),
        "LOG_LEVEL": "ERROR",
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "API_RATE_LIMIT": "100000 per minute",
    }
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
        env["MIGRATION_DATABASE_URL"] = os.environ.get("BENCH_MIGRATION_DATABASE_URL", env["DATABASE_URL"])
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    return env


def measure(label: str, call: Callable[[], Any], repeat: int = int(os.environ.get("BENCH_REPEAT", "100"))) -> float:
    """Print the median and p95 of `repeat` timed calls (after one warm-up) and return the median, in ms. The
    process is prepared as `saas serve` prepares a server process (saas.wsgi_server.settle_memory)."""
    call()
    from saas.wsgi_server import settle_memory

    settle_memory()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - started) * 1000)
        status = getattr(response, "status_code", 200)
        assert status in (200, 302), (label, status)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    median = statistics.median(timings)
    print(f"{label:<48} median {median:7.1f} ms   p95 {p95:7.1f} ms   (n={repeat})")
    return median


def api_token(app, slug: str) -> str:
    """A bearer token of the owner of the studio `slug`, for timing the API."""
    from sqlalchemy import select

    from saas.extensions import db
    from saas.isolation import set_tenant
    from saas.tenants.models import Membership, Tenant
    from saas.tenants.tokens import create_token

    with app.app_context():
        set_tenant(db.session(), db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)))
        owner = db.session.scalar(select(Membership).where(Membership.role == "owner"))
        _token, raw = create_token(owner, "bench", "owner")
        db.session.commit()
        return raw


def analyze(env: dict[str, str]) -> None:
    """Statistics for the planner after a bulk load. The app's role owns no table, and ANALYZE run by a role
    that does not own a table silently skips it: run it as the owner (the migration role). A restore or a
    bulk import in production needs the same (README, PostgreSQL)."""
    if not env["DATABASE_URL"].startswith("postgresql"):
        return
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from saas.db import make_engine

    engine = make_engine(env.get("MIGRATION_DATABASE_URL") or env["DATABASE_URL"], poolclass=NullPool)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
