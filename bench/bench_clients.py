"""Client hub benchmark at the sizes of issue 3: one studio with BENCH_CLIENTS clients (default 100,000), two
contacts each, ten follow-ups each (1,000,000), one client with 500 follow-ups, plus BENCH_SMALL_STUDIOS (200)
small studios. Seeding uses bulk inserts. Prints median and p95 through the WSGI app, as the studio's owner:

  - GET /app/clients                 first page
  - GET /app/clients?status=signed   a filtered list
  - GET /app/clients?q=<phone frag>  search by a fragment of a contact's phone number
  - GET /app/clients?q=<CJK frag>    search by a Chinese fragment of a name
  - GET /app/clients/<id>            the 360° page of a client with 500 follow-ups
  - GET /api/v1/clients              the API list, first page
  - the list query alone, with and without the ORM tenant filter (and, on PostgreSQL, RLS): the cost of scoping

Run:  .venv/bin/python bench/bench_clients.py                 (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_clients.py
      BENCH_CLIENTS=10000 … to measure growth from 10k to 100k.
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

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, api_token, environment, measure
from saas.app import create_app
from saas.clients.models import Client, Contact, Interaction
from saas.config import load_settings
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.i18n import sort_key
from saas.isolation import ALL_TENANTS, set_tenant
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from tests.conftest import Browser

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
SMALL_STUDIOS = int(os.environ.get("BENCH_SMALL_STUDIOS", "200"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))
PASSWORD = "bench-password-1"
WORDS = (
    "上海",
    "北京",
    "杭州",
    "深圳",
    "成都",
    "设计",
    "咖啡",
    "茶舍",
    "科技",
    "地产",
    "餐饮",
    "文化",
    "传媒",
    "家居",
    "Studio",
    "Trading",
    "Lab",
    "Works",
)
BATCH = 20_000


def _bulk(session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def seed_studio(session, slug: str, clients: int, owner_email: str, rng: random.Random) -> uuid.UUID:
    tenant = Tenant(name=f"Bench {slug}", slug=slug)
    session.add(tenant)
    session.flush()
    set_tenant(session, tenant.id)
    owner = User(email=owner_email, name="Owner", password_hash=hash_password(PASSWORD), last_tenant_id=tenant.id)
    session.add(owner)
    session.flush()
    session.add(Membership(user_id=owner.id, tenant_id=tenant.id, role="owner"))
    now = utcnow()
    client_rows, contact_rows, interaction_rows = [], [], []
    for n in range(clients):
        cid = uuid.uuid4()
        name = f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n:06d}有限公司"
        phones = [f"1{rng.randint(30, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" for _ in range(2)]
        search = " ".join([name, *phones, *(p.replace(" ", "") for p in phones)]).lower()
        client_rows.append(
            {
                "id": cid,
                "tenant_id": tenant.id,
                "name": name,
                "sort_key": sort_key(name),
                "kind": "company",
                "status": rng.choice(("potential", "intent", "signed", "past")),
                "tags": [],
                "owner_id": owner.id,
                "search_text": search,
                "version": 1,
                "created_at": now,
                "updated_at": now - timedelta(minutes=n),
                "last_contact_at": now - timedelta(days=n % 90),
            }
        )
        for i, phone in enumerate(phones):
            contact_rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant.id,
                    "client_id": cid,
                    "name": f"联系人{i}",
                    "sort_key": sort_key(f"联系人{i}"),
                    "phone": phone,
                    "decision_maker": i == 0,
                    "created_at": now,
                }
            )
        follow_ups = 500 if n == 0 else 10
        for k in range(follow_ups):
            interaction_rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant.id,
                    "client_id": cid,
                    "author_id": owner.id,
                    "kind": "call",
                    "summary": f"第 {k} 次沟通",
                    "occurred_at": now - timedelta(hours=k),
                    "created_at": now,
                }
            )
        if len(interaction_rows) >= BATCH * 5:
            _flush_rows(session, client_rows, contact_rows, interaction_rows)
    _flush_rows(session, client_rows, contact_rows, interaction_rows)
    session.commit()
    return tenant.id


def _flush_rows(session, clients: list, contacts: list, interactions: list) -> None:
    _bulk(session, Client, clients)
    _bulk(session, Contact, contacts)
    _bulk(session, Interaction, interactions)
    clients.clear()
    contacts.clear()
    interactions.clear()


def seed(app) -> None:
    with app.app_context():
        session = db.session()
        if session.scalar(select(Tenant).where(Tenant.slug == "big")) is not None:
            return
        rng = random.Random(7)
        started = time.perf_counter()
        seed_studio(session, "big", CLIENTS, "owner@big.bench", rng)
        for n in range(SMALL_STUDIOS):
            seed_studio(session, f"small-{n}", 20, f"owner@small-{n}.bench", rng)
        print(
            f"seeded {CLIENTS} clients, {CLIENTS * 2} contacts, {CLIENTS * 10 + 490} follow-ups in one studio "
            f"and {SMALL_STUDIOS} small studios in {time.perf_counter() - started:.0f} s"
        )


def scoping_cost(app) -> None:
    """What scoping costs a request: the first-page query as a request runs it (the app's RLS-bound role, the
    transaction begun with the studio set, the ORM's tenant filter, then the end of the transaction) against
    the same query with tenant_id written by hand, run unscoped by a superuser (BENCH_SUPERUSER_URL; RLS does
    not apply to one). Timed alternately, in rounds, so drift on the machine falls on both alike."""
    superuser_url = os.environ.get("BENCH_SUPERUSER_URL")
    if not superuser_url:
        print("scoping cost: set BENCH_SUPERUSER_URL (a PostgreSQL superuser) to compare against unscoped")
        return
    from sqlalchemy.orm import Session

    from saas.db import make_engine

    superuser = make_engine(superuser_url)
    with app.app_context():
        session = db.session()
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.slug == "big"))
        scoped = select(Client).where(Client.archived_at.is_(None)).order_by(Client.name, Client.id).limit(51)
        by_hand = scoped.where(Client.tenant_id == tenant_id).execution_options(**{ALL_TENANTS: True})
        session.rollback()

        def as_a_request() -> None:
            set_tenant(session, tenant_id)
            assert len(session.scalars(scoped).all()) == 51
            session.rollback()

        def unscoped() -> None:
            with Session(superuser) as plain:
                assert len(plain.scalars(by_hand).all()) == 51
                plain.rollback()

        rounds = [
            (
                measure("list query as a request (scope+RLS+set_config)", as_a_request, 200),
                measure("list query unscoped, as a superuser", unscoped, 200),
            )
            for _ in range(3)
        ]
        costs = sorted(100 * (a - b) / b for a, b in rounds)
        print(
            f"scoping cost per request: {costs[1]:+.1f}% (median of 3 rounds: {', '.join(f'{c:+.1f}%' for c in costs)})"
        )
    superuser.dispose()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-clients-"))
    env = environment(folder)
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app)
    analyze(env)  # as the tables' owner: the app's role owns nothing, and its ANALYZE does nothing
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}")
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login("owner@big.bench", PASSWORD).status_code == 302
    with app.app_context():
        set_tenant(db.session(), db.session.scalar(select(Tenant.id).where(Tenant.slug == "big")))
        busy = db.session.scalar(select(Client.id).where(Client.name.like("%000000有限公司")))
        phone = db.session.scalar(select(Contact.phone).where(Contact.client_id == busy).limit(1))
    measure("GET /app/clients (first page)", lambda: browser.get("/app/clients"))
    measure("GET /app/clients?status=signed", lambda: browser.get("/app/clients?status=signed"))
    measure("GET /app/clients?q=<phone fragment>", lambda: browser.get("/app/clients", query_string={"q": phone[-9:]}))
    measure(
        "GET /app/clients?q=茶舍科技 (CJK fragment)",
        lambda: browser.get("/app/clients", query_string={"q": "茶舍科技"}),
    )
    measure("GET /app/clients/<id> (500 follow-ups)", lambda: browser.get(f"/app/clients/{busy}"))
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, 'big')}"
    measure("GET /api/v1/clients (first page)", lambda: api.get("/api/v1/clients"))
    scoping_cost(app)


if __name__ == "__main__":
    main()
