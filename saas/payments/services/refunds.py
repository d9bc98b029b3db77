"""Refunds staff give through Stripe. The request is recorded first and a job asks Stripe, with the request's id
as the idempotency key: a job that dies after Stripe answered and runs again gets the same refund back, never a
second one. What the refund does to the payment and the invoice comes from Stripe's webhook (settle.py)."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.billing.models import Invoice, Payment, PaymentMethod
from saas.errors import ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.jobs import enqueue
from saas.payments import gateway
from saas.payments.models import RefundRequest, RefundStatus
from saas.payments.services.connect import account_of
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require


def _asked(*where: object) -> int:
    """The refunds staff asked for (and Stripe did not refuse), confirmed or not."""
    query = select(func.coalesce(func.sum(RefundRequest.amount_minor), 0)).where(
        RefundRequest.status != RefundStatus.FAILED, *where
    )
    return int(db.session.scalar(query) or 0)


def refundable(payment: Payment) -> int:
    """What may still be refunded: the payment less what is refunded or asked for and not yet confirmed."""
    return payment.amount_minor - max(_asked(RefundRequest.payment_id == payment.id), payment.refunded_minor)


def request_refund(membership: Membership, invoice: Invoice, payment: Payment, amount: int, reason: str | None):
    require(membership, Perm.PAYMENTS)
    if payment.method != PaymentMethod.STRIPE or not payment.stripe_payment_intent:
        raise ValidationFailed({"amount": [_("Only payments made online can be refunded through Stripe.")]})
    if not 0 < amount <= refundable(payment):
        raise ValidationFailed({"amount": [_("Refund an amount above zero and at most what is left to refund.")]})
    refund = RefundRequest(
        invoice_id=invoice.id,
        payment_id=payment.id,
        amount_minor=amount,
        reason=(reason or "").strip()[:300] or None,
        requested_by_id=membership.user_id,
    )
    db.session.add(refund)
    db.session.flush()
    enqueue(send_refund, str(refund.id))
    emit(
        "refund.requested",
        subject=refund,
        client=invoice.client,
        actor_id=membership.user_id,
        invoice=invoice.number,
        amount=amount,
    )
    return refund


def send_refund(refund_id: str) -> None:
    """Job: ask Stripe for the refund, once whatever happens to this job."""
    refund = db.session.get(RefundRequest, uuid.UUID(refund_id))
    if refund is None or refund.status != RefundStatus.REQUESTED:
        return
    payment = db.session.get(Payment, refund.payment_id)
    account = account_of()
    made = gateway.client().v1.refunds.create(
        params={
            "payment_intent": payment.stripe_payment_intent,
            "amount": refund.amount_minor,
            "metadata": {"atelier_tenant": str(refund.tenant_id), "atelier_refund": str(refund.id)},
        },
        options=gateway.on_account(account.account_id, f"refund-{refund.id}"),
    )
    refund.stripe_refund_id, refund.status = made.id, RefundStatus.SENT


def unconfirmed(invoice: Invoice) -> int:
    """Refunds asked of Stripe for this invoice whose effect Stripe has not yet confirmed."""
    return max(0, _asked(RefundRequest.invoice_id == invoice.id) - sum(p.refunded_minor for p in invoice.payments))
