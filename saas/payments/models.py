"""What Atelier keeps of Stripe.

`StripeEvent` is a platform table (no studio, no RLS): a webhook is recorded before any studio is known. The
handler finds the studio in the metadata Atelier put on the Stripe object, then, with that studio set, checks
that the event's connected account is the studio's own `StripeAccount` — so an event can only ever touch the
studio whose account it came from. `Checkout` is one attempt of a client to pay an invoice; its id is the
idempotency key of the Checkout Session made for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped


class StripeAccount(TenantScoped, Base):
    """A studio's connected Stripe account (Standard): the money for its invoices goes there, never to us."""

    __tablename__ = "stripe_accounts"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    connected_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StripeEvent(Base):
    """Every webhook event, recorded by Stripe's id before it is handled: a second delivery finds it here."""

    __tablename__ = "stripe_events"
    __table_args__ = (Index("ix_stripe_events_processed_at_received_at", "processed_at", "received_at"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(64))  # the connected account, for Connect events
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class CheckoutStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    EXPIRED = "expired"


class Checkout(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "checkouts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"], ondelete="CASCADE"),
        Index("ix_checkouts_tenant_id_invoice_id", "tenant_id", "invoice_id"),
        Index("ix_checkouts_session_id", "session_id"),
    )

    invoice_id: Mapped[uuid.UUID]
    portal_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    account_id: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    session_id: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=CheckoutStatus.OPEN)


class RefundStatus(StrEnum):
    REQUESTED = "requested"  # recorded; the job asks Stripe
    SENT = "sent"  # Stripe has the refund; its effect arrives with the webhook
    FAILED = "failed"


class RefundRequest(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A refund staff asked for. Its id is the idempotency key of the Stripe call, so a job that dies after
    calling Stripe and runs again never refunds twice."""

    __tablename__ = "refund_requests"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "invoice_id"], ["invoices.tenant_id", "invoices.id"], ondelete="CASCADE"),
        Index("ix_refund_requests_tenant_id_invoice_id", "tenant_id", "invoice_id"),
    )

    invoice_id: Mapped[uuid.UUID]
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(300))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default=RefundStatus.REQUESTED)
    error: Mapped[str | None] = mapped_column(Text)
