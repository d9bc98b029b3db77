"""Foundation benchmark: requests through the real app, one large studio among many.

Sizes: BENCH_STUDIOS studios (default 100), each with 20 members and 1,000 audit events, except the measured
studio, which has BENCH_EVENTS audit events (default 200,000). Prints the median and p95 of:
  - GET /app/                        workspace home (session + membership + first-run counts)
  - GET /app/settings/members        team page
  - GET /app/settings/audit          first page of the audit trail
  - GET /app/settings/audit?before=  a page ~100k rows deep (keyset: should cost the same as the first)
  - GET /app/settings/audit?action=  filtered by a rare action
  - POST /login                      a full sign-in (scrypt hash check dominates)

Run:  .venv/bin/python bench/bench_foundation.py                    (SQLite in a temp folder)
      BENCH_DATABASE_URL=postgresql+psycopg://app@…  BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://owner@…
      .venv/bin/python bench/bench_foundation.py                    (PostgreSQL with RLS, app role)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, environment, measure
from saas.app import create_app
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import AuditEvent, Membership, Tenant, User
from saas.tenants.passwords import hash_password
from tests.conftest import Browser

STUDIOS = int(os.environ.get("BENCH_STUDIOS", "100"))
BIG_EVENTS = int(os.environ.get("BENCH_EVENTS", "200000"))
MEMBERS = 20
SMALL_EVENTS = 1000
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
PASSWORD = "bench-password-1"


def seed(app) -> str:
    """Returns the e-mail of the big studio's owner."""
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        session = db.session()
        if session.scalar(select(Tenant).where(Tenant.slug == "studio-0")) is not None:
            return "owner-0@bench.test"
        started = time.perf_counter()
        for n in range(STUDIOS):
            seed_studio(session, n, password_hash, BIG_EVENTS if n == 0 else SMALL_EVENTS)
        print(
            f"seeded {STUDIOS} studios, {STUDIOS * MEMBERS} members, "
            f"{BIG_EVENTS + (STUDIOS - 1) * SMALL_EVENTS} audit events in {time.perf_counter() - started:.0f} s"
        )
    return "owner-0@bench.test"


def seed_studio(session, n: int, password_hash: str, events: int) -> None:
    tenant = Tenant(name=f"Studio {n}", slug=f"studio-{n}")
    session.add(tenant)
    session.flush()
    set_tenant(session, tenant.id)
    users = [
        {
            "id": uuid.uuid4(),
            "email": f"owner-{n}@bench.test" if i == 0 else f"staff-{n}-{i}@bench.test",
            "name": f"Person {n}-{i}",
            "password_hash": password_hash,
            "failed_logins": 0,
            "password_changed_at": utcnow(),
            "created_at": utcnow(),
            "last_tenant_id": tenant.id,
        }
        for i in range(MEMBERS)
    ]
    session.execute(insert(User), users)
    session.execute(
        insert(Membership),
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant.id,
                "user_id": u["id"],
                "role": "owner" if i == 0 else "member",
                "active": True,
                "version": 1,
                "created_at": utcnow(),
            }
            for i, u in enumerate(users)
        ],
    )
    start = utcnow() - timedelta(days=365)
    actions = ("login.succeeded", "studio.settings_changed", "member.invited", "member.role_changed")
    batch = []
    for i in range(events):
        batch.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant.id,
                "actor_id": users[i % MEMBERS]["id"],
                "action": "member.deactivated" if i % 5000 == 0 else actions[i % 4],
                "target_type": "user",
                "target_id": str(users[i % MEMBERS]["id"]),
                "data": {"n": i},
                "ip": "10.0.0.1",
                "created_at": start + timedelta(seconds=i * 60),
            }
        )
        if len(batch) == 10000:
            session.execute(insert(AuditEvent), batch)
            batch = []
    if batch:
        session.execute(insert(AuditEvent), batch)
    session.commit()


def deep_cursor(app) -> str:
    with app.app_context():
        set_tenant(db.session(), db.session.scalar(select(Tenant.id).where(Tenant.slug == "studio-0")))
        row = db.session.execute(
            select(AuditEvent.created_at, AuditEvent.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .offset(BIG_EVENTS // 2)
            .limit(1)
        ).one()
        return f"{row.created_at.isoformat()}_{row.id}"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    env = environment(folder)
    from saas.config import load_settings

    upgrade(load_settings(env))
    app = create_app(env)
    email = seed(app)
    analyze(env)
    backend = env["DATABASE_URL"].split(":")[0]
    print(f"backend: {backend}; measured studio: {BIG_EVENTS} audit events, {MEMBERS} members")

    app.test_client_class = Browser
    client = app.test_client()
    assert client.login(email, PASSWORD).status_code == 302
    cursor = deep_cursor(app)
    measure("GET /app/", lambda: client.get("/app/"))
    measure("GET /app/settings/members", lambda: client.get("/app/settings/members"))
    measure("GET /app/settings/audit (first page)", lambda: client.get("/app/settings/audit"))
    measure("GET /app/settings/audit (~half-way deep)", lambda: client.get(f"/app/settings/audit?before={cursor}"))
    measure(
        "GET /app/settings/audit?action= (rare)", lambda: client.get("/app/settings/audit?action=member.deactivated")
    )
    other = app.test_client()
    measure("POST /login (scrypt)", lambda: other.login(email, PASSWORD), repeat=10)


if __name__ == "__main__":
    main()
