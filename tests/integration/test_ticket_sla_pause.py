"""The resolution clock stops while a ticket waits on the client: no breach is told while it waits, the pages say
the clock is paused, and when the client answers (in the portal) the due time moves by the business hours
waited; a new priority measures with them too."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.scheduling import tick
from saas.tickets.models import Ticket
from tests.integration.test_tickets import _desk

ROUND_THE_CLOCK = {  # every day, 00:00–23:59: business hours are (almost) wall-clock hours, whatever day it is
    "work_days": [str(d) for d in range(7)],
    "day_start": "00:00",
    "day_end": "23:59",
    "categories": "other",
    **{f"{p}_first_response": "1" for p in ("low", "normal", "high", "urgent")},
    **{f"{p}_resolution": r for p, r in (("low", "48"), ("normal", "24"), ("high", "8"), ("urgent", "4"))},
}


def _set(app, studio, ticket_id: str, **values) -> None:
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(Ticket).where(Ticket.id == uuid.UUID(ticket_id)).values(**values))
        db.session.commit()


def test_waiting_on_the_client_stops_the_resolution_clock(app, client, new_client, studio, outbox):
    d = _desk(app, client, new_client, studio, outbox)
    assert d.staff.submit("/app/settings/tickets", ROUND_THE_CLOCK).status_code == 302
    made = d.http.post("/api/v1/tickets", json={"client_id": d.client_id, "subject": "窗帘尺寸", "description": "?"})
    ticket_id = made.get_json()["id"]
    url = f"/api/v1/tickets/{ticket_id}"
    assert d.http.post(f"{url}/replies", json={"body": "请量一下窗宽", "wait": True}).status_code == 201
    waiting = d.http.get(url).get_json()
    assert waiting["status"] == "waiting" and waiting["waiting_since"] is not None

    # It has waited three hours, and its resolution fell due an hour ago: two hours were left when it began.
    now = utcnow()
    _set(app, studio, ticket_id, waiting_since=now - timedelta(hours=3), resolution_due_at=now - timedelta(hours=1))
    for _ in range(2):
        tick(app)
    assert d.notes("ticket_breached") == []
    assert d.http.get(url).get_json()["overdue"] is False
    page = d.staff.get(f"/app/tickets/{ticket_id}").get_data(as_text=True)
    assert "Resolution paused while waiting on the client (2 h 0 min left)" in page
    listed = d.staff.get("/app/tickets").get_data(as_text=True)
    assert "paused while waiting" in listed

    # The client answers: the clock runs again, the due time moved by the ~3 business hours waited.
    assert d.visitor.submit(f"/portal/aurora/tickets/{ticket_id}/reply", {"body": "宽 2.4 米"}).status_code == 302
    resumed = d.ticket(ticket_id)
    assert resumed.status == "open" and resumed.waiting_since is None
    assert 2.95 <= resumed.sla_paused_hours <= 3.05
    left = resumed.resolution_due_at - utcnow()
    assert timedelta(hours=1, minutes=55) <= left <= timedelta(hours=2, minutes=5)
    assert d.http.get(url).get_json()["overdue"] is False

    # A new priority measures from when it was raised, plus the hours it waited.
    etag = d.http.get(url).headers["ETag"]
    assert d.http.patch(url, json={"priority": "urgent"}, headers={"If-Match": etag}).status_code == 200
    urgent = d.ticket(ticket_id)
    expected = urgent.created_at + timedelta(hours=4 + urgent.sla_paused_hours)
    assert abs(urgent.resolution_due_at - expected) <= timedelta(minutes=2)

    # Once it is late with the clock running, the breach is told (once).
    _set(app, studio, ticket_id, resolution_due_at=utcnow() - timedelta(minutes=5))
    tick(app)
    tick(app)
    assert len({n.user_id for n in d.notes("ticket_breached")}) == len(d.notes("ticket_breached")) >= 1


def test_a_ticket_late_before_it_waits_stays_late_but_is_not_told_while_it_waits(
    app, client, new_client, studio, outbox
):
    d = _desk(app, client, new_client, studio, outbox)
    made = d.http.post("/api/v1/tickets", json={"client_id": d.client_id, "subject": "报价", "description": "?"})
    ticket_id = made.get_json()["id"]
    url = f"/api/v1/tickets/{ticket_id}"
    d.http.post(f"{url}/replies", json={"body": "稍等", "wait": True})
    now = utcnow()
    _set(app, studio, ticket_id, waiting_since=now - timedelta(hours=1), resolution_due_at=now - timedelta(hours=2))
    assert d.http.get(url).get_json()["overdue"] is True
    assert "(1 h 0 min late)" in d.staff.get(f"/app/tickets/{ticket_id}").get_data(as_text=True)
    tick(app)
    assert d.notes("ticket_breached") == []
