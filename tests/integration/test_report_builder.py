"""The report builder's figures against hand-computed values on a small studio in Shanghai (UTC+8): counts, sums
of money, averages, months across the time-zone boundary (23:30 on 31 March in Shanghai is March, 00:30 on 1
April is April), two dimensions, custom fields as measure and dimension, a period; and who counts what: a member
their own clients, finance the money sources alone, a report pinned to the studio board counted with each
reader's access."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.clients.models import Client, Interaction
from saas.extensions import db
from saas.fields.models import FieldDefinition, FieldValue
from saas.isolation import set_tenant
from saas.reports.builder.services import chart_for
from saas.tenants.models import Membership
from tests.conftest import add_member


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass
class Book:
    """Studio aurora: owner 林 (lin@aurora.test), member Mei, manager Max, finance Fay, field Fei.

    clients        status     source    owner  area (cf)  style (cf)  budget (cf, money)
    鹿鸣咖啡        signed     wechat    Mei    120        modern      ¥5,000.00
    Harbour Lane   signed     referral  lin     80        classic     ¥2,000.50
    竹林茶社        potential  wechat    lin     —         modern      —
    Sunrise        intent     —         Mei     40        —           ¥1,000.00

    follow-ups: 31 Mar 15:30 UTC (31 Mar 23:30 Shanghai) call by Mei on 鹿鸣; 31 Mar 16:30 UTC (1 Apr 00:30) WeChat
    by Mei on 鹿鸣; 10 Apr 02:00 UTC meeting by lin on Harbour Lane.
    invoices: ¥10,000.00 paid to 鹿鸣 issued 31 Mar 16:00 UTC (1 Apr local); ¥2,500.50 sent to Harbour Lane
    issued 15 Mar; ¥3,000.00 void to Harbour Lane issued 5 Apr.
    payments on the ¥10,000 invoice: ¥6,000 by bank on 31 Mar, ¥4,000 cash on 1 Apr (the studio's days)."""

    tenant_id: uuid.UUID
    users: dict[str, uuid.UUID]
    clients: dict[str, uuid.UUID]


def _field(entity: str, key: str, type_: str, en: str, zh: str, choices: list | None = None) -> FieldDefinition:
    found = FieldDefinition(entity=entity, key=key, type=type_, label_en=en, label_zh=zh, choices=choices or [])
    db.session.add(found)
    db.session.flush()
    return found


def _client(name: str, status: str, source: str | None, owner: uuid.UUID, values: dict, fields: dict) -> Client:
    client = Client(name=name, status=status, source=source, owner_id=owner, custom_fields=values)
    db.session.add(client)
    db.session.flush()
    for key, value in values.items():
        column = "keyed" if isinstance(value, str) else "number"
        db.session.add(FieldValue(field_id=fields[key].id, record_id=client.id, **{column: value}))
    return client


def seed_book(app, studio) -> Book:
    people = {"lin": None}
    for name, role in (("mei", "member"), ("max", "manager"), ("fay", "finance"), ("fei", "field")):
        add_member(app, studio, f"{name}@aurora.test", role, name.title())
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        for m in db.session.scalars(select(Membership)):
            people[m.user.email.split("@")[0]] = m.user_id
        fields = {
            "area": _field("client", "area", "number", "Floor area", "面积"),
            "budget": _field("client", "budget", "money", "Budget", "预算"),
            "style": _field(
                "client",
                "style",
                "choice",
                "Style",
                "风格",
                [
                    {"key": "modern", "label_en": "Modern", "label_zh": "现代"},
                    {"key": "classic", "label_en": "Classic", "label_zh": "古典"},
                ],
            ),
        }
        rows = (
            ("鹿鸣咖啡", "signed", "wechat", "mei", {"area": 120, "style": "modern", "budget": 500000}),
            ("Harbour Lane", "signed", "referral", "lin", {"area": 80, "style": "classic", "budget": 200050}),
            ("竹林茶社", "potential", "wechat", "lin", {"style": "modern"}),
            ("Sunrise", "intent", None, "mei", {"area": 40, "budget": 100000}),
        )
        clients = {name: _client(name, s, src, people[o], v, fields).id for name, s, src, o, v in rows}
        deer, harbour = clients["鹿鸣咖啡"], clients["Harbour Lane"]
        for client_id, author, kind, when in (
            (deer, "mei", "call", at(2026, 3, 31, 15, 30)),
            (deer, "mei", "wechat", at(2026, 3, 31, 16, 30)),
            (harbour, "lin", "meeting", at(2026, 4, 10, 2, 0)),
        ):
            db.session.add(
                Interaction(client_id=client_id, author_id=people[author], kind=kind, occurred_at=when, summary="跟进")
            )
        invoices = []
        for number, client_id, amount, status, issued in (
            ("INV-1", deer, 1_000_000, "paid", at(2026, 3, 31, 16, 0)),
            ("INV-2", harbour, 250_050, "sent", at(2026, 3, 15, 4, 0)),
            ("INV-3", harbour, 300_000, "void", at(2026, 4, 5, 4, 0)),
        ):
            invoice = Invoice(
                client_id=client_id, number=number, title=number, amount_minor=amount, status=status,
                due_on=date(2026, 4, 30), created_at=issued,
            )  # fmt: skip
            db.session.add(invoice)
            invoices.append(invoice)
        db.session.flush()
        for amount, method, day in ((600_000, "bank", date(2026, 3, 31)), (400_000, "cash", date(2026, 4, 1))):
            db.session.add(Payment(invoice_id=invoices[0].id, amount_minor=amount, method=method, paid_on=day))
        db.session.commit()
        return Book(studio.tenant_id, people, clients)


@pytest.fixture
def book(app, studio) -> Book:
    return seed_book(app, studio)


def figures(app, book: Book, who: str, language: str = "en", **definition: str) -> dict[str, Any]:
    """{category: value} for one series, {(series, category): value} for several; as `who` reads it."""
    with app.test_request_context(headers={"Accept-Language": language}):
        set_tenant(db.session(), book.tenant_id)
        membership = db.session.scalar(select(Membership).where(Membership.user_id == book.users[who]))
        chart = chart_for(membership, {"chart": "bar", **definition})
        db.session.rollback()
    if len(chart.series) == 1:
        return dict(zip(chart.categories, chart.series[0].values, strict=True))
    return {(s.name, c): v for s in chart.series for c, v in zip(chart.categories, s.values, strict=True) if v}


def spec_in(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="chart-spec">(.*?)</script>', html, re.S)
    assert match, html[:3000]
    return json.loads(match.group(1))


# --- figures ------------------------------------------------------------------------------------------------


def test_count_of_clients_by_status_and_by_source(app, book):
    """Statuses come in their own order (potential → intent → signed), sources by size, the unset last."""
    assert figures(app, book, "lin", source="clients", measure="count", dim1="status") == {
        "Potential": 1,
        "Interested": 1,
        "Signed": 2,
    }
    assert list(figures(app, book, "lin", source="clients", measure="count", dim1="source").items()) == [
        ("wechat", 2),
        ("referral", 1),
        ("Not set", 1),
    ]


def test_sum_of_money_and_average_in_minor_units(app, book):
    invoices = figures(app, book, "lin", source="invoices", measure="sum:amount", dim1="status")
    assert invoices == {"Sent": 250_050, "Paid": 1_000_000, "Void": 300_000}
    payments = figures(app, book, "fay", source="payments", measure="avg:amount", dim1="method")
    assert payments == {"Bank transfer": 600_000, "Cash": 400_000}
    assert figures(app, book, "fay", source="payments", measure="avg:amount", dim1="paid:year") == {"2026": 500_000}


def test_months_are_the_studios_months(app, book):
    """23:30 on 31 March in Shanghai is March although it is 15:30 UTC; 00:30 on 1 April is April although UTC
    still says 31 March. An invoice issued at 00:00 local on 1 April (16:00 UTC the day before) is April's."""
    follow_ups = figures(app, book, "lin", source="follow_ups", measure="count", dim1="occurred:month")
    assert follow_ups == {"2026-03": 1, "2026-04": 2}
    invoices = figures(app, book, "lin", source="invoices", measure="sum:amount", dim1="created:month")
    assert invoices == {"2026-03": 250_050, "2026-04": 1_300_000}
    payments = figures(app, book, "lin", source="payments", measure="sum:amount", dim1="paid:month")
    assert payments == {"2026-03": 600_000, "2026-04": 400_000}
    quarter = figures(app, book, "lin", source="follow_ups", measure="count", dim1="occurred:quarter")
    assert quarter == {"2026 Q1": 1, "2026 Q2": 2}


def test_a_period_is_the_studios_days_and_empty_months_are_shown(app, book):
    april = figures(
        app, book, "lin", source="follow_ups", measure="count", dim1="occurred:month", **{"from": "2026-04-01"}
    )
    assert april == {"2026-04": 2}
    spring = figures(
        app,
        book,
        "lin",
        source="follow_ups",
        measure="count",
        dim1="occurred:month",
        **{"from": "2026-02-01", "to": "2026-05-31"},
    )
    assert spring == {"2026-02": 0, "2026-03": 1, "2026-04": 2, "2026-05": 0}


def test_two_dimensions_make_one_series_per_value_of_the_second(app, book):
    found = figures(app, book, "lin", source="clients", measure="count", dim1="status", dim2="source")
    assert found == {
        ("wechat", "Potential"): 1,
        ("Not set", "Interested"): 1,
        ("wechat", "Signed"): 1,
        ("referral", "Signed"): 1,
    }
    per_person = figures(app, book, "lin", source="follow_ups", measure="count", dim1="occurred:month", dim2="owner")
    assert per_person == {("Mei", "2026-03"): 1, ("Mei", "2026-04"): 1, ("Owner of aurora", "2026-04"): 1}


def test_custom_fields_as_measure_and_as_dimension(app, book):
    """Sum of a number field by a choice field; the average counts only the clients holding a value; a money
    field sums in minor units."""
    assert figures(app, book, "lin", source="clients", measure="sum:cf.area", dim1="cf.style") == {
        "Modern": 120,
        "Classic": 80,
        "Not set": 40,
    }
    assert figures(app, book, "lin", source="clients", measure="avg:cf.area", dim1="status") == {
        "Potential": None,
        "Interested": 40,
        "Signed": 100,
    }
    assert figures(app, book, "lin", source="clients", measure="sum:cf.budget", dim1="owner")["Mei"] == 600_000
    chinese = figures(app, book, "lin", "zh-CN", source="clients", measure="count", dim1="cf.style")
    assert chinese == {"现代": 2, "古典": 1, "未填写": 1}


# --- who counts what ----------------------------------------------------------------------------------------


def test_a_member_counts_only_their_clients(app, book):
    assert figures(app, book, "mei", source="clients", measure="count", dim1="status") == {
        "Interested": 1,
        "Signed": 1,
    }
    assert figures(app, book, "mei", source="invoices", measure="sum:amount", dim1="status") == {"Paid": 1_000_000}
    assert figures(app, book, "mei", source="follow_ups", measure="count", dim1="occurred:month") == {
        "2026-03": 1,
        "2026-04": 1,
    }
    assert figures(app, book, "max", source="clients", measure="count", dim1="status")["Signed"] == 2


def test_finance_builds_from_money_alone(app, client, book):
    assert figures(app, book, "fay", source="invoices", measure="count", dim1="status") == {
        "Sent": 1,
        "Paid": 1,
        "Void": 1,
    }
    client.login("fay@aurora.test")
    page = client.get("/app/reports/new").get_data(as_text=True)
    assert 'value="invoices"' in page and 'value="payments"' in page
    assert 'value="clients"' not in page and 'value="follow_ups"' not in page
    refused = client.submit(
        "/app/reports/new",
        {"action": "save", "name": "客户", "source": "follow_ups", "measure": "count", "dim1": "kind", "chart": "bar"},
    )
    assert refused.status_code == 422
    assert "Choose one of the sources offered." in refused.get_data(as_text=True)


def test_field_staff_have_no_builder(app, client, book):
    client.login("fei@aurora.test")
    assert client.get("/app/reports").status_code == 403
    assert client.get("/app/reports/new").status_code == 403
    assert "/app/reports" not in client.get("/app/").get_data(as_text=True)


# --- caps ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("in_sql", [False, True], ids=["folded-after-one-group-by", "capped-in-sql"])
def test_beyond_the_cap_the_rest_is_one_group(app, book, monkeypatch, in_sql):
    """The largest values are kept and the rest summed into "Other" (averages weighted by their records), and
    months beyond the kept ones into "Earlier" — the same whether one GROUP BY came back under MAX_GROUPS and
    was folded, or was too large and the dimensions were capped in SQL first."""
    from saas.reports.builder import compiler, shape

    for module in (compiler, shape):
        monkeypatch.setattr(module, "TOP_FIRST", 1)
        monkeypatch.setattr(module, "TIME_BUCKETS", 1)
    if in_sql:
        monkeypatch.setattr(compiler, "MAX_GROUPS", 1)
    by_source = figures(app, book, "lin", source="clients", measure="count", dim1="source")
    assert by_source == {"wechat": 2, "Not set": 1, "Other": 1}
    average = figures(app, book, "lin", source="clients", measure="avg:cf.area", dim1="source")
    assert average == {"wechat": 120, "Not set": 40, "Other": 80}
    months = figures(app, book, "lin", source="follow_ups", measure="count", dim1="occurred:month")
    assert months == {"Earlier": 1, "2026-04": 2}


def test_a_zone_with_one_offset_is_shifted_a_zone_with_summer_time_goes_by_its_rules():
    from datetime import timedelta

    from saas.reports.builder.compiler import fixed_offset

    assert fixed_offset("Asia/Shanghai") == timedelta(hours=8)
    assert fixed_offset("Europe/Paris") is None and fixed_offset("America/New_York") is None


def test_a_studio_in_paris_counts_in_paris_months(app, book):
    """The same follow-ups read by a studio in Paris (summer time, +2 on 31 March): both on 31 March."""
    from sqlalchemy import update

    from saas.tenants.models import Tenant

    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.id == book.tenant_id).values(timezone="Europe/Paris"))
        db.session.commit()
    found = figures(app, book, "lin", source="follow_ups", measure="count", dim1="occurred:month")
    assert found == {"2026-03": 2, "2026-04": 1}


def test_projects_tickets_and_visits(app, book):
    """Projects: 鹿鸣 (Inquiry, budget ¥3,000, Mei's client), Harbour Lane (Design, ¥5,000; Inquiry, no budget).
    Tickets: 鹿鸣 new and high, answered after 3 h; Harbour Lane resolved and normal, answered after 1 h, resolved
    after 10 h. Visits by Fei: 鹿鸣 done (1 h 30 on site), Harbour Lane scheduled."""
    from saas.projects.models import PipelineStage, Project
    from saas.tickets.models import Ticket
    from saas.visits.models import Visit

    deer, harbour = book.clients["鹿鸣咖啡"], book.clients["Harbour Lane"]
    with app.app_context():
        set_tenant(db.session(), book.tenant_id)
        stage = {s.key: s.id for s in db.session.scalars(select(PipelineStage))}
        for client_id, key, budget, kind in (
            (deer, "inquiry", 300_000, "餐饮空间"),
            (harbour, "design", 500_000, "办公"),
            (harbour, "inquiry", None, "办公"),
        ):
            db.session.add(Project(client_id=client_id, stage_id=stage[key], name=kind, type=kind, budget_minor=budget))
        for number, client_id, status, priority, day, answered, resolved in (
            ("T-1", deer, "new", "high", 1, 3, None),
            ("T-2", harbour, "resolved", "normal", 2, 1, 10),
        ):
            raised = at(2026, 3, day, 2, 0)
            db.session.add(
                Ticket(
                    number=number, client_id=client_id, subject=number, description="…", category="repair",
                    status=status, priority=priority, created_at=raised,
                    first_response_at=raised + timedelta(hours=answered),
                    resolved_at=raised + timedelta(hours=resolved) if resolved else None,
                )
            )  # fmt: skip
        for client_id, status, started in ((deer, "checked_out", at(2026, 3, 3, 2, 0)), (harbour, "scheduled", None)):
            db.session.add(
                Visit(
                    client_id=client_id, assignee_id=book.users["fei"], scheduled_start=at(2026, 3, 3, 2, 0),
                    scheduled_end=at(2026, 3, 3, 4, 0), site_address="上海", purpose="量房", status=status,
                    check_in_at=started, check_out_at=started + timedelta(minutes=90) if started else None,
                )
            )  # fmt: skip
        db.session.commit()
    by_stage = figures(app, book, "lin", source="projects", measure="sum:budget", dim1="stage")
    assert list(by_stage.items()) == [("Inquiry", 300_000), ("Design", 500_000)]
    assert figures(app, book, "lin", source="projects", measure="avg:budget", dim1="type") == {
        "办公": 500_000,
        "餐饮空间": 300_000,
    }
    assert figures(app, book, "mei", source="projects", measure="count", dim1="stage") == {"Inquiry": 1}
    assert figures(app, book, "lin", source="tickets", measure="count", dim1="status") == {"New": 1, "Resolved": 1}
    response = figures(app, book, "lin", source="tickets", measure="avg:response_hours", dim1="priority")
    assert response == {"Normal": 1.0, "High": 3.0}
    assert figures(app, book, "lin", source="tickets", measure="avg:resolution_hours", dim1="status") == {
        "New": None,
        "Resolved": 10.0,
    }
    on_site = figures(app, book, "lin", source="visits", measure="sum:hours_on_site", dim1="status")
    assert on_site == {"Scheduled": 0, "Done": 1.5}
    assert figures(app, book, "mei", source="visits", measure="count", dim1="status") == {"Done": 1}
