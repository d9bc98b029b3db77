"""Dashboards benchmark at the sizes of issue 17: one studio with BENCH_CLIENTS clients (default 100,000), ten
follow-ups each (1,000,000), one invoice each (100,000) and, in proportion, projects (one per five clients) with
their stage moves, quotes, contracts and costs, payments, tickets and feedback answers, spread over two years,
plus BENCH_SMALL_STUDIOS (50) small studios. PostgreSQL only: seeded in SQL with generate_series (as the
RLS-bound app role, the studio set), in about a minute.

Prints the median and p95 of each widget (BENCH_REPEAT calls, default 50), over this year, for the owner (every
client) and for a member (a tenth of them, plus shares), then each board as a request read as a browser reads it
(its first part, its first widget, its last byte; BENCH_PAGES_ONLY=1 for these alone), and the plan of the
slowest statements (BENCH_EXPLAIN=1).

Run:  /tmp/devpg/reset.sh atelier_dash_bench
      BENCH_DATABASE_URL=postgresql+psycopg://atelier_app:…@host/atelier_dash_bench \
      BENCH_MIGRATION_DATABASE_URL=postgresql+psycopg://atelier_owner:…@host/atelier_dash_bench \
        .venv/bin/python bench/bench_dashboards.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, environment
from saas.app import create_app
from saas.billing.rollups import MoneyDay
from saas.billing.rollups import rebuild as rebuild_money
from saas.clients.rollups import FollowUpDay, rebuild
from saas.config import load_settings
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects.models import PipelineStage
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from saas.tenants.services import create_studio
from tests.conftest import Browser

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
SMALL_STUDIOS = int(os.environ.get("BENCH_SMALL_STUDIOS", "50"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))
EXPLAIN = os.environ.get("BENCH_EXPLAIN") == "1"
PAGES_ONLY = os.environ.get("BENCH_PAGES_ONLY") == "1"  # the boards as requests only (a database seeded before)
PASSWORD = "bench-password-1"
PEOPLE = 10  # the owner and nine members; clients are owned in turn

# Every row is a function of its number n; ids are derived from the studio and n, so children name their parents
# without a lookup. Days go back over two years from now.
SEED_SQL = [
    # clients: statuses in turn, six sources, owners in turn
    """INSERT INTO clients (id, tenant_id, name, sort_key, kind, status, source, tags, owner_id, search_text, version,
         created_at, updated_at, custom_fields)
       SELECT md5(:tk || 'c' || n)::uuid, :t, '客户 ' || n, 'kehu ' || lpad(n::text, 7, '0'), 'company',
         (ARRAY['potential','intent','signed','past'])[1 + n % 4],
         (ARRAY['转介绍','展会','官网','小红书','老客户', NULL])[1 + n % 6], '[]', (:people)[1 + n % 10], '', 1,
         now() - ((n * 7919) % 730) * interval '1 day' - (n % 1440) * interval '1 minute', now(), '{}'
       FROM generate_series(1, :clients) n""",
    # ten follow-ups per client, by its owner; one in three with a next action, half of those done
    """INSERT INTO interactions (id, tenant_id, client_id, author_id, kind, occurred_at, summary, next_action,
         next_action_due, next_action_done_at, version, created_at)
       SELECT md5(:tk || 'f' || n || '-' || k)::uuid, :t, md5(:tk || 'c' || n)::uuid, (:people)[1 + n % 10], 'call',
         now() - (((n * 7919) % 730) - k * 7) * interval '1 day', '电话沟通',
         CASE WHEN k % 3 = 0 THEN '回访' END,
         CASE WHEN k % 3 = 0 THEN (now() - (((n * 7919) % 730) - k * 7 - 3) * interval '1 day')::date END,
         CASE WHEN k % 6 = 0 THEN now() - (((n * 7919) % 730) - k * 7 - 2) * interval '1 day' END, 1, now()
       FROM generate_series(1, :clients) n CROSS JOIN generate_series(0, 9) k""",
    # a project for every fifth client: stages in turn (a third won), types in turn, due 60 days after opening
    """INSERT INTO projects (id, tenant_id, client_id, stage_id, name, type, owner_id, value_minor, brief,
         stage_entered_at, closed_at, due_on, updated_at, version, created_at, custom_fields)
       SELECT md5(:tk || 'p' || n)::uuid, :t, md5(:tk || 'c' || n)::uuid,
         CASE WHEN n % 15 < 5 THEN :won ELSE (:stages)[1 + n % 7] END,
         '项目 ' || n, (ARRAY['品牌设计','空间设计','包装设计','网站'])[1 + n % 4], (:people)[1 + n % 10],
         100000 * (1 + n % 50), '{}', now(),
         CASE WHEN n % 15 < 5 THEN now() - (((n * 7919) % 730) - 40 - n % 40) * interval '1 day' END,
         (now() - (((n * 7919) % 730) - 60) * interval '1 day')::date, now(), 1,
         now() - ((n * 7919) % 730) * interval '1 day', '{}'
       FROM generate_series(5, :clients, 5) n""",
    # three stage moves per project, a week to a month in each stage
    """INSERT INTO stage_changes (id, tenant_id, project_id, from_stage_id, to_stage_id, seconds_in_from, created_at)
       SELECT md5(:tk || 's' || n || '-' || k)::uuid, :t, md5(:tk || 'p' || n)::uuid, (:stages)[1 + k],
         (:stages)[2 + k], 86400 * (7 + (n + k) % 24),
         now() - (((n * 7919) % 730) - 10 * (k + 1)) * interval '1 day'
       FROM generate_series(5, :clients, 5) n CROSS JOIN generate_series(0, 2) k""",
    """INSERT INTO quotes (id, tenant_id, client_id, project_id, number, title, language, status, revision,
         tax_rate_bp, subtotal_minor, discount_minor, tax_minor, total_minor, max_discount_bp, version, created_at)
       SELECT md5(:tk || 'q' || n)::uuid, :t, md5(:tk || 'c' || n)::uuid, md5(:tk || 'p' || n)::uuid, 'Q-' || n, '报价',
         'zh_CN', (ARRAY['draft','sent','accepted','declined'])[1 + n % 4], 1, 0, 0, 0, 0, 100000 * (1 + n % 50), 0, 1,
         now() - (((n * 7919) % 730) - 5) * interval '1 day'
       FROM generate_series(5, :clients, 5) n""",
    """INSERT INTO contracts (id, tenant_id, client_id, project_id, number, title, amount_minor, status,
         required_roles, signed_on, version, created_at)
       SELECT md5(:tk || 'k' || n)::uuid, :t, md5(:tk || 'c' || n)::uuid, md5(:tk || 'p' || n)::uuid, 'K-' || n, '合同',
         100000 * (1 + n % 50), CASE WHEN n % 10 < 6 THEN 'signed' ELSE 'draft' END, '[]',
         CASE WHEN n % 10 < 6 THEN (now() - (((n * 7919) % 730) - 9) * interval '1 day')::date END, 1,
         now() - (((n * 7919) % 730) - 8) * interval '1 day'
       FROM generate_series(5, :clients, 5) n""",
    """INSERT INTO project_costs (id, tenant_id, project_id, kind, description, amount_minor, spent_on, created_at)
       SELECT md5(:tk || 'x' || n || '-' || k)::uuid, :t, md5(:tk || 'p' || n)::uuid, 'expense', '外包',
         20000 * (1 + k),
         (now() - (((n * 7919) % 730) - 15 - 10 * k) * interval '1 day')::date, now()
       FROM generate_series(5, :clients, 5) n CROSS JOIN generate_series(0, 1) k""",
    # an invoice per client (its project's when it has one): paid, partly paid, sent or draft in turn
    """INSERT INTO invoices (id, tenant_id, client_id, project_id, number, kind, title, amount_minor, paid_minor,
         due_on, status, version, created_at, reminders_sent)
       SELECT md5(:tk || 'i' || n)::uuid, :t, md5(:tk || 'c' || n)::uuid,
         CASE WHEN n % 5 = 0 THEN md5(:tk || 'p' || n)::uuid END, 'INV-' || n, 'milestone', '设计费',
         50000 * (1 + n % 40), CASE n % 4 WHEN 0 THEN 50000 * (1 + n % 40) WHEN 1 THEN 25000 * (1 + n % 40) ELSE 0 END,
         (now() - (((n * 7919) % 730) - 30) * interval '1 day')::date,
         (ARRAY['paid','partly_paid','sent','draft'])[1 + n % 4], 1,
         now() - ((n * 7919) % 730) * interval '1 day', '[]'
       FROM generate_series(1, :clients) n""",
    """INSERT INTO payments (id, tenant_id, invoice_id, amount_minor, method, paid_on, created_at, refunded_minor)
       SELECT md5(:tk || 'y' || n)::uuid, :t, md5(:tk || 'i' || n)::uuid,
         CASE WHEN n % 4 = 0 THEN 50000 ELSE 25000 END * (1 + n % 40), 'bank',
         (now() - (((n * 7919) % 730) - 20) * interval '1 day')::date, now(), 0
       FROM generate_series(1, :clients) n WHERE n % 4 IN (0, 1)""",
    """INSERT INTO tickets (id, tenant_id, number, client_id, subject, description, category, priority, status,
         source, custom_fields, first_response_at, resolved_at, updated_at, version, created_at)
       SELECT md5(:tk || 't' || n)::uuid, :t, 'T-' || n, md5(:tk || 'c' || n)::uuid, '维修', '灯不亮',
         'repair', 'normal',
         CASE WHEN n % 3 = 0 THEN 'open' ELSE 'resolved' END, 'portal', '{}',
         now() - ((n * 7919) % 730) * interval '1 day' + (1 + n % 8) * interval '1 hour',
         CASE WHEN n % 3 <> 0 THEN now() - ((n * 7919) % 730) * interval '1 day' + (4 + n % 40) * interval '1 hour' END,
         now(), 1, now() - ((n * 7919) % 730) * interval '1 day'
       FROM generate_series(10, :clients, 10) n""",
    """INSERT INTO form_submissions (id, tenant_id, form_id, answers, asked, submitted_at, language, ip_hash, outcome,
         client_id, nps, csat)
       SELECT md5(:tk || 'a' || n)::uuid, :t, :form, '{}', '[]', now() - ((n * 7919) % 730) * interval '1 day',
         'zh_CN', md5(n::text), 'kept', md5(:tk || 'c' || n)::uuid, n % 11, 1 + n % 5
       FROM generate_series(20, :clients, 20) n""",
    """INSERT INTO client_events (id, tenant_id, client_id, kind, data, created_at)
       SELECT md5(:tk || 'e' || n)::uuid, :t, md5(:tk || 'c' || n)::uuid, 'client.status_changed', '{"new": "past"}',
         now() - (((n * 7919) % 730) - 50) * interval '1 day'
       FROM generate_series(4, :clients, 4) n""",
]


def seed_studio(app, slug: str, clients: int) -> None:
    """A studio (with its pipeline) and PEOPLE people, then its records in SQL, in one transaction."""
    with app.app_context():
        owner = create_studio(f"Bench {slug}", slug, "Owner", f"owner@{slug}.bench", PASSWORD, "zh_CN")
        db.session.flush()
        tenant_id = owner.tenant_id
        people = [owner.user_id]
        for n in range(1, PEOPLE):
            user = User(
                email=f"m{n}@{slug}.bench", name=f"成员 {n}", password_hash=hash_password(PASSWORD), locale="zh_CN"
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, tenant_id=tenant_id, role="member"))
            people.append(user.id)
        db.session.flush()
        stages = {s.key: s.id for s in db.session.scalars(select(PipelineStage))}
        form_id = uuid.uuid4()
        db.session.execute(
            text(
                "INSERT INTO forms (id, tenant_id, slug, kind, status, title_en, title_zh, intro_en, intro_zh,"
                " thanks_en, thanks_zh, updated_at, version, created_at) VALUES (:id, :t, 'feedback', 'feedback',"
                " 'published', 'Feedback', '反馈', '', '', '', '', now(), 1, now())"
            ),
            {"id": form_id, "t": tenant_id},
        )
        order = ["inquiry", "quote", "design", "feedback", "revision", "delivery", "final"]
        params: dict[str, Any] = {
            "t": tenant_id,
            "tk": str(tenant_id),
            "people": people,
            "stages": [stages[k] for k in order],
            "won": stages["won"],
            "form": form_id,
            "clients": clients,
        }
        for statement in SEED_SQL:  # :t the studio (uuid), :tk its text for the ids' hashes
            db.session.execute(text(statement), params)
        rebuild(db.session(), tenant_id)  # written around the ORM, as a bulk load: the day rollups counted afresh
        rebuild_money(db.session(), tenant_id)
        db.session.commit()


def recount(app) -> None:
    """A database seeded before the day rollups existed: count them, studio by studio (`saas rollups rebuild`)."""
    with app.app_context():
        studios = db.session.scalars(select(Tenant.id)).all()
        for tenant_id in studios:
            set_tenant(db.session(), tenant_id)
            if db.session.scalar(select(FollowUpDay.day).limit(1)) is None:
                rebuild(db.session(), tenant_id)
            if db.session.scalar(select(MoneyDay.day).limit(1)) is None:
                rebuild_money(db.session(), tenant_id)
            db.session.commit()


def seed(app) -> None:
    with app.app_context():
        if db.session.scalar(select(Tenant.id).where(Tenant.slug == "big")) is not None:
            recount(app)
            return
    started = time.perf_counter()
    seed_studio(app, "big", CLIENTS)
    for n in range(SMALL_STUDIOS):
        seed_studio(app, f"small-{n}", 200)
    print(
        f"seeded {CLIENTS:,} clients, {CLIENTS * 10:,} follow-ups, {CLIENTS:,} invoices, {CLIENTS // 5:,} projects "
        f"(+ moves, quotes, contracts, costs, payments, tickets, answers) and {SMALL_STUDIOS} small studios in "
        f"{time.perf_counter() - started:.0f} s"
    )


def timed(label: str, call: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float]:
    call()  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    median = statistics.median(timings)
    flag = "" if p95 < 300 else "   <-- over 300 ms"
    print(f"{label:<44} p50 {median:7.1f} ms   p95 {p95:7.1f} ms{flag}")
    return median, p95


def widgets(app, email: str, who: str) -> None:
    """Each widget of the reader's board as the board computes it, over this year: the owner's studio board (every
    client), a member's personal board (their own clients: owned or shared)."""
    from flask import g
    from werkzeug.datastructures import MultiDict

    from saas.reports import filters
    from saas.reports.sql import without_jit
    from saas.reports.widgets.funnel import funnel
    from saas.reports.widgets.health import health
    from saas.reports.widgets.money import money_widget
    from saas.reports.widgets.personal import mine, pipeline
    from saas.reports.widgets.team import team
    from saas.reports.widgets.value import value

    with app.test_request_context("/app/dashboard"):
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == "big"))
        set_tenant(db.session(), tenant_id)
        membership = db.session.scalar(select(Membership).join(User).where(User.email == email))
        g.membership, g.tenant = membership, membership.tenant
        today = datetime.now(ZoneInfo(g.tenant.timezone)).date()
        found = filters.read(MultiDict({"period": "year"}), today, g.tenant.timezone, filters.studio_member_ids())
        studio = filters.Scope(membership, found)
        own = filters.Scope(membership, filters.personal(found, membership))
        board = {
            "funnel": lambda scope: funnel(scope),
            "project health": lambda scope: health(scope, today),
            "client value": lambda scope: value(scope, True),
            "money": lambda scope: money_widget(scope, today),
            "team": lambda scope: team(scope, True),
        }
        if who == "member":
            board = {"funnel": board["funnel"], "money": board["money"]}
        board |= {"my numbers": lambda scope: mine(own, today), "my pipeline": lambda scope: pipeline(own)}
        for name, work in board.items():
            scope = studio if who == "owner" else own

            def run(work=work, scope=scope) -> None:
                without_jit()  # as the boards do (saas/reports/boards.py)
                work(scope)
                db.session.rollback()  # each call its own transaction, as a request's
                set_tenant(db.session(), tenant_id)

            timed(f"{who}: {name}", run)
            if EXPLAIN:
                explain_slowest(run, tenant_id)


def explain_slowest(run: Callable[[], None], tenant_id: uuid.UUID) -> None:
    """Catch the statements of one call with their times, and print the plan of the slowest (as the app role, the
    studio set, JIT off as the boards run)."""
    from sqlalchemy import event

    from saas.reports.sql import without_jit

    engine = db.engine
    caught: list[tuple[float, str, Any]] = []

    def before(_conn, _cursor, _statement, _params, context, _many) -> None:
        context._bench_started = time.perf_counter()

    def after(_conn, _cursor, statement, params, context, _many) -> None:
        caught.append((time.perf_counter() - context._bench_started, statement, params))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    for seconds, statement, _params in caught:  # each statement's share, then the slowest one's plan
        print(f"    {seconds * 1000:7.1f} ms  {' '.join(statement.split())[:100]}")
    seconds, statement, params = max(caught, key=lambda c: c[0])
    print(f"    slowest statement: {seconds * 1000:.1f} ms of {len(caught)}")
    without_jit()
    raw = db.session.connection().connection.driver_connection
    for (line,) in raw.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params).fetchall():
        print("      " + line)
    db.session.rollback()
    set_tenant(db.session(), tenant_id)


def vacuum(env: dict[str, str]) -> None:
    """After a bulk load, VACUUM sets the visibility map that index-only scans rely on (autovacuum's job in
    production), then ANALYZE: as the tables' owner."""
    from sqlalchemy.pool import NullPool

    from saas.db import make_engine

    engine = make_engine(env["MIGRATION_DATABASE_URL"], poolclass=NullPool)
    tables = "clients, interactions, projects, stage_changes, quotes, contracts, project_costs, invoices, payments, "
    tables += "tickets, form_submissions, client_events, follow_up_days, money_days"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE) {tables}"))
    engine.dispose()


def painted(browser: Browser, url: str) -> tuple[float, float, float]:
    """One request for a board, read as a browser reads it: ms to its first part (the frame: title, period,
    filters; what the reader sees first), to its second (the first widget), to the last byte. A page sent whole
    has one part: the three are the same."""
    started = time.perf_counter()
    response = browser.get(url, buffered=False)
    parts, marks = iter(response.response), []
    for _part in parts:
        marks.append((time.perf_counter() - started) * 1000)
    response.close()
    return marks[0], marks[min(1, len(marks) - 1)], marks[-1]


def paint(label: str, browser: Browser, url: str, repeat: int) -> None:
    painted(browser, url)  # warm-up
    found = sorted(painted(browser, url) for _ in range(repeat))
    for n, what in enumerate(("first part (frame)", "first widget", "whole page")):
        times = sorted(mark[n] for mark in found)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{label + ': ' + what:<60} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def pages(app) -> None:
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login("owner@big.bench", PASSWORD).status_code == 302
    member = app.test_client()
    assert member.login("m1@big.bench", PASSWORD).status_code == 302
    repeat = max(10, REPEAT // 5)
    paint("GET /app/dashboard?period=year (owner)", browser, "/app/dashboard?period=year", repeat)
    paint("GET /app/dashboard/me?period=year (member)", member, "/app/dashboard/me?period=year", repeat)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-dashboards-"))
    env = environment(folder)
    if not env["DATABASE_URL"].startswith("postgresql"):
        sys.exit("bench_dashboards seeds with PostgreSQL's generate_series: set BENCH_DATABASE_URL")
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app)
    if not PAGES_ONLY:
        analyze(env)
        vacuum(env)
    print(f"backend: postgresql, {CLIENTS:,} clients; widgets over this year, {REPEAT} calls each")
    if not PAGES_ONLY:
        widgets(app, "owner@big.bench", "owner")
        widgets(app, "m1@big.bench", "member")
    pages(app)


if __name__ == "__main__":
    main()
