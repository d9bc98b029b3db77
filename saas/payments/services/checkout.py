"""A client pays an invoice from the portal: a Stripe Checkout Session on the studio's connected account (direct
charge: the money is the studio's), for the balance or, where the studio allows it, part of it. Nothing about the
invoice changes here or on the return from Stripe: the payment is recorded from the webhook."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from saas.billing.models import Invoice, InvoiceStatus
from saas.billing.services.common import settings as billing_settings
from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.money import for_reader
from saas.payments import gateway
from saas.payments.models import Checkout, CheckoutStatus
from saas.payments.services.connect import account_of, takes_payments
from saas.portal_accounts.models import PortalUser
from saas.tenants.models import Tenant
from saas.web.urls import external_url

REUSE_FOR = timedelta(hours=12)  # a Checkout Session lives 24 h; reusing one avoids two open ways to pay


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"amount": [message]})


def amount_to_pay(invoice: Invoice, requested: int | None) -> int:
    balance = invoice.balance_minor
    if invoice.status not in (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID) or balance <= 0:
        raise _refuse(_("This invoice has nothing left to pay."))
    if requested is None or requested == balance:
        return balance
    if not billing_settings().allow_partial_payments:
        amount = for_reader(balance, _studio(invoice).currency)
        raise _refuse(_("This invoice is paid in full, %(amount)s.", amount=amount))
    if not 100 <= requested <= balance:
        raise _refuse(_("Pay at least 1.00 and at most the balance due."))
    return requested


def start(user: PortalUser, invoice: Invoice, requested: int | None) -> str:
    """The URL of Stripe's payment page for this invoice."""
    if not takes_payments():
        raise _refuse(_("%(studio)s does not take online payments yet.", studio=_studio(invoice).name))
    amount = amount_to_pay(invoice, requested)
    reusable = db.session.scalar(
        select(Checkout).where(
            Checkout.invoice_id == invoice.id,
            Checkout.amount_minor == amount,
            Checkout.status == CheckoutStatus.OPEN,
            Checkout.url.is_not(None),
            Checkout.created_at > utcnow() - REUSE_FOR,
        )
    )
    if reusable is not None:
        return reusable.url
    account = account_of()
    tenant = _studio(invoice)
    checkout = Checkout(
        invoice_id=invoice.id,
        portal_user_id=user.id,
        account_id=account.account_id,
        amount_minor=amount,
        currency=tenant.currency,
    )
    db.session.add(checkout)
    db.session.flush()
    session = gateway.client().v1.checkout.sessions.create(
        params=_session_params(tenant, invoice, user, checkout),
        options=gateway.on_account(account.account_id, f"checkout-{checkout.id}"),
    )
    checkout.session_id, checkout.url = session.id, session.url
    return session.url


def _studio(invoice: Invoice) -> Tenant:
    return db.session.get(Tenant, invoice.tenant_id)


def _session_params(tenant: Tenant, invoice: Invoice, user: PortalUser, checkout: Checkout) -> dict:
    metadata = {
        "atelier_tenant": str(tenant.id),
        "atelier_invoice": str(invoice.id),
        "atelier_checkout": str(checkout.id),
    }
    back = external_url("portal.invoice", slug=tenant.slug, invoice_id=invoice.id)
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": tenant.currency.lower(),
                    "unit_amount": checkout.amount_minor,
                    "product_data": {"name": f"{invoice.number} · {invoice.title}"[:250]},
                },
            }
        ],
        "customer_email": user.email,
        "client_reference_id": str(checkout.id),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata, "description": f"{tenant.name} {invoice.number}"[:250]},
        "locale": "zh" if user.locale.startswith("zh") else "en",
        "success_url": back + "?paid={CHECKOUT_SESSION_ID}",
        "cancel_url": back,
    }
