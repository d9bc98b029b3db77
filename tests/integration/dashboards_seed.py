"""A small studio whose every dashboard figure is computed by hand in the tests (test_dashboards*.py).

The period the tests read is the first quarter of 2026 (`Q1`), in the studio's time zone (Asia/Shanghai):

clients (owner, source, status, made at, UTC)
  C1 鹿鸣咖啡   Du  转介绍  signed    2026-01-10 02:00
  C2 Blue Fox   Du  展会    intent    2026-01-31 15:30 (23:30 local: January)
  C3 晨光书店   Su  转介绍  potential 2026-01-31 16:30 (00:30 local, 1 Feb: February)
  C4 Old Oak    Su  展会    past      2026-02-05 (left on 02-20)
  C5 松石茶舍   Du  —       signed    2025-06-01
projects (client, owner, type, made, won, due)
  P1 C1 Du 品牌设计 01-12, won 02-11 04:00 UTC, due 02-10 (late)
  P2 C5 Du 品牌设计 02-01, won 03-03 02:00 UTC, due 03-03
  P3 C5 Su 空间设计 2025-07-01, open, due 2026-01-20 (late now)
  P4 C2 Du 空间设计 03-01, inquiry
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from saas.billing.models import Contract, Invoice, Payment, ProjectCost, Quote
from saas.clients.models import Client, ClientEvent, Interaction
from saas.extensions import db
from saas.forms.models import Form, Submission
from saas.isolation import set_tenant
from saas.projects.models import PipelineStage, Project, StageChange
from saas.tenants.models import Membership
from saas.tickets.models import Ticket
from tests.conftest import Studio, add_member

Q1 = {"period": "custom", "from": "2026-01-01", "to": "2026-03-31"}
DAY = 86400


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Seeded:
    studio: Studio
    members: dict[str, uuid.UUID] = field(default_factory=dict)  # role name -> membership id
    users: dict[str, uuid.UUID] = field(default_factory=dict)  # Du, Su, ... -> user id
    clients: dict[str, uuid.UUID] = field(default_factory=dict)
    projects: dict[str, uuid.UUID] = field(default_factory=dict)


def seed(app, studio: Studio, today: date) -> Seeded:
    s = Seeded(studio)
    s.members["owner"] = studio.owner_membership_id
    for key, email, role, name in (
        ("du", "du@aurora.test", "member", "Designer Du"),
        ("su", "su@aurora.test", "member", "Sales Su"),
        ("manager", "mei@aurora.test", "manager", "Manager Mei"),
        ("finance", "fin@aurora.test", "finance", "Finance Fang"),
        ("field", "zhao@aurora.test", "field", "Field Zhao"),
    ):
        s.members[key] = add_member(app, studio, email, role, name)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        for key in s.members:
            s.users[key] = db.session.get(Membership, s.members[key]).user_id
        _clients(s)
        _projects(s)
        _money(s, today)
        _relationship(s)
        db.session.commit()
    return s


def _clients(s: Seeded) -> None:
    du, su = s.users["du"], s.users["su"]
    rows = (
        ("C1", "鹿鸣咖啡", du, "转介绍", "signed", "2026-01-10 02:00"),
        ("C2", "Blue Fox", du, "展会", "intent", "2026-01-31 15:30"),
        ("C3", "晨光书店", su, "转介绍", "potential", "2026-01-31 16:30"),
        ("C4", "Old Oak", su, "展会", "past", "2026-02-05 03:00"),
        ("C5", "松石茶舍", du, None, "signed", "2025-06-01 03:00"),
    )
    for key, name, owner, source, status, made in rows:
        client = Client(name=name, sort_key=name, owner_id=owner, source=source, status=status, created_at=at(made))
        db.session.add(client)
        db.session.flush()
        s.clients[key] = client.id
    db.session.add(
        ClientEvent(
            client_id=s.clients["C4"],
            kind="client.status_changed",
            data={"new": "past"},
            created_at=at("2026-02-20 02:00"),
        )
    )


def _projects(s: Seeded) -> None:
    stages = {st.key: st for st in db.session.scalars(select(PipelineStage))}
    du, su = s.users["du"], s.users["su"]
    rows = (
        ("P1", "C1", du, "品牌设计", "won", "2026-01-12 02:00", "2026-02-11 04:00", date(2026, 2, 10)),
        ("P2", "C5", du, "品牌设计", "won", "2026-02-01 02:00", "2026-03-03 02:00", date(2026, 3, 3)),
        ("P3", "C5", su, "空间设计", "design", "2025-07-01 02:00", None, date(2026, 1, 20)),
        ("P4", "C2", du, "空间设计", "inquiry", "2026-03-01 02:00", None, None),
    )
    for key, client, owner, kind, stage, made, closed, due in rows:
        project = Project(
            client_id=s.clients[client],
            name=f"Project {key}",
            owner_id=owner,
            type=kind,
            stage_id=stages[stage].id,
            created_at=at(made),
            closed_at=at(closed) if closed else None,
            due_on=due,
        )
        db.session.add(project)
        db.session.flush()
        s.projects[key] = project.id
    moves = (  # (project, from, to, when, days in the stage left)
        ("P1", "inquiry", "design", "2026-01-17 02:00", 5),
        ("P1", "design", "won", "2026-02-11 04:00", 25),
        ("P2", "inquiry", "design", "2026-02-03 02:00", 2),
        ("P2", "design", "won", "2026-03-03 02:00", 28),
        ("P3", "inquiry", "design", "2025-07-05 02:00", 4),  # before the period: not counted
    )
    for project, old, new, when, days in moves:
        db.session.add(
            StageChange(
                project_id=s.projects[project],
                from_stage_id=stages[old].id,
                to_stage_id=stages[new].id,
                seconds_in_from=days * DAY,
                created_at=at(when),
            )
        )


def _money(s: Seeded, today: date) -> None:
    c, p = s.clients, s.projects
    db.session.add_all(
        [
            Quote(client_id=c["C1"], project_id=p["P1"], number="Q-1", title="Q1", status="sent"),
            Quote(client_id=c["C5"], project_id=p["P2"], number="Q-2", title="Q2", status="accepted"),
            Quote(client_id=c["C2"], project_id=p["P4"], number="Q-3", title="Q3", status="draft"),  # not sent
            Contract(
                client_id=c["C1"],
                project_id=p["P1"],
                number="K-1",
                title="K1",
                amount_minor=1_200_000,
                status="signed",
                signed_on=date(2026, 1, 20),
            ),
            Contract(
                client_id=c["C4"],
                number="K-2",
                title="K2",
                amount_minor=300_000,
                status="signed",
                signed_on=date(2026, 2, 10),
            ),
            Contract(client_id=c["C2"], number="K-3", title="K3", amount_minor=900_000, status="draft"),
        ]
    )
    paid = Invoice(
        client_id=c["C1"],
        project_id=p["P1"],
        number="INV-1",
        title="I1",
        amount_minor=1_000_000,
        paid_minor=1_000_000,
        due_on=date(2026, 2, 1),
        status="paid",
    )
    due_soon = Invoice(
        client_id=c["C5"],
        project_id=p["P2"],
        number="INV-2",
        title="I2",
        amount_minor=500_000,
        due_on=today + timedelta(days=10),
        status="sent",
    )
    overdue = Invoice(
        client_id=c["C2"],
        number="INV-3",
        title="I3",
        amount_minor=200_000,
        paid_minor=50_000,
        due_on=today - timedelta(days=45),
        status="partly_paid",
    )
    db.session.add_all([paid, due_soon, overdue])
    db.session.flush()
    db.session.add_all(
        [
            # Recorded at 23:30 in Shanghai on 31 January (15:30 UTC): the studio's day, January.
            Payment(
                invoice_id=paid.id,
                amount_minor=600_000,
                method="bank",
                paid_on=date(2026, 1, 31),
                created_at=at("2026-01-31 15:30"),
            ),
            Payment(invoice_id=paid.id, amount_minor=400_000, method="bank", paid_on=date(2026, 2, 1)),
            Payment(invoice_id=overdue.id, amount_minor=50_000, method="bank", paid_on=date(2025, 12, 20)),
            ProjectCost(
                project_id=p["P1"], kind="expense", description="印刷", amount_minor=300_000, spent_on=date(2026, 1, 15)
            ),
            ProjectCost(
                project_id=p["P2"], kind="expense", description="打样", amount_minor=100_000, spent_on=date(2026, 3, 10)
            ),
        ]
    )


def _relationship(s: Seeded) -> None:
    c, du, su = s.clients, s.users["du"], s.users["su"]
    db.session.add_all(
        [
            Interaction(
                client_id=c["C1"],
                author_id=du,
                kind="call",
                summary="电话",
                occurred_at=at("2026-01-11 02:00"),
                next_action="发报价",
                next_action_due=date(2026, 1, 12),
            ),
            Interaction(
                client_id=c["C1"],
                author_id=du,
                kind="wechat",
                summary="微信",
                occurred_at=at("2026-02-11 02:00"),
                next_action="回访",
                next_action_due=date(2026, 2, 12),
                next_action_done_at=at("2026-02-12 03:00"),
            ),
            Interaction(
                client_id=c["C2"], author_id=du, kind="meeting", summary="面谈", occurred_at=at("2026-03-02 02:00")
            ),
            Interaction(
                client_id=c["C3"], author_id=su, kind="call", summary="电话", occurred_at=at("2026-02-02 02:00")
            ),
            Interaction(
                client_id=c["C5"], author_id=du, kind="call", summary="去年", occurred_at=at("2025-12-30 02:00")
            ),
            Ticket(
                number="T-0001",
                client_id=c["C1"],
                subject="灯箱",
                description="不亮",
                category="repair",
                created_at=at("2026-01-10 00:00"),
                first_response_at=at("2026-01-10 02:00"),
                resolved_at=at("2026-01-10 10:00"),
                status="resolved",
            ),
            Ticket(
                number="T-0002",
                client_id=c["C3"],
                subject="发票",
                description="重开",
                category="question",
                created_at=at("2026-02-01 00:00"),
                first_response_at=at("2026-02-01 04:00"),
            ),
        ]
    )
    form = Form(slug="feedback", kind="feedback", status="published", title_en="Feedback", title_zh="反馈")
    db.session.add(form)
    db.session.flush()
    answers = ((c["C1"], 10, 5), (c["C1"], 9, 4), (c["C3"], 7, 2), (c["C4"], 3, None))
    for n, (client, nps, csat) in enumerate(answers):
        db.session.add(
            Submission(
                form_id=form.id,
                client_id=client,
                nps=nps,
                csat=csat,
                ip_hash=f"h{n}",
                submitted_at=at("2026-02-15 02:00"),
            )
        )
