"""Pipeline and receivables benchmark at the sizes of issue 4: one studio with BENCH_PROJECTS open projects
(default 5,000) over 2,000 clients, BENCH_INVOICES invoices (default 100,000) with their payments, plus 20
small studios. Seeding uses bulk inserts. Prints median and p95 through the WSGI app, as the studio's owner:

  - GET /app/projects                       the Kanban board (counts and sums over every project, first cards)
  - POST /app/projects/<id>/move            a stage move as drag and drop sends it (JSON), recorded in history
  - GET /app/receivables                    the ageing by client over every open invoice
  - GET /api/v1/projects                    the API list, first page
  - GET /app/invoices, ?status=overdue      the invoice list's first page (keyset pages on due date, number)
  - GET /api/v1/invoices                    the API's first page, and a page 40 pages down by its cursor

Run:  .venv/bin/python bench/bench_projects.py                 (SQLite)
      BENCH_DATABASE_URL=… BENCH_MIGRATION_DATABASE_URL=… .venv/bin/python bench/bench_projects.py
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
from saas.billing.models import Invoice, Payment
from saas.clients.models import Client
from saas.config import load_settings
from saas.db import utcnow
from saas.dbadmin import upgrade
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects.models import PipelineStage, Project, StageKind
from saas.tenants.models import Tenant
from saas.tenants.services import create_studio
from tests.conftest import Browser

PROJECTS = int(os.environ.get("BENCH_PROJECTS", "5000"))
INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
CLIENTS = 2000
SMALL_STUDIOS = 20
PASSWORD = "bench-password-1"
BATCH = 20_000


def _bulk(session, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


def seed_studio(session, slug: str, projects: int, invoices: int, rng: random.Random) -> None:
    membership = create_studio(f"Bench {slug}", slug, "Owner", f"owner@{slug}.bench", PASSWORD)
    tenant_id, owner_id = membership.tenant_id, membership.user_id
    session.flush()
    stages = list(session.scalars(select(PipelineStage).order_by(PipelineStage.position)))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    now, today = utcnow(), utcnow().date()
    clients = [uuid.uuid4() for _ in range(min(CLIENTS, max(projects, 10)))]
    _bulk(
        session,
        Client,
        [
            {
                "id": cid,
                "tenant_id": tenant_id,
                "name": f"客户{n:05d}",
                "sort_key": f"ke4 hu4{n:05d}",
                "kind": "company",
                "status": "signed",
                "tags": [],
                "owner_id": owner_id,
                "search_text": f"客户{n:05d}",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n, cid in enumerate(clients)
        ],
    )
    project_ids = [uuid.uuid4() for _ in range(projects)]
    _bulk(
        session,
        Project,
        [
            {
                "id": pid,
                "tenant_id": tenant_id,
                "client_id": rng.choice(clients),
                "stage_id": rng.choice(open_stages).id,
                "name": f"项目 {n:05d}",
                "type": rng.choice(("品牌", "室内", "包装", "网站")),
                "owner_id": owner_id,
                "value_minor": rng.randint(10, 500) * 100_000,
                "probability": rng.choice((None, 30, 60, 90)),
                "due_on": today + timedelta(days=rng.randint(-60, 120)),
                "brief": {},
                "stage_entered_at": now,
                "updated_at": now - timedelta(minutes=n),
                "version": 1,
                "created_at": now,
            }
            for n, pid in enumerate(project_ids)
        ],
    )
    invoice_rows, payment_rows = [], []
    for n in range(invoices):
        amount = rng.randint(1, 200) * 100_000
        status = rng.choices(("draft", "sent", "partly_paid", "paid", "void"), (5, 40, 10, 40, 5))[0]
        paid = amount if status == "paid" else (amount // 3 if status == "partly_paid" else 0)
        iid = uuid.uuid4()
        invoice_rows.append(
            {
                "id": iid,
                "tenant_id": tenant_id,
                "client_id": rng.choice(clients),
                "project_id": rng.choice(project_ids) if project_ids else None,
                "number": f"INV-B-{n:07d}",
                "kind": "milestone",
                "title": "阶段款",
                "amount_minor": amount,
                "paid_minor": paid,
                "due_on": today - timedelta(days=rng.randint(-90, 200)),
                "status": status,
                "version": 1,
                "created_at": now,
            }
        )
        if paid:
            payment_rows.append(
                {
                    "id": uuid.uuid4(),
                    "tenant_id": tenant_id,
                    "invoice_id": iid,
                    "amount_minor": paid,
                    "method": "bank",
                    "paid_on": today,
                    "created_at": now,
                }
            )
    _bulk(session, Invoice, invoice_rows)
    _bulk(session, Payment, payment_rows)
    session.commit()


def seed(app) -> None:
    with app.app_context():
        session = db.session()
        set_tenant(session, None)
        if session.scalar(select(Tenant).where(Tenant.slug == "pipeline")) is not None:
            return
        rng = random.Random(11)
        started = time.perf_counter()
        seed_studio(session, "pipeline", PROJECTS, INVOICES, rng)
        for n in range(SMALL_STUDIOS):
            seed_studio(session, f"tiny-{n}", 20, 200, rng)
        print(
            f"seeded {PROJECTS} open projects and {INVOICES} invoices in one studio, and {SMALL_STUDIOS} small "
            f"studios, in {time.perf_counter() - started:.0f} s"
        )


class Mover:
    """Moves one project back and forth between two stages, as the board's drag and drop does."""

    def __init__(self, app, browser: Browser) -> None:
        with app.app_context():
            set_tenant(db.session(), db.session.scalar(select(Tenant.id).where(Tenant.slug == "pipeline")))
            project = db.session.scalar(select(Project).order_by(Project.created_at).limit(1))
            stages = [s.id for s in db.session.scalars(select(PipelineStage).order_by(PipelineStage.position))]
            self.project_id, self.version, self.stage_id = project.id, project.version, project.stage_id
        self.targets = [s for s in stages[:2]]
        self.browser = browser

    def __call__(self):
        target = self.targets[0] if self.stage_id != self.targets[0] else self.targets[1]
        response = self.browser.post(
            f"/app/projects/{self.project_id}/move",
            data={"stage_id": str(target), "version": str(self.version), "csrf_token": self.browser.csrf_token()},
            headers={"Accept": "application/json"},
        )
        body = response.get_json()
        self.version, self.stage_id = body["version"], uuid.UUID(body["stage_id"])
        return response


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-projects-"))
    env = environment(folder)
    upgrade(load_settings(env))
    app = create_app(env)
    seed(app)
    analyze(env)  # as the tables' owner: the app's role owns nothing, and its ANALYZE does nothing
    print(f"backend: {env['DATABASE_URL'].split(':')[0]}")
    app.test_client_class = Browser
    browser = app.test_client()
    assert browser.login("owner@pipeline.bench", PASSWORD).status_code == 302
    measure("GET /app/projects (Kanban board)", lambda: browser.get("/app/projects"))
    measure("POST /app/projects/<id>/move (drag and drop)", Mover(app, browser))
    measure("GET /app/receivables (ageing)", lambda: browser.get("/app/receivables"))
    measure("GET /app/projects/list (first page)", lambda: browser.get("/app/projects/list"))
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, 'pipeline')}"
    measure("GET /api/v1/projects (first page)", lambda: api.get("/api/v1/projects"))
    measure("GET /app/invoices (first page)", lambda: browser.get("/app/invoices"))
    measure("GET /app/invoices?status=overdue", lambda: browser.get("/app/invoices?status=overdue"))
    measure("GET /api/v1/invoices (first page)", lambda: api.get("/api/v1/invoices"))
    deep = _cursor_pages_in(api, 40)
    measure(
        "GET /api/v1/invoices (41st page, by cursor)",
        lambda: api.get("/api/v1/invoices", query_string={"cursor": deep}),
    )


def _cursor_pages_in(api, pages: int) -> str:
    """The cursor of a page `pages` pages down, followed as a client would."""
    cursor = ""
    for _ in range(pages):
        cursor = api.get("/api/v1/invoices", query_string={"cursor": cursor}).get_json()["next_cursor"]
    return cursor


if __name__ == "__main__":
    main()
