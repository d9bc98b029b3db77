"""After money arrives online: the client's receipt (e-mail and the portal, where it can be printed) and word
to the studio's people who follow the project's money."""

from __future__ import annotations

from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.extensions import db
from saas.notify.services import Recipient, notify
from saas.portal_accounts.queries import client_recipients
from saas.tenants.models import Membership, Role, Tenant, User
from saas.web.urls import site_path

STAFF_WHO_HEAR = (Role.OWNER, Role.ADMIN, Role.FINANCE)


def announce(invoice: Invoice, payment: Payment) -> None:
    tenant = db.session.get(Tenant, invoice.tenant_id)
    data = {
        "studio": tenant.name,
        "client": invoice.client.name,
        "invoice": invoice.number,
        "amount_minor": payment.amount_minor,
        "currency": tenant.currency,
    }
    receipt = site_path("portal.receipt", slug=tenant.slug, payment_id=payment.id)
    notify(client_recipients(invoice.client_id), "payment_received", data, receipt, email=True)
    notify(_staff(invoice), "invoice_paid_online", data, site_path("staff.invoice", invoice_id=invoice.id))


def _staff(invoice: Invoice) -> list[Recipient]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True), Membership.role.in_(STAFF_WHO_HEAR))
    )
    people = {u.id: u for u in db.session.scalars(query)}
    if invoice.project is not None and invoice.project.owner is not None:
        people[invoice.project.owner.id] = invoice.project.owner
    return [Recipient(user_id=u.id, email=u.email, locale=u.locale or "zh_CN") for u in people.values()]
