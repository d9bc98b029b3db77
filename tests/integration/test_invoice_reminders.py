"""What the client hears about invoices: the invoice when it is sent, reminders on the studio's days around the
due date (at most one a day, none once paid), and approval-gated billing — an invoice tied to a draft version is
sent by itself when the client approves that version."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import update

from saas.billing.models import Invoice
from saas.extensions import db
from saas.isolation import set_tenant
from saas.scheduling import tick
from tests.conftest import studio_today
from tests.integration.test_proofing import Setup


def _invoice(s: Setup, due: date, project: bool = True) -> str:
    form = {"client_id": s.client_url.rsplit("/", 1)[1], "title": "设计费", "amount": "5000", "due_on": due.isoformat()}
    if project:
        form["project_id"] = s.project_id
    made = s.staff.submit("/app/invoices/new", form)
    assert made.status_code == 302, made.get_data(as_text=True)[:800]
    return made.headers["Location"]


def _set(app, studio, invoice_url: str, **values) -> None:
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(
            update(Invoice).where(Invoice.id == uuid.UUID(invoice_url.rsplit("/", 1)[1])).values(**values)
        )
        db.session.commit()


def _mails(outbox, kind_words: str) -> list:
    return [m for m in outbox.messages() if m["To"] == "zw@deer.test" and kind_words in m["Subject"]]


def test_sending_an_invoice_tells_the_client(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    url = _invoice(s, studio_today() + timedelta(days=20))
    assert s.staff.submit(f"{url}/send", {}).status_code == 302
    [mail] = _mails(outbox, "sent you invoice")
    assert "/portal/aurora/invoices/" in mail.get_body(preferencelist=("plain",)).get_content()


def test_reminders_on_the_studios_days_once_a_day_and_never_once_paid(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    today = studio_today()
    url = _invoice(s, today + timedelta(days=3))
    s.staff.submit(f"{url}/send", {})
    tick(app)
    tick(app)  # the same day again: nothing more
    assert len(_mails(outbox, "is due on")) == 1
    _set(app, studio, url, due_on=today, reminded_on=today - timedelta(days=1))  # three days later
    tick(app)
    assert len(_mails(outbox, "is due today")) == 1
    _set(app, studio, url, due_on=today - timedelta(days=8), reminded_on=today - timedelta(days=1))
    tick(app)
    assert len(_mails(outbox, "is overdue since")) == 1
    _set(app, studio, url, due_on=today - timedelta(days=30), reminded_on=today - timedelta(days=1))
    tick(app)  # every day has been used: no more
    assert len(_mails(outbox, "overdue")) == 1

    paid = _invoice(s, today + timedelta(days=3))
    s.staff.submit(f"{paid}/send", {})
    s.staff.submit(f"{paid}/pay", {"amount": "5000", "method": "bank"})
    before = len(outbox.messages())
    tick(app)
    assert len(outbox.messages()) == before  # paid: never reminded


def test_the_studio_chooses_the_days(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    base = {"tax": "6", "discount_threshold": "10", "quote_valid_days": "30"}
    bad = s.staff.submit("/app/settings/billing", {**base, "reminder_days": "soon, later"})
    assert bad.status_code == 422 and "separated by commas" in bad.get_data(as_text=True)
    assert s.staff.submit("/app/settings/billing", {**base, "reminder_days": "-1，14"}).status_code == 302
    assert "-1, 14" in s.staff.get("/app/settings/billing").get_data(as_text=True)
    assert s.staff.submit("/app/settings/billing", {**base, "reminder_days": ""}).status_code == 302
    url = _invoice(s, studio_today())
    s.staff.submit(f"{url}/send", {})
    tick(app)
    assert _mails(outbox, "due") == []


def test_an_invoice_waiting_for_a_draft_goes_out_when_the_client_approves(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    draft_id = draft_url.rsplit("/", 1)[1]
    url = _invoice(s, studio_today() + timedelta(days=14))
    assert s.staff.submit(f"{url}/gate", {"draft_id": draft_id}).status_code == 302
    assert "Waiting for the client to approve version 1" in s.staff.get(url).get_data(as_text=True)
    assert s.staff.submit(f"{url}/gate", {"draft_id": str(uuid.uuid4())}).status_code == 422

    s.reviewer.submit(f"{s.portal_url(draft_url)}/decision", {"choice": "approve", "rating": "5"})
    invoice = s.rows(Invoice, Invoice.id == uuid.UUID(url.rsplit("/", 1)[1]))[0]
    assert invoice.status == "sent" and invoice.release_on_draft_id is None
    assert len(_mails(outbox, "sent you invoice")) == 1


def test_changes_requested_keeps_the_invoice_waiting(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    url = _invoice(s, studio_today() + timedelta(days=14))
    s.staff.submit(f"{url}/gate", {"draft_id": draft_url.rsplit("/", 1)[1]})
    s.reviewer.submit(f"{s.portal_url(draft_url)}/decision", {"choice": "request_changes"})
    invoice = s.rows(Invoice, Invoice.id == uuid.UUID(url.rsplit("/", 1)[1]))[0]
    assert invoice.status == "draft" and _mails(outbox, "sent you invoice") == []


def test_an_invoice_cannot_wait_for_another_studios_draft(app, client, new_client, studio, other_studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    theirs = Setup(app, new_client(), new_client, other_studio, outbox, email="x@bamboo-client.test")
    their_draft, _files = theirs.prepared()
    url = _invoice(s, studio_today() + timedelta(days=14))
    refused = s.staff.submit(f"{url}/gate", {"draft_id": their_draft.rsplit("/", 1)[1]})
    assert refused.status_code == 422
    assert s.rows(Invoice, Invoice.id == uuid.UUID(url.rsplit("/", 1)[1]))[0].release_on_draft_id is None
