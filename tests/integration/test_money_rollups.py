"""The money day rollup (saas/billing/rollups.py) against the payments and costs themselves, after a random mix of
invoices paid, costs added and removed, and clients deleted through the services, after a bulk client delete and
the rebuild command; and the money and client-value widgets read from it with another studio's money never in."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from saas.billing.models import Invoice, Payment, ProjectCost
from saas.billing.rollups import NONE, MoneyDay
from saas.billing.services import costs, invoices
from saas.cli import main
from saas.clients import services as clients
from saas.clients.models import Client
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects import services as projects
from saas.projects.models import Project
from saas.tenants.models import Membership
from tests.conftest import Studio

START = date(2026, 1, 1)


def rolled(app, studio: Studio) -> Counter:
    """{(day, client, project, "revenue" | "costs" | "payments" | "spent"): n}, zeros left out."""
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        found: Counter = Counter()
        for r in db.session.scalars(select(MoneyDay)):
            for name in ("revenue", "costs", "payments", "spent"):
                found[(r.day, r.client_id, r.project_id, name)] += getattr(r, name)
        return +found


def counted(app, studio: Studio) -> Counter:
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        found: Counter = Counter()
        paid = select(Payment.paid_on, Invoice.client_id, Invoice.project_id, Payment.amount_minor).join(
            Invoice, Invoice.id == Payment.invoice_id
        )
        for day, client, project, amount in db.session.execute(paid):
            found[(day, client, project or NONE, "revenue")] += amount
            found[(day, client, project or NONE, "payments")] += 1
        spent = select(ProjectCost.spent_on, Project.client_id, Project.id, ProjectCost.amount_minor).join(
            Project, Project.id == ProjectCost.project_id
        )
        for day, client, project, amount in db.session.execute(spent):
            found[(day, client, project, "costs")] += amount
            found[(day, client, project, "spent")] += 1
        return +found


def step(rng: random.Random, owner: Membership, n: int) -> None:
    clients_ = db.session.scalars(select(Client).order_by(Client.name)).all()
    open_ = db.session.scalars(select(Invoice).where(Invoice.status.in_(("sent", "partly_paid")))).all()
    projects_ = db.session.scalars(select(Project).order_by(Project.name)).all()
    spent = db.session.scalars(select(ProjectCost).order_by(ProjectCost.id)).all()
    day = START + timedelta(days=rng.randint(0, 40))
    roll = rng.random()
    if not clients_ or roll < 0.15:
        client = clients.create_client(owner, {"name": f"C{n}", "kind": "company", "status": "signed", "tags": []})
        db.session.flush()
        projects.create_project(owner, {"client_id": client.id, "name": f"P{n}", "type": rng.choice(("品牌", "空间"))})
    elif roll < 0.35:
        client = rng.choice(clients_)
        project = rng.choice([p.id for p in projects_ if p.client_id == client.id] + [None])
        data = {"client_id": client.id, "project_id": project, "title": "fee", "amount_minor": 90_000, "due_on": day}
        invoices.send_invoice(owner, invoices.create_invoice(owner, data))
    elif roll < 0.6 and open_:
        invoice = rng.choice(open_)
        amount = min(invoice.balance_minor, rng.choice((10_000, 30_000, 90_000)))
        invoices.record_payment(owner, invoice, {"amount_minor": amount, "method": "bank", "paid_on": day})
    elif roll < 0.8 and projects_:
        data = {"kind": "expense", "description": "print", "amount_minor": rng.randint(1, 9) * 1000, "spent_on": day}
        costs.add_cost(owner, rng.choice(projects_), data)
    elif roll < 0.93 and spent:
        costs.remove_cost(owner, rng.choice(spent))
    elif clients_:
        client = rng.choice(clients_)
        clients.delete_client(owner, client, client.name)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_money_rollup_equals_the_payments_and_costs_after_a_random_mix_and_the_rebuild(app, studio, seed):
    rng = random.Random(seed)
    for n in range(70):
        with app.test_request_context():
            set_tenant(db.session(), studio.tenant_id)
            step(rng, db.session.get(Membership, studio.owner_membership_id), n)
            db.session.commit()
    expected = counted(app, studio)
    assert sum(v for k, v in expected.items() if k[3] == "revenue") > 0 and any(k[3] == "costs" for k in expected)
    assert rolled(app, studio) == expected
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(delete(MoneyDay))
        db.session.commit()
    result = app.test_cli_runner().invoke(main, ["rollups", "rebuild", "--tenant", studio.slug])
    assert result.exit_code == 0, result.output
    assert rolled(app, studio) == expected


def test_a_bulk_client_delete_takes_its_money_out(app, studio):
    rng = random.Random(5)
    for n in range(40):
        with app.test_request_context():
            set_tenant(db.session(), studio.tenant_id)
            step(rng, db.session.get(Membership, studio.owner_membership_id), n)
            db.session.commit()
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        first = db.session.scalars(select(Client.name).order_by(Client.name)).first()
        db.session.execute(delete(Client).where(Client.name == first).execution_options(synchronize_session=False))
        db.session.commit()
    assert rolled(app, studio) == counted(app, studio)


def test_the_money_widgets_read_the_rollup_and_never_another_studios_money(app, studio, other_studio):
    from flask import g
    from werkzeug.datastructures import MultiDict

    from saas.reports import filters
    from saas.reports.widgets.money import money_widget
    from saas.reports.widgets.value import value

    for s, amount in ((studio, 40_000), (other_studio, 70_000)):
        with app.test_request_context():
            set_tenant(db.session(), s.tenant_id)
            owner = db.session.get(Membership, s.owner_membership_id)
            client = clients.create_client(owner, {"name": "同名", "kind": "company", "status": "signed", "tags": []})
            db.session.flush()
            data = {"client_id": client.id, "title": "fee", "amount_minor": 90_000, "due_on": START}
            invoice = invoices.create_invoice(owner, data)
            invoices.send_invoice(owner, invoice)
            invoices.record_payment(owner, invoice, {"amount_minor": amount, "method": "bank", "paid_on": START})
            db.session.commit()
    with app.test_request_context("/app/dashboard", headers={"Accept-Language": "en"}):
        set_tenant(db.session(), studio.tenant_id)
        membership = db.session.get(Membership, studio.owner_membership_id)
        g.membership, g.tenant = membership, membership.tenant
        args = MultiDict({"period": "custom", "from": "2026-01-01", "to": "2026-01-31"})
        scope = filters.Scope(membership, filters.read(args, START, "Asia/Shanghai", filters.studio_member_ids()))
        assert scope.everything  # the rollup's reader
        assert money_widget(scope, START).revenue == 40_000
        assert [(p.label, p.profit_minor) for p in value(scope, True).by_client] == [("同名", 40_000)]
