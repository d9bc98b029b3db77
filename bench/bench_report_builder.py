"""Report builder benchmark at the sizes of issue 17: one studio with BENCH_CLIENTS clients (default 100,000),
ten follow-ups each (1,000,000) and one invoice each (100,000), spread over three years, seeded in SQL with
generate_series (PostgreSQL; on SQLite with a recursive CTE, for a quick look at smaller sizes). Times the saved
reports' pages as a request runs them (the page, the definition checked, one GROUP BY as the RLS-bound app role,
the chart rendered), median and p95 of BENCH_REPEAT (100) requests:

  - clients: count by status and source (two dimensions), as the owner and as a member (record-level access)
  - invoices: sum of the amounts by month (three years: 36 months)
  - follow-ups: count per person per month, over the whole history and over the last twelve months

and prints each report's SQL plan (EXPLAIN ANALYZE as the app role, the studio set).

Run:  /tmp/devpg/reset.sh atelier_builder_bench
      BENCH_DATABASE_URL=postgresql+psycopg://atelier_app:app@127.0.0.1:55500/atelier_builder_bench \\
      BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://atelier_owner:owner@127.0.0.1:55500/atelier_builder_bench \\
        .venv/bin/python bench/bench_report_builder.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, environment, measure
from saas.app import create_app
from saas.clients.rollups import FollowUpDay, rebuild
from saas.config import load_settings
from saas.db import make_engine, utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.isolation import set_tenant
from saas.reports.builder.compiler import compile_definition, context_for
from saas.reports.builder.definition import check
from saas.reports.builder.services import create_report
from saas.tenants.models import Membership, Tenant
from saas.tenants.services import create_studio
from tests.conftest import Browser

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
PASSWORD = "bench-password-1"
PEOPLE = 10  # the owner and nine members, owning the clients in turn

REPORTS = {
    "clients by status and source": {"source": "clients", "dim1": "status", "dim2": "source"},
    "invoice amounts by month": {"source": "invoices", "measure": "sum:amount", "dim1": "created:month"},
    "follow-ups per person per month": {"source": "follow_ups", "dim1": "occurred:month", "dim2": "owner"},
}

CLIENTS_SQL = """
INSERT INTO clients (id, tenant_id, name, sort_key, kind, status, source, industry, owner_id, tags, search_text,
                     custom_fields, version, created_at, updated_at)
SELECT gen_random_uuid(), :tenant, 'Bench client ' || g, 'bench client ' || lpad(g::text, 7, '0'), 'company',
       (ARRAY['potential','intent','signed','past'])[1 + g % 4],
       (ARRAY['wechat','referral','website','exhibition','douyin','xiaohongshu',NULL])[1 + g % 7],
       (ARRAY['餐饮','地产','零售','教育'])[1 + g % 4],
       (CAST(:people AS uuid[]))[1 + g % :n], '[]', '', '{}', 1,
       now() - (g % 1095) * interval '1 day', now()
FROM generate_series(1, :count) AS g
"""
FOLLOW_UPS_SQL = """
INSERT INTO interactions (id, tenant_id, client_id, author_id, kind, occurred_at, summary, version, created_at)
SELECT gen_random_uuid(), c.tenant_id, c.id, (CAST(:people AS uuid[]))[1 + (c.rn + k) % :n],
       (ARRAY['call','wechat','email','meeting','visit','note'])[1 + (c.rn + k) % 6],
       now() - ((c.rn * 7 + k * 101) % 1095) * interval '1 day' - (k * 37 % 24) * interval '1 hour', '跟进', 1, now()
FROM (SELECT id, tenant_id, row_number() OVER () AS rn FROM clients WHERE tenant_id = :tenant) AS c
CROSS JOIN generate_series(1, 10) AS k
"""
INVOICES_SQL = """
INSERT INTO invoices (id, tenant_id, client_id, number, kind, title, amount_minor, paid_minor, due_on, status,
                      reminders_sent, version, created_at)
SELECT gen_random_uuid(), c.tenant_id, c.id, 'INV-' || lpad(c.rn::text, 7, '0'), 'milestone', '设计费',
       100000 + (c.rn * 7919) % 5000000, 0, (now() - (c.rn % 1095) * interval '1 day')::date + 30,
       (ARRAY['draft','sent','partly_paid','paid','void'])[1 + c.rn % 5], '[]', 1,
       now() - (c.rn % 1095) * interval '1 day'
FROM (SELECT id, tenant_id, row_number() OVER () AS rn FROM clients WHERE tenant_id = :tenant) AS c
"""


def _people(app) -> None:
    with app.app_context():
        owner = create_studio("Bench reports", "reports", "Owner", "owner@reports.bench", PASSWORD, "en")
        from saas.tenants.accounts import find_user  # noqa: F401  (the owner's user exists; members below)
        from saas.tenants.models import User
        from saas.tenants.passwords import hash_password

        hashed = hash_password(PASSWORD)
        for n in range(1, PEOPLE):
            user = User(email=f"member{n}@reports.bench", name=f"Member {n}", password_hash=hashed, locale="en")
            db.session.add(Membership(user=user, tenant_id=owner.tenant_id, role="member"))
        db.session.commit()


def recount(app) -> None:
    """The follow-ups' day rollups, counted afresh after the bulk load (or for a database seeded before them)."""
    with app.app_context():
        tenant = db.session.scalar(select(Tenant.id).where(Tenant.slug == "reports"))
        set_tenant(db.session(), tenant)
        if db.session.scalar(select(FollowUpDay.day).limit(1)) is None:
            rebuild(db.session(), tenant)
        db.session.commit()


def seed(app, env: dict[str, str]) -> None:
    with app.app_context():
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == "reports")) is not None:
            recount(app)
            return
    if not env["DATABASE_URL"].startswith("postgresql"):
        raise SystemExit("the report builder bench seeds with generate_series: run it on PostgreSQL")
    _people(app)
    with app.app_context():
        tenant = db.session.scalar(select(Tenant.id).where(Tenant.slug == "reports"))
        set_tenant(db.session(), tenant)
        people = [str(m.user_id) for m in db.session.scalars(select(Membership).order_by(Membership.created_at))]
    owner_engine = make_engine(env["MIGRATION_DATABASE_URL"], poolclass=NullPool)
    started = time.perf_counter()
    with owner_engine.begin() as conn:  # RLS is forced on the owner too: the studio is set for the inserts
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})
        params = {"tenant": tenant, "people": "{" + ",".join(people) + "}", "n": len(people)}
        conn.execute(text(CLIENTS_SQL), {**params, "count": CLIENTS})
        conn.execute(text(FOLLOW_UPS_SQL), params)
        conn.execute(text(INVOICES_SQL), params)
    owner_engine.dispose()
    recount(app)
    print(
        f"seeded {CLIENTS:,} clients, {CLIENTS * 10:,} follow-ups, {CLIENTS:,} invoices in "
        f"{time.perf_counter() - started:.0f} s"
    )


def save_reports(app) -> dict[str, str]:
    """The reports, saved by the owner; the twelve-month one carries a period."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        tenant = db.session.scalar(select(Tenant.id).where(Tenant.slug == "reports"))
        set_tenant(db.session(), tenant)
        owner = db.session.scalar(select(Membership).where(Membership.role == "owner"))
        year_ago = (utcnow() - timedelta(days=365)).date().isoformat()
        wanted = {**REPORTS, "follow-ups per person per month, last 12 months": {**REPORTS[
            "follow-ups per person per month"], "from": year_ago}}  # fmt: skip
        ids = {}
        for name, definition in wanted.items():
            report = create_report(owner, {"name": name, "measure": "count", "chart": "bar", **definition})
            report.pinned_studio = True  # so a member reads it too, with their own access
            ids[name] = str(report.id)
        db.session.commit()
        return ids


def explain(app, email: str, definition: dict) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        tenant = db.session.get(Tenant, db.session.scalar(select(Tenant.id).where(Tenant.slug == "reports")))
        set_tenant(db.session(), tenant.id)
        membership = db.session.scalar(
            select(Membership).join(Membership.user).where(text("users.email = :e")), {"e": email}
        )
        checked = check(membership, {"measure": "count", "chart": "bar", **definition}, "en")
        compiled = compile_definition(checked, membership, context_for(tenant, "en"))
        query = compiled.query.add_columns(*compiled.keys, compiled.total, compiled.n).group_by(*compiled.keys)
        sql = query.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
        for (line,) in db.session.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")):
            print("    " + line)
        db.session.rollback()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-reports-"))
    env = environment(folder)
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app, env)
    analyze(env)
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}")
    ids = save_reports(app)
    app.test_client_class = Browser
    owner, member = app.test_client(), app.test_client()
    assert owner.login("owner@reports.bench", PASSWORD).status_code == 302
    assert member.login("member1@reports.bench", PASSWORD).status_code == 302
    for name, report_id in ids.items():
        measure(f"{name} (owner)", lambda r=report_id: owner.get(f"/app/reports/{r}"))
    measure(
        "clients by status and source (member)",
        lambda: member.get(f"/app/reports/{ids['clients by status and source']}"),
    )
    if os.environ.get("BENCH_PLANS", "1") == "1":
        for name, definition in REPORTS.items():
            print(f"plan: {name} (owner)")
            explain(app, "owner@reports.bench", definition)
        print("plan: clients by status and source (member)")
        explain(app, "member1@reports.bench", REPORTS["clients by status and source"])


if __name__ == "__main__":
    main()
