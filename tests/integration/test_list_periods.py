"""Period filters on the project, invoice and ticket lists (created / issued / due from–to), in the studio's days
(Asia/Shanghai, UTC+8): a record made at 23:30 on 31 March local time is March's, one made at 00:30 on 1 April is
April's. The same filters hold on the staff pages, their exports and the API lists; a bad day is a clear message
on a page and a 422 (nothing written) from an export or the API; the dashboard figures that link to these lists
carry their period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy import select

from saas.billing.models import Invoice
from saas.clients.models import Client
from saas.exports.models import Export
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects.models import PipelineStage, Project
from saas.tickets.models import Ticket
from tests.conftest import query
from tests.factories import api, make_token

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
LAST_OF_MARCH = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 23:30 on 31 March in Shanghai
FIRST_OF_APRIL = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 April in Shanghai
LAST_OF_FEBRUARY = datetime(2026, 2, 28, 15, 59, tzinfo=UTC)  # 23:59 on 28 February in Shanghai


def _seed(app, studio) -> None:
    """A project, an invoice and a ticket made at each of the three moments, named by the local day they fall on."""
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        stage = db.session.scalars(select(PipelineStage).order_by(PipelineStage.position)).first()
        client = Client(name="鹿鸣咖啡", sort_key="lu ming")
        db.session.add(client)
        db.session.flush()
        moments = {"feb28": LAST_OF_FEBRUARY, "mar31": LAST_OF_MARCH, "apr01": FIRST_OF_APRIL}
        for n, (day, moment) in enumerate(moments.items()):
            db.session.add(Project(client_id=client.id, stage_id=stage.id, name=f"P-{day}", created_at=moment))
            due = date(2026, 4, 10 + n)
            db.session.add(
                Invoice(
                    client_id=client.id, number=f"INV-{day}", title=day, amount_minor=100, due_on=due, created_at=moment
                )
            )
            db.session.add(
                Ticket(
                    number=f"T-{day}",
                    client_id=client.id,
                    subject=f"S-{day}",
                    description="-",
                    category="question",
                    created_at=moment,
                )
            )
        db.session.commit()


def _shown(page: str, prefix: str) -> set[str]:
    return {day for day in ("feb28", "mar31", "apr01") if f"{prefix}-{day}" in page}


def _period(stem: str) -> dict[str, str]:
    return {f"{stem}_from": MARCH["from"], f"{stem}_to": MARCH["to"]}


def test_the_lists_filter_by_the_studios_days(app, client, studio):
    _seed(app, studio)
    client.login(studio.owner_email)
    projects = client.get("/app/projects/list", query_string=_period("created")).get_data(as_text=True)
    assert _shown(projects, "P") == {"mar31"}
    board = client.get("/app/projects", query_string={"created_from": "2026-03-31"}).get_data(as_text=True)
    assert _shown(board, "P") == {"mar31", "apr01"}
    invoices = client.get("/app/invoices", query_string=_period("issued")).get_data(as_text=True)
    assert _shown(invoices, "INV") == {"mar31"}
    due = client.get("/app/invoices", query_string={"due_from": "2026-04-11", "due_to": "2026-04-12"})
    assert _shown(due.get_data(as_text=True), "INV") == {"mar31", "apr01"}
    tickets = client.get("/app/tickets", query_string={"status": "all", **_period("created")}).get_data(as_text=True)
    assert _shown(tickets, "S") == {"mar31"}
    until_april = client.get("/app/tickets", query_string={"status": "all", "created_to": "2026-03-31"})
    assert _shown(until_april.get_data(as_text=True), "S") == {"feb28", "mar31"}


def test_a_bad_day_is_said_on_the_page_and_that_filter_left_out(app, client, studio):
    _seed(app, studio)
    client.login(studio.owner_email)
    page = client.get("/app/projects/list", query_string={"created_from": "2026-02-30", "created_to": "2026-03-31"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Enter a date as YYYY-MM-DD." in text and 'value="2026-02-30"' in text
    assert _shown(text, "P") == {"feb28", "mar31"}  # the good end still holds
    backwards = client.get("/app/invoices", query_string={"issued_from": "2026-04-01", "issued_to": "2026-03-01"})
    text = backwards.get_data(as_text=True)
    assert backwards.status_code == 200 and "The period ends before it starts." in text
    assert _shown(text, "INV") == {"apr01"}
    for url, arg in (("/app/tickets", "created_to"), ("/app/invoices", "due_from"), ("/app/projects", "created_to")):
        answer = client.get(url, query_string={arg: "x" * 500})
        assert answer.status_code == 200 and "Enter a date as YYYY-MM-DD." in answer.get_data(as_text=True), url


def test_exports_follow_the_periods_and_refuse_a_bad_day(app, client, studio):
    _seed(app, studio)
    client.login(studio.owner_email)
    sheet = client.submit("/app/exports", {"list": "invoices", "format": "csv", **_period("issued")})
    rows = list(csv.reader(io.StringIO(sheet.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["INV-mar31"]
    projects = client.submit("/app/exports", {"list": "projects", "format": "csv", "created_from": "2026-03-31"})
    rows = list(csv.reader(io.StringIO(projects.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r[0] for r in rows[1:]) == ["P-apr01", "P-mar31"]
    # The client list opened from a dashboard's or a report's month exports as it shows (its created period).
    clients = client.submit("/app/exports", {"list": "clients", "format": "csv", "created_to": "2026-03-31"})
    assert clients.status_code == 200 and "鹿鸣咖啡" not in clients.get_data(as_text=True)  # made today, not before
    http = api(app, make_token(client))
    answer = http.post("/api/v1/exports", json={"list": "clients", "filters": {"created_from": "2026-03-01"}})
    assert answer.status_code == 200 and "鹿鸣咖啡" in answer.get_data(as_text=True)
    written = len(query(app, studio.tenant_id, select(Export)))
    for form in (
        {"list": "invoices", "due_to": "2026-13-01"},
        {"list": "invoices", "issued_from": "2026-04-01", "issued_to": "2026-03-01"},
        {"list": "projects", "created_from": "yesterday"},
        {"list": "payments", "created_from": "2026-03-01"},  # not a filter of payments
    ):
        refused = client.submit("/app/exports", {"format": "csv", **form})
        assert refused.status_code == 422, form
    assert len(query(app, studio.tenant_id, select(Export))) == written


def test_the_api_lists_take_the_same_periods(app, client, studio):
    _seed(app, studio)
    client.login(studio.owner_email)
    http = api(app, make_token(client))

    def names(url: str, args: dict[str, str]) -> set[str]:
        found = http.get(url, query_string=args).get_json()["data"]
        return {r.get("name") or r.get("number") or r["subject"] for r in found}

    assert names("/api/v1/projects", _period("created")) == {"P-mar31"}
    assert names("/api/v1/invoices", _period("issued")) == {"INV-mar31"}
    assert names("/api/v1/invoices", {"due_to": "2026-04-10"}) == {"INV-feb28"}
    assert names("/api/v1/tickets", {"status": "all", **_period("created")}) == {"T-mar31"}
    for url, args, field in (
        ("/api/v1/projects", {"created_from": "2026-02-30"}, "created_from"),
        ("/api/v1/invoices", {"issued_from": "2026-04-01", "issued_to": "2026-03-01"}, "issued_to"),
        ("/api/v1/tickets", {"created_to": "soon"}, "created_to"),
    ):
        refused = http.get(url, query_string=args)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (url, refused.get_json())


def test_a_period_reads_another_studio_as_nothing(app, client, new_client, studio, other_studio):
    _seed(app, studio)
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    for url, args in (
        ("/app/projects/list", _period("created")),
        ("/app/invoices", _period("issued")),
        ("/app/tickets", {"status": "all", **_period("created")}),
    ):
        page = intruder.get(url, query_string=args).get_data(as_text=True)
        assert not _shown(page, "P") and not _shown(page, "INV") and not _shown(page, "S"), url
