"""What the client hears about invoices: the invoice when it is sent (however it was sent), and reminders of an
open one on the days the studio chose around its due date (by default three days before, on the day, a week
after) — at most one a day, none once it is paid. Reminders go to the client's people who can open the portal,
where the invoice can be paid."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from saas.billing.models import Invoice, InvoiceStatus
from saas.billing.services.common import refuse, settings
from saas.db import set_quietly
from saas.events import emit
from saas.extensions import db
from saas.notify.services import Recipient, notify
from saas.portal_accounts.queries import client_recipients
from saas.tenants.models import Membership, Tenant
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm, require
from saas.web.urls import site_path

OPEN = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)


def _data(invoice: Invoice, tenant: Tenant, **extra: object) -> dict:
    return {
        "studio": tenant.name,
        "invoice": invoice.number,
        "title": invoice.title,
        "amount_minor": invoice.balance_minor,
        "currency": tenant.currency,
        "due_on": invoice.due_on.isoformat(),
        **extra,
    }


def _link(invoice: Invoice, tenant: Tenant) -> str:
    return site_path("portal.invoice", slug=tenant.slug, invoice_id=invoice.id)


def tell_sent(invoice: Invoice) -> list[Recipient]:
    """The client's portal users hear of the invoice (bell and e-mail, with a link to pay); returns who."""
    tenant = db.session.get(Tenant, invoice.tenant_id)
    recipients = client_recipients(invoice.client_id)
    notify(recipients, "invoice_sent", _data(invoice, tenant), _link(invoice, tenant), email=True)
    return recipients


def _people_to_tell(membership: Membership, invoice: Invoice) -> list[Recipient]:
    require(membership, Perm.INVOICES)
    if invoice.status not in OPEN or invoice.balance_minor <= 0:
        raise refuse(_("Only a sent invoice with something left to pay goes to the client again."))
    recipients = client_recipients(invoice.client_id)
    if not recipients:
        raise refuse(
            _(
                "Nobody at %(client)s can open the portal yet: invite a contact from the client's page first.",
                client=invoice.client.name,
            )
        )
    return recipients


def send_again(membership: Membership, invoice: Invoice) -> list[Recipient]:
    """The invoice once more, as when it was sent (a client who lost the e-mail)."""
    _people_to_tell(membership, invoice)
    recipients = tell_sent(invoice)
    emit(
        "invoice.resent",
        subject=invoice,
        client=invoice.client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=invoice.balance_minor,
    )
    return recipients


def remind_now(membership: Membership, invoice: Invoice) -> list[Recipient]:
    """A reminder today, by hand: it counts as today's, so the scheduled one does not follow it the same day. The
    invoice's version does not move (a colleague recording a payment meanwhile is not made stale)."""
    recipients = _people_to_tell(membership, invoice)
    tenant = db.session.get(Tenant, invoice.tenant_id)
    today = studio_today(tenant.id)
    late_by = (today - invoice.due_on).days
    set_quietly(db.session, invoice, reminded_on=today)
    notify(recipients, "invoice_reminder", _data(invoice, tenant, day=late_by), _link(invoice, tenant), True)
    emit(
        "invoice.reminded",
        subject=invoice,
        client=invoice.client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=invoice.balance_minor,
    )
    return recipients


def reminder_due(invoice: Invoice, days: list[int], today: date) -> int | None:
    """The reminder day to use today, if any: the latest of the studio's days that has come and not been used."""
    if invoice.status not in OPEN or invoice.balance_minor <= 0 or invoice.reminded_on == today:
        return None
    late_by = (today - invoice.due_on).days
    come = [d for d in sorted(days) if d <= late_by and d not in (invoice.reminders_sent or [])]
    return come[-1] if come else None


def remind_overdue() -> int:
    """Periodic, per studio."""
    tenant = db.session.get(Tenant, db.session.info["tenant_id"])
    days = settings().reminder_days or []
    if not days:
        return 0
    today = studio_today(tenant.id)
    horizon = today - timedelta(days=min(days))  # due on or before this day may need one
    query = select(Invoice).where(Invoice.status.in_(OPEN), Invoice.due_on <= horizon).limit(1000)
    sent = 0
    for invoice in db.session.scalars(query):
        day = reminder_due(invoice, days, today)
        if day is None:
            continue
        # Every day that has come counts as used: a reminder is not followed by a burst of older ones.
        invoice.reminders_sent = sorted({*(invoice.reminders_sent or []), *(d for d in days if d <= day)})
        invoice.reminded_on = today
        notify(
            client_recipients(invoice.client_id),
            "invoice_reminder",
            _data(invoice, tenant, day=day),
            _link(invoice, tenant),
            True,
        )
        sent += 1
    return sent
