"""Every list and report asks the database a fixed number of questions, however many rows it shows: an N+1 (one
query per row: a client's contacts, an invoice's client...) is caught here the day it appears. Each page is
counted with a few records of each kind, then with three times as many: the counts must not move."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from saas.extensions import db
from tests.factories import api, make_token

PAGES = (
    "/app/",
    "/app/clients",
    "/app/contacts",
    "/app/projects",
    "/app/projects/list",
    "/app/tasks",
    "/app/follow-ups",
    "/app/follow-ups/logged",
    "/app/forms/submissions",
    "/app/visits/list",
    "/app/quotes",
    "/app/contracts",
    "/app/invoices",
    "/app/receivables",
    "/app/visits?view=week",
    "/app/tickets?status=all",
    "/app/notifications",
    "/app/settings/audit",
    "/app/settings/members",
)
API = (
    "/api/v1/clients",
    "/api/v1/contacts",
    "/api/v1/projects",
    "/api/v1/tasks",
    "/api/v1/invoices",
    "/api/v1/quotes",
    "/api/v1/receivables",
    "/api/v1/tickets?status=all",
)


@contextmanager
def counting(app):
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(app, browser, path: str) -> int:
    browser.get(path)  # warm: the first request of a path may load what later ones find cached
    with counting(app) as seen:
        answer = browser.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(seen)


def add_records(http, n: int, worker_id: str) -> None:
    """n clients with two contacts and a follow-up each, a project and a task each, a sent invoice, a quote, a
    visit for the field worker."""
    for i in range(n):
        client = http.post("/api/v1/clients", json={"name": f"客户 {i}-{n}", "tags": ["VIP"]}).get_json()
        base = f"/api/v1/clients/{client['id']}"
        for c in range(2):
            http.post(f"{base}/contacts", json={"name": f"联系人 {c}", "phone": f"1380000{i:02d}{c}"})
        http.post(
            f"{base}/interactions",
            json={"kind": "call", "summary": "x", "next_action": "y", "next_action_due": "2020-01-01"},
        )
        project = http.post("/api/v1/projects", json={"client_id": client["id"], "name": f"项目 {i}"}).get_json()
        http.post(f"/api/v1/projects/{project['id']}/tasks", json={"title": "出稿", "due_on": "2020-01-01"})
        invoice = {"client_id": client["id"], "title": "款", "amount_minor": 1000 + i, "due_on": "2020-01-31"}
        made = http.post("/api/v1/invoices", json=invoice).get_json()
        http.post(f"/api/v1/invoices/{made['id']}/send")
        lines = [{"description": "设计", "quantity": 1, "unit_price_minor": 5000}]
        http.post("/api/v1/quotes", json={"client_id": client["id"], "title": "报价", "lines": lines})
        visit = {
            "client_id": client["id"],
            "assignee_id": worker_id,
            "scheduled_start": "2026-12-07T10:00:00+08:00",
            "scheduled_end": "2026-12-07T11:00:00+08:00",
            "site_address": "上海",
            "purpose": "拜访",
        }
        http.post("/api/v1/visits", json=visit)
        ticket = {"client_id": client["id"], "subject": "工单", "description": "x", "assignee_id": worker_id}
        made = http.post("/api/v1/tickets", json=ticket).get_json()
        http.post(f"/api/v1/tickets/{made['id']}/replies", json={"body": "收到"})


@pytest.mark.parametrize("surface", ["pages", "api"])
def test_lists_and_reports_ask_a_fixed_number_of_questions(app, client, studio, surface):
    from tests.conftest import add_member

    add_member(app, studio, "zhao@aurora.test", "field")
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    worker = next(m for m in http.get("/api/v1/members").get_json()["data"] if m["email"] == "zhao@aurora.test")
    browser = client if surface == "pages" else http
    paths = PAGES if surface == "pages" else API
    add_records(http, 2, worker["user_id"])
    few = {path: statements(app, browser, path.replace("week", "week&day=2026-12-07")) for path in paths}
    add_records(http, 6, worker["user_id"])
    many = {path: statements(app, browser, path.replace("week", "week&day=2026-12-07")) for path in paths}
    grew = {path: (few[path], many[path]) for path in paths if many[path] != few[path]}
    assert not grew, f"statements grew with the rows (an N+1): {grew}"
    assert max(many.values()) <= 16, many  # and stay few
