"""Custom-field filters at the size of issue 16: one studio with BENCH_CLIENTS clients (default 100,000), each
with a budget (one choice of six), a floor area (a number), a style (several choices), a requirement note
(long text) and a segment (home or office: a home's area is under 200 m², an office's 200 or more, but for one
client in a thousand), plus BENCH_SMALL_STUDIOS (50) small studios with the same keys. A database seeded before
the segment existed gets it added to the large studio. Seeding uses bulk inserts (the
records' JSON and the typed index rows, as saas.fields.values writes them). Prints median and p95 through the
WSGI app, as the studio's owner, and the PostgreSQL plan of each filter's list query (run as the app's
RLS-bound role, inside a request's transaction):

  - GET /app/clients?cf.budget=<key>                 a choice equals (1 in 6, and a rare one: 1 in 1,000)
  - GET /app/clients?cf.area.min=…&cf.area.max=…     a number range (2% of the clients, and 40%)
  - GET /app/clients?cf.note.contains=<fragment>     text contains (a rare and a common fragment)
  - GET /app/clients?cf.style=<key>&cf.area.min=…    two filters together (3.8%, 0.35% and 21% of the clients)
  - GET /app/clients?cf.segment=home&cf.area.min=300 two large sets that rarely overlap (36% and 40%, 0.04%)
  - GET /app/clients?cf.note.empty=1                 records without a value
  - GET /api/v1/clients?cf.budget=<key>              the API list (one filter, a range, two filters)

Run:  .venv/bin/python bench/bench_custom_fields.py                 (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_custom_fields.py
      BENCH_ONLY="rarely,wide" …                 (only the cases whose label holds one of these; no API)
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, api_token, environment, measure
from saas.app import create_app
from saas.clients.models import Client
from saas.config import load_settings
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.fields.models import FieldDefinition, FieldValue
from saas.fields.values import index_rows
from saas.i18n import sort_key
from saas.isolation import set_tenant
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from tests.conftest import Browser

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
SMALL_STUDIOS = int(os.environ.get("BENCH_SMALL_STUDIOS", "50"))
PASSWORD = "bench-password-1"
BATCH = 20_000
BUDGETS = ("b1", "b2", "b3", "b4", "b5", "b6")
STYLES = ("modern", "nordic", "chinese", "japanese", "industrial", "luxury", "pastoral", "minimal")
WORDS = ("客厅", "主卧", "儿童房", "厨房", "阳台", "书房", "衣帽间", "地暖", "中央空调", "全屋定制", "oak", "marble")
RARE = "rare-budget"
SEGMENT_FLIP = 3  # the client in each thousand whose segment does not follow its area
ONLY = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]


def _choices(keys) -> list[dict]:
    return [{"key": k, "label_en": k.title(), "label_zh": k} for k in keys]


def _bulk(session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])
    rows.clear()


def seed_studio(session, slug: str, clients: int, rng: random.Random) -> uuid.UUID:
    tenant = Tenant(name=f"Bench {slug}", slug=slug)
    session.add(tenant)
    session.flush()
    set_tenant(session, tenant.id)
    owner = User(email=f"owner@{slug}.bench", name="Owner", password_hash=hash_password(PASSWORD))
    owner.last_tenant_id = tenant.id
    session.add(owner)
    session.flush()
    session.add(Membership(user_id=owner.id, tenant_id=tenant.id, role="owner"))
    fields = {
        "budget": FieldDefinition(entity="client", key="budget", label_en="Budget", type="choice", position=1),
        "area": FieldDefinition(entity="client", key="area", label_en="Floor area", type="number", position=2),
        "style": FieldDefinition(entity="client", key="style", label_en="Style", type="choices", position=3),
        "note": FieldDefinition(entity="client", key="note", label_en="Requirements", type="long_text", position=4),
        "segment": _segment_field(),
    }
    fields["budget"].choices = _choices((*BUDGETS, RARE))
    fields["style"].choices = _choices(STYLES)
    for definition in fields.values():
        definition.tenant_id = tenant.id
        session.add(definition)
    session.flush()
    now = utcnow()
    client_rows, value_rows = [], []
    for n in range(clients):
        cid = uuid.uuid4()
        name = f"{rng.choice(WORDS)}{n:06d}客户"
        values = {
            "budget": RARE if n % 1000 == 7 else rng.choice(BUDGETS),
            "area": rng.randint(30, 500),
            "style": sorted(rng.sample(STYLES, rng.randint(1, 3)), key=STYLES.index),
        }
        if n % 4:  # a quarter have no note
            values["note"] = "，".join(rng.sample(WORDS, 3)) + f" 需求{n}"
        values["segment"] = _segment(values["area"], n % 1000 == SEGMENT_FLIP)
        client_rows.append(
            {
                "id": cid,
                "tenant_id": tenant.id,
                "name": name,
                "sort_key": sort_key(name),
                "kind": "person",
                "status": "potential",
                "tags": [],
                "owner_id": owner.id,
                "search_text": name,
                "custom_fields": values,
                "version": 1,
                "created_at": now,
                "updated_at": now - timedelta(minutes=n),
            }
        )
        for key, value in values.items():
            definition = fields[key]
            for row in index_rows(definition.type, value):
                value_rows.append(
                    {"id": uuid.uuid4(), "tenant_id": tenant.id, "field_id": definition.id, "record_id": cid, **row}
                )
        if len(value_rows) >= BATCH * 5:
            _bulk(session, Client, client_rows)
            _bulk(session, FieldValue, value_rows)
    _bulk(session, Client, client_rows)
    _bulk(session, FieldValue, value_rows)
    session.commit()
    return tenant.id


def _segment_field() -> FieldDefinition:
    segment = FieldDefinition(entity="client", key="segment", label_en="Segment", type="choice", position=5)
    segment.choices = _choices(("home", "office"))
    return segment


def _segment(area: float, flipped: bool) -> str:
    """Home under 200 m², office from 200: the two sets are large and apart, but for the flipped few."""
    return "home" if (area < 200) != flipped else "office"


def add_segments(session, tenant_id: uuid.UUID) -> None:
    """A database seeded before the segment field: the large studio's clients get it, from their area (the n-th
    client by creation order stands in for the seed's counter)."""
    set_tenant(session, tenant_id)
    definition = _segment_field()
    definition.tenant_id = tenant_id
    session.add(definition)
    session.flush()
    area = session.scalar(select(FieldDefinition.id).where(FieldDefinition.key == "area"))
    areas = session.execute(
        select(FieldValue.record_id, FieldValue.number)
        .where(FieldValue.field_id == area)
        .order_by(FieldValue.record_id)
    ).all()
    rows = []
    for n, (record_id, number) in enumerate(areas):
        value = _segment(number, n % 1000 == SEGMENT_FLIP)
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant_id, "field_id": definition.id, "record_id": record_id,
                     "keyed": value})  # fmt: skip
    _bulk(session, FieldValue, rows)
    session.execute(  # PostgreSQL: the only backend a database outlives a run on (SQLite seeds anew)
        text(
            "UPDATE clients SET custom_fields = custom_fields || jsonb_build_object('segment', v.keyed) "
            "FROM field_values v WHERE v.field_id = :field AND v.record_id = clients.id"
        ).bindparams(field=definition.id)
    )
    session.commit()
    print(f"added the segment field to {len(areas)} clients of the large studio")


def seed(app) -> None:
    with app.app_context():
        session = db.session()
        big = session.scalar(select(Tenant).where(Tenant.slug == "big"))
        if big is not None:
            set_tenant(session, big.id)
            if session.scalar(select(FieldDefinition.id).where(FieldDefinition.key == "segment")) is None:
                add_segments(session, big.id)
            return
        rng = random.Random(16)
        started = time.perf_counter()
        seed_studio(session, "big", CLIENTS, rng)
        for n in range(SMALL_STUDIOS):
            seed_studio(session, f"small-{n}", 200, rng)
        print(
            f"seeded {CLIENTS} clients with 4 custom fields (~{CLIENTS * 5} typed values) in one studio and "
            f"{SMALL_STUDIOS} small studios in {time.perf_counter() - started:.0f} s"
        )


class Statements:
    """The SQL a request runs, caught as it goes to the database, to EXPLAIN the one that filters."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._catch)

    def _catch(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        self.seen.append((statement, parameters))

    def settings(self) -> list[str]:
        """The request's SET LOCALs (saas.fields.queries: no parallel workers), replayed before each EXPLAIN."""
        return [s for s, _p in self.seen if s.startswith("SET LOCAL")]

    def filtering(self) -> list[tuple[str, str, object]]:
        """The page's query, and before it the last count of a filter's set from the value index, if there was one
        (saas.fields.queries.conditions)."""
        page = next((s, p) for s, p in reversed(self.seen) if "FROM clients" in s and "LIMIT" in s)
        ids = [(s, p) for s, p in self.seen if "FROM field_values" in s and "FROM clients" not in s and "LIMIT" in s]
        return [("a set counted from the value index", *found) for found in ids[-1:]] + [("the page", *page)]


def explain(app, browser, label: str, url: str) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            return
        caught = Statements(engine)
        browser.get(url)
        event.remove(engine, "before_cursor_execute", caught._catch)
        statements = caught.filtering()
        session = db.session()
        plans = []
        for part, statement, parameters in statements:
            set_tenant(session, session.scalar(select(Tenant.id).where(Tenant.slug == "big")))
            raw = session.connection().connection.driver_connection
            with raw.cursor() as cursor:
                for setting in caught.settings():
                    cursor.execute(setting)
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + statement, parameters)
                plans.append((part, [row[0] for row in cursor.fetchall()]))
            session.rollback()
    for part, plan in plans:
        print(f"--- plan: {label}: {part}")
        for line in plan:
            print(f"    {line[:240]}{' …' if len(line) > 240 else ''}")


def query_alone(app, cases: list[tuple[str, str]]) -> None:
    """The list's query alone, as a request runs it (the studio set in the transaction, the ORM scope and RLS,
    the owner's visibility, the filters, the page of 51 with its contacts), without the page around it: what a
    filter costs the database, apart from rendering and from the machine's load on Python."""
    from urllib.parse import parse_qsl, urlsplit

    from saas.clients.queries import ClientFilters, client_page

    with app.app_context():
        session = db.session()
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.slug == "big"))
        set_tenant(session, tenant_id)
        owner = session.scalar(select(Membership).where(Membership.role == "owner"))
        session.rollback()
        for label, url in [("no filter: the baseline", "/app/clients"), *cases]:
            filters = ClientFilters.from_args(dict(parse_qsl(urlsplit(url).query)))

            def run(filters=filters) -> None:
                set_tenant(session, tenant_id)
                client_page(owner, filters, None)
                session.rollback()

            measure(f"list query alone: {label}", run)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-fields-"))
    env = environment(folder)
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app)
    analyze(env)
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}, {CLIENTS} clients in the studio measured")
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login("owner@big.bench", PASSWORD).status_code == 302
    # The same page unfiltered, timed in the same run: the machine's load falls on both alike, and what a
    # filter adds is the difference.
    measure("GET /app/clients (no filter: the baseline)", lambda: browser.get("/app/clients"))
    cases = [
        ("choice equals (1 in 6)", "/app/clients?cf.budget=b3"),
        ("choice equals (1 in 1,000)", f"/app/clients?cf.budget={RARE}"),
        ("number range (2%)", "/app/clients?cf.area.min=200&cf.area.max=209"),
        ("number range (40%)", "/app/clients?cf.area.min=300"),
        ("text contains (rare: 需求12345)", "/app/clients?cf.note.contains=需求12345"),
        ("text contains (common: 书房)", "/app/clients?cf.note.contains=书房"),
        ("multiple choice + range", "/app/clients?cf.style=japanese&cf.area.max=100"),
        ("choice + narrow range (0.35%)", "/app/clients?cf.budget=b3&cf.area.min=200&cf.area.max=209"),
        ("multiple choice + wide range (21%)", "/app/clients?cf.style=modern&cf.area.min=100"),
        ("two large sets that rarely overlap (36%, 40%: 0.04%)", "/app/clients?cf.segment=home&cf.area.min=300"),
        ("empty (no note)", "/app/clients?cf.note.empty=1"),
    ]
    cases = [(label, url) for label, url in cases if not ONLY or any(part in label for part in ONLY)]
    for label, url in cases:
        measure(f"GET {label}", lambda url=url: browser.get(url))
    if not ONLY:
        api = app.test_client()
        api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, 'big')}"
        measure("GET /api/v1/clients (no filter: the baseline)", lambda: api.get("/api/v1/clients"))
        measure("GET /api/v1/clients?cf.budget=b3", lambda: api.get("/api/v1/clients?cf.budget=b3"))
        measure(
            "GET /api/v1/clients?cf.area.min=200&max=209",
            lambda: api.get("/api/v1/clients?cf.area.min=200&cf.area.max=209"),
        )
        measure(
            "GET /api/v1/clients?cf.style=…&cf.area.max=100",
            lambda: api.get("/api/v1/clients?cf.style=japanese&cf.area.max=100"),
        )
    query_alone(app, cases)
    for label, url in cases:
        explain(app, browser, label, url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            session = db.session()
            size = session.execute(text("SELECT pg_size_pretty(pg_total_relation_size('field_values'))")).scalar()
            print(f"field_values with its indexes: {size}")


if __name__ == "__main__":
    main()
