"""A busy studio, on PostgreSQL with Row-Level Security: many requests on the same record at the same moment, as
separate connections. None may end in a 5xx; the losers get a conflict (409/412) or a refusal (422) that says
why, and the end state adds up."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.clients.models import Contact, Interaction
from saas.projects.models import StageChange, Task
from tests.conftest import query
from tests.factories import api

pytestmark = pytest.mark.postgres


def race(calls: list[Callable[[], object]]) -> list:
    """Run the calls in threads released at the same moment (each with its own client, so its own connection);
    none may answer 5xx."""
    start = threading.Barrier(len(calls))

    def run(call: Callable):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        answers = list(pool.map(run, calls))
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.get_data(as_text=True)[:200]) for a in answers]
    return answers


def parallel(app, token: str, calls: list[Callable]) -> list:
    """API calls, each on its own client with the token."""
    return race([partial(call, api(app, token)) for call in calls])


def statuses(answers: list) -> list[int]:
    return sorted(a.status_code for a in answers)


def _sent_invoice(http, client_id: str, amount: int) -> dict:
    body = {"client_id": client_id, "title": "首期款", "amount_minor": amount, "due_on": "2027-01-31"}
    invoice = http.post("/api/v1/invoices", json=body).get_json()
    return http.post(f"/api/v1/invoices/{invoice['id']}/send").get_json()


def test_parallel_payments_on_one_invoice_never_overpay_and_never_fail(app, studio, seeded):
    http = api(app, seeded["token"])
    invoice = _sent_invoice(http, seeded["client_id"], 100_000)
    url = f"/api/v1/invoices/{invoice['id']}/payments"
    pay = {"amount_minor": 60_000, "method": "bank"}
    answers = parallel(app, seeded["token"], [lambda h: h.post(url, json=pay)] * 3)
    assert statuses(answers) == [201, 422, 422]  # each saw the balance the one before it left
    assert all("balance" in str(a.get_json()) for a in answers if a.status_code == 422)

    etag = http.get(f"/api/v1/invoices/{invoice['id']}").headers["ETag"]
    small = {"amount_minor": 10_000, "method": "bank"}
    named = parallel(app, seeded["token"], [lambda h: h.post(url, json=small, headers={"If-Match": etag})] * 4)
    assert statuses(named).count(201) == 1 and set(statuses(named)) <= {201, 409, 412}
    paid = query(app, studio.tenant_id, select(Payment).where(Payment.invoice_id == uuid.UUID(invoice["id"])))
    assert sum(p.amount_minor for p in paid) == 70_000
    assert query(app, studio.tenant_id, select(Invoice.paid_minor).where(Invoice.id == uuid.UUID(invoice["id"]))) == [
        70_000
    ]


def test_thirty_parallel_contacts_and_follow_ups_on_one_client_all_land(app, studio, seeded):
    base = f"/api/v1/clients/{seeded['client_id']}"

    def contact(n: int, h):
        return h.post(f"{base}/contacts", json={"name": f"联系人{n}", "phone": f"1390000{n:04d}"})

    def follow_up(n: int, h):
        return h.post(f"{base}/interactions", json={"kind": "call", "summary": f"第{n}次"})

    contacts = [partial(contact, n) for n in range(15)]
    follow_ups = [partial(follow_up, n) for n in range(15)]
    answers = parallel(app, seeded["token"], contacts + follow_ups)
    assert statuses(answers) == [201] * 30
    client_id = uuid.UUID(seeded["client_id"])
    assert len(query(app, studio.tenant_id, select(Contact).where(Contact.client_id == client_id))) == 16
    assert len(query(app, studio.tenant_id, select(Interaction).where(Interaction.client_id == client_id))) == 16
    http = api(app, seeded["token"])
    for n in (0, 7, 14):  # every contact made it into the search text, none lost to a parallel one
        found = http.get(f"/api/v1/clients?q=1390000{n:04d}").get_json()["data"]
        assert [c["id"] for c in found] == [seeded["client_id"]]
    assert http.get(base).get_json()["version"] == 1  # children never moved the client's version


def test_parallel_edits_of_a_project_keep_one_and_refuse_the_rest(app, studio, seeded):
    url = f"/api/v1/projects/{seeded['project_id']}"
    http = api(app, seeded["token"])
    etag = http.get(url).headers["ETag"]

    def rename(n: int, h):
        return h.patch(url, json={"name": f"改名{n}"}, headers={"If-Match": etag})

    answers = parallel(app, seeded["token"], [partial(rename, n) for n in range(6)])
    assert statuses(answers).count(200) == 1 and set(statuses(answers)) <= {200, 409, 412}

    stages = http.get("/api/v1/stages").get_json()["data"]
    design = next(s["id"] for s in stages if s["key"] == "design")
    etag = http.get(url).headers["ETag"]
    moves = parallel(
        app, seeded["token"], [lambda h: h.patch(url, json={"stage_id": design}, headers={"If-Match": etag})] * 4
    )
    assert statuses(moves).count(200) == 1, statuses(moves)
    into_design = select(StageChange).where(StageChange.to_stage_id == uuid.UUID(design))
    assert len(query(app, studio.tenant_id, into_design)) == 1  # moved once, recorded once


def test_parallel_ticks_of_one_checklist_all_stay(app, client, new_client, studio):
    client.login(studio.owner_email)
    made = client.submit("/app/clients/new", {"name": "鹿鸣咖啡", "kind": "company"})
    items = "\n".join(f"项{n}" for n in range(6))
    assert client.submit(f"{made.headers['Location']}/tasks", {"title": "交付", "checklist": items}).status_code == 302
    task = query(app, studio.tenant_id, select(Task))[0]
    browsers = [new_client() for _ in range(6)]
    for browser in browsers:
        browser.login(studio.owner_email)
    ticks = [partial(b.submit, f"/app/tasks/{task.id}/checklist/{n}") for n, b in enumerate(browsers)]
    assert set(statuses(race(ticks))) == {302}
    ticked = query(app, studio.tenant_id, select(Task))[0]
    assert [item["done"] for item in ticked.checklist] == [True] * 6


def test_parallel_quote_edits_and_sends_and_invoice_numbers(app, studio, seeded):
    http = api(app, seeded["token"])
    quote_url = f"/api/v1/quotes/{seeded['quote_id']}"
    etag = http.get(quote_url).headers["ETag"]
    edits = parallel(
        app, seeded["token"], [lambda h: h.patch(quote_url, json={"title": "新报价"}, headers={"If-Match": etag})] * 5
    )
    assert statuses(edits).count(200) == 1 and set(statuses(edits)) <= {200, 409, 412}
    sends = parallel(app, seeded["token"], [lambda h: h.post(f"{quote_url}/send")] * 4)
    assert statuses(sends).count(200) >= 1 and set(statuses(sends)) <= {200, 409, 422}

    body = {"client_id": seeded["client_id"], "title": "尾款", "amount_minor": 1_000, "due_on": "2027-02-28"}
    made = parallel(app, seeded["token"], [lambda h: h.post("/api/v1/invoices", json=body)] * 8)
    assert statuses(made) == [201] * 8
    numbers = [a.get_json()["number"] for a in made]
    assert len(set(numbers)) == 8  # one number each, never twice

    url = made[0].headers["Location"]
    sent = parallel(app, seeded["token"], [lambda h: h.post(f"{url}/send")] * 4)
    assert statuses(sent).count(200) >= 1 and set(statuses(sent)) <= {200, 409, 422}


def test_sharing_a_client_with_the_same_person_twice_at_once(app, client, studio, seeded):
    from tests.conftest import add_member

    member = add_member(app, studio, "emma@aurora.test", "member")
    from saas.tenants.models import Membership

    user_id = query(app, studio.tenant_id, select(Membership.user_id).where(Membership.id == member))[0]
    url = f"/api/v1/clients/{seeded['client_id']}/shares"
    answers = parallel(app, seeded["token"], [lambda h: h.post(url, json={"user_id": str(user_id)})] * 4)
    assert 201 in statuses(answers) and set(statuses(answers)) <= {201, 409}
    assert len(api(app, seeded["token"]).get(url).get_json()["data"]) == 1


def test_parallel_tickets_replies_and_patches_on_one_ticket(app, studio, seeded):
    """Eight tickets raised at once get eight numbers; replies and notes in parallel all land; parallel patches
    with the same If-Match: one wins, the others are told (409/412), never a 500."""
    from saas.tickets.models import Ticket, TicketReply

    body = {"client_id": seeded["client_id"], "subject": "并发工单", "description": "x"}
    made = parallel(app, seeded["token"], [lambda h: h.post("/api/v1/tickets", json=body)] * 8)
    assert statuses(made) == [201] * 8
    assert len({a.get_json()["number"] for a in made}) == 8  # T-0001 … T-0008, never twice

    url = made[0].headers["Location"]
    talk = [
        lambda h, n=n: h.post(f"{url}/{'notes' if n % 2 else 'replies'}", json={"body": f"第{n}条"}) for n in range(8)
    ]
    assert statuses(parallel(app, seeded["token"], talk)) == [201] * 8
    ticket_id = uuid.UUID(url.rsplit("/", 1)[1])
    assert len(query(app, studio.tenant_id, select(TicketReply).where(TicketReply.ticket_id == ticket_id))) == 8

    etag = api(app, seeded["token"]).get(url).headers["ETag"]
    changes = [{"status": "resolved"}, {"priority": "urgent"}, {"status": "waiting"}, {"subject": "改"}]
    patches = parallel(
        app, seeded["token"], [lambda h, c=c: h.patch(url, json=c, headers={"If-Match": etag}) for c in changes]
    )
    assert statuses(patches).count(200) == 1 and set(statuses(patches)) <= {200, 409, 412}
    ticket = query(app, studio.tenant_id, select(Ticket).where(Ticket.id == ticket_id))[0]
    assert ticket.first_response_at is not None


def test_two_workers_sweeping_at_once_tell_a_breach_once(app, studio, seeded):
    """The SLA sweep run by two workers at the same moment (two connections): the breach is claimed on the ticket
    by a conditional UPDATE, so exactly one of them tells it."""
    from sqlalchemy import update

    from saas.db import utcnow
    from saas.extensions import db
    from saas.isolation import set_tenant
    from saas.notify.models import Notification
    from saas.scheduling import run_everywhere
    from saas.tickets.models import Ticket

    body = {"client_id": seeded["client_id"], "subject": "超时", "description": "x"}
    made = api(app, seeded["token"]).post("/api/v1/tickets", json=body).get_json()
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        late = utcnow() - timedelta(minutes=5)
        statement = update(Ticket).where(Ticket.id == uuid.UUID(made["id"]))
        db.session.execute(statement.values(first_response_due_at=late, resolution_due_at=late))
        db.session.commit()
    start = threading.Barrier(4)

    def sweep() -> int:
        with app.app_context():
            start.wait()
            return run_everywhere("saas.tickets.services:sweep_breaches")

    with ThreadPoolExecutor(4) as pool:
        told = list(pool.map(lambda _n: sweep(), range(4)))
    assert sum(told) == 2  # the first response and the resolution, each once
    notes = query(app, studio.tenant_id, select(Notification).where(Notification.kind == "ticket_breached"))
    assert len(notes) == 2  # the owner (no manager in this studio), once per target


def test_parallel_edits_of_one_custom_field_keep_one_and_refuse_the_rest_with_409(app, client, new_client, studio):
    client.login(studio.owner_email)
    form = {"key": "area", "label_en": "Area", "type": "number"}
    assert client.submit("/app/settings/fields/new?entity=client", form).status_code == 302
    from saas.fields.models import FieldDefinition

    area = query(app, studio.tenant_id, select(FieldDefinition))[0]
    browsers = [new_client() for _ in range(4)]
    for browser in browsers:
        browser.login(studio.owner_email)
    edits = [
        partial(
            b.submit,
            f"/app/settings/fields/{area.id}/edit",
            {"label_en": f"Area {n}", "type": "number", "version": "1"},
        )
        for n, b in enumerate(browsers)
    ]
    answers = statuses(race(edits))
    assert answers.count(302) == 1 and set(answers) == {302, 409}, answers
    same_key = [
        partial(
            b.submit, "/app/settings/fields/new?entity=client", {"key": "rooms", "label_en": "Rooms", "type": "number"}
        )
        for b in browsers
    ]
    answers = statuses(race(same_key))
    assert answers.count(302) == 1 and set(answers) <= {302, 409, 422}, answers
