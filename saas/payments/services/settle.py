"""What Stripe's events do to invoices, each keyed by a Stripe id so it happens once: a succeeded PaymentIntent
becomes one payment on its invoice (the database refuses a second for the same PaymentIntent); a charge's
refunds become its payment's refunded amount (set from Stripe's total, never added to). Each handler re-reads
the object from Stripe first, so the order events arrive in does not matter."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from saas.billing.services.invoices import recount
from saas.events import emit
from saas.extensions import db
from saas.payments import gateway
from saas.payments.models import Checkout, CheckoutStatus, StripeEvent
from saas.payments.services.connect import account_of, refresh
from saas.tenants.queries import studio_today

log = logging.getLogger(__name__)


def session_completed(event: StripeEvent, session: dict[str, Any]) -> None:
    if session.get("mode") == "subscription":
        return  # a studio subscribing to a plan: the plans' handler takes it
    intent_id = session.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    if intent_id:
        settle_intent(event.account, intent_id)


def intent_succeeded(event: StripeEvent, intent: dict[str, Any]) -> None:
    settle_intent(event.account, intent["id"])


def session_expired(event: StripeEvent, session: dict[str, Any]) -> None:
    checkout = _checkout((session.get("metadata") or {}).get("atelier_checkout"))
    if checkout is not None and checkout.status == CheckoutStatus.OPEN:
        checkout.status = CheckoutStatus.EXPIRED


def account_updated(event: StripeEvent, account: dict[str, Any]) -> None:
    ours = account_of()  # the studio the event was checked against is set
    if ours is not None and ours.account_id == account.get("id"):
        refresh(ours)


def settle_intent(account_id: str, intent_id: str) -> Payment | None:
    """Record the PaymentIntent's money on its invoice if Stripe says it succeeded and it is not recorded yet."""
    if db.session.scalar(select(Payment).where(Payment.stripe_payment_intent == intent_id)) is not None:
        return None
    intent = gateway.client().v1.payment_intents.retrieve(intent_id, options=gateway.on_account(account_id))
    if gateway.field(intent, "status") != "succeeded":
        return None
    metadata = gateway.field(intent, "metadata", default={}) or {}
    invoice = _invoice(metadata.get("atelier_invoice"))
    if invoice is None:  # not this studio's invoice (the ORM scope and RLS hide every other studio's)
        log.warning("payment %s names no invoice of this studio", intent_id)
        return None
    amount = int(gateway.field(intent, "amount_received") or gateway.field(intent, "amount"))
    charge = gateway.charge_of(intent) or {}
    payment = Payment(
        invoice_id=invoice.id,
        amount_minor=amount,
        method=PaymentMethod.STRIPE,
        paid_on=studio_today(invoice.tenant_id),
        reference=intent_id[:120],
        stripe_payment_intent=intent_id,
        stripe_charge=charge.get("id"),
    )
    try:
        with db.session.begin_nested():
            db.session.add(payment)
    except IntegrityError:  # another job recorded it a moment ago
        return None
    invoice.payments.append(payment)
    recount(invoice)
    checkout = _checkout(metadata.get("atelier_checkout"))
    if checkout is not None:
        checkout.status = CheckoutStatus.PAID
    emit(
        "payment.recorded", subject=payment, client=invoice.client, actor_id=None, invoice=invoice.number, amount=amount
    )
    _after_paid(invoice, payment)
    return payment


def refunds_changed(event: StripeEvent, obj: dict[str, Any]) -> None:
    charge_id = obj.get("id") if obj.get("object") == "charge" else obj.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if charge_id:
        sync_refunds(event.account, charge_id)


def sync_refunds(account_id: str, charge_id: str) -> None:
    """Set the payment's refunded amount from the charge as Stripe has it now."""
    charge = gateway.client().v1.charges.retrieve(charge_id, options=gateway.on_account(account_id))
    intent_id = gateway.field(charge, "payment_intent")
    payment = db.session.scalar(
        select(Payment).where((Payment.stripe_charge == charge_id) | (Payment.stripe_payment_intent == intent_id))
    )
    if payment is None:
        return
    refunded = int(gateway.field(charge, "amount_refunded") or 0)
    if refunded == payment.refunded_minor:
        return
    change = refunded - payment.refunded_minor
    payment.refunded_minor = refunded
    invoice = db.session.get(Invoice, payment.invoice_id)
    recount(invoice)
    emit(
        "payment.refunded", subject=payment, client=invoice.client, actor_id=None, invoice=invoice.number, amount=change
    )


def _after_paid(invoice: Invoice, payment: Payment) -> None:
    """The client's receipt, the studio's news, and a final invoice paid in full closes the project as won."""
    from saas.payments.services.receipts import announce

    announce(invoice, payment)
    project = invoice.project
    if invoice.kind == InvoiceKind.FINAL and invoice.status == InvoiceStatus.PAID and project is not None:
        from saas.projects.pipeline import stage_by_key
        from saas.projects.services import move_to

        won = stage_by_key("won")
        if won is not None and project.stage.key == "final":
            move_to(project, won, None)


def _invoice(value: Any) -> Invoice | None:
    try:
        return db.session.get(Invoice, uuid.UUID(str(value)))
    except ValueError:
        return None


def _checkout(value: Any) -> Checkout | None:
    try:
        return db.session.get(Checkout, uuid.UUID(str(value))) if value else None
    except ValueError:
        return None
