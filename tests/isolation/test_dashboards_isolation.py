"""Dashboards across studios: another studio's records never count on a board, and another studio's ids in the
filters (its owner) are ignored with a note, never a leak nor a 500. Runs on SQLite and on PostgreSQL (where RLS
stands behind the ORM)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from saas.billing.models import Invoice, Payment
from saas.clients.models import Client
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import Membership
from tests.conftest import add_member, studio_today
from tests.integration.dashboards_seed import Q1, seed
from tests.integration.test_dashboards import compute


@pytest.fixture
def both(app, studio, other_studio):
    """Studio A seeded as the figure tests know it; studio B with its own client, paid invoice and member."""
    seeded = seed(app, studio, studio_today())
    b_member = add_member(app, other_studio, "spy@bamboo.test", "member", "Spy Shen")
    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        client = Client(
            name="竹子的秘密客户",
            sort_key="z",
            source="转介绍",
            status="signed",
            created_at=datetime(2026, 1, 15, 2, tzinfo=UTC),
        )
        db.session.add(client)
        db.session.flush()
        invoice = Invoice(
            client_id=client.id,
            number="B-1",
            title="B",
            amount_minor=9_900_000,
            paid_minor=9_900_000,
            due_on=date(2026, 1, 20),
            status="paid",
        )
        db.session.add(invoice)
        db.session.flush()
        db.session.add(Payment(invoice_id=invoice.id, amount_minor=9_900_000, method="bank", paid_on=date(2026, 1, 20)))
        b_user = db.session.get(Membership, b_member).user_id
        db.session.commit()
    return seeded, b_user


def test_another_studios_records_never_count(app, client, new_client, studio, other_studio, both):
    seeded, _b_user = both
    from saas.reports.widgets.funnel import funnel
    from saas.reports.widgets.money import money_widget

    assert compute(app, seeded, "owner", lambda s: money_widget(s, studio_today())).revenue == 1_000_000
    assert compute(app, seeded, "owner", funnel).clients[0].reached == 4
    client.login(studio.owner_email)
    html = client.get("/app/dashboard", query_string=Q1).get_data(as_text=True)
    assert "竹子的秘密客户" not in html and "B-1" not in html and "Spy Shen" not in html
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    theirs = intruder.get("/app/dashboard", query_string=Q1).get_data(as_text=True)
    for name in ("鹿鸣咖啡", "INV-2", "Designer Du", "Project P3"):
        assert name not in theirs
    assert "¥99,000.00" in theirs  # their own revenue, alone


def test_another_studios_owner_id_as_a_filter_is_ignored_with_a_note(app, client, studio, both):
    _seeded, b_user = both
    client.login(studio.owner_email)
    response = client.get("/app/dashboard", query_string={**Q1, "owner": str(b_user)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "not a member of this studio" in html and "Spy Shen" not in html
    assert "Designer Du" in html  # showing everyone of studio A instead


def test_studio_b_cannot_read_studio_a_through_its_owner_id(app, new_client, other_studio, both):
    seeded, _b_user = both
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    html = intruder.get("/app/dashboard", query_string={**Q1, "owner": str(seeded.users["du"])}).get_data(as_text=True)
    assert "not a member of this studio" in html and "鹿鸣咖啡" not in html and "Designer Du" not in html
