"""Quotes (with revisions), contracts (with their approval chain), invoices and payments, project costs, and a
studio's billing settings. Every amount is an integer number of minor units (fen, cents) of the studio's
currency; quantities are exact decimals. Documents reference their client (and project) through
(tenant_id, id) pairs, so the database refuses a document that points into another studio.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.clients.models import Client
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped
from saas.projects.models import Project
from saas.tenants.models import User


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"  # a discount beyond the studio's threshold awaits a manager
    APPROVED = "approved"  # the discount was approved; ready to send
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    IN_APPROVAL = "in_approval"
    APPROVED = "approved"
    SIGNED = "signed"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    VOID = "void"


class InvoiceKind(StrEnum):
    DEPOSIT = "deposit"
    MILESTONE = "milestone"
    FINAL = "final"  # 尾款


class PaymentMethod(StrEnum):
    BANK = "bank"
    CASH = "cash"
    OTHER = "other"
    STRIPE = "stripe"  # paid online in the portal; recorded from Stripe's webhook only


class CostKind(StrEnum):
    HOURS = "hours"
    EXPENSE = "expense"


def _fk(columns: list[str], target: str, ondelete: str | None = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(columns, [f"{target}.tenant_id", f"{target}.id"], ondelete=ondelete)


def _client_fk() -> ForeignKeyConstraint:
    return _fk(["tenant_id", "client_id"], "clients")


def _project_fk() -> ForeignKeyConstraint:
    """Optional links (project, quote, contract) are NO ACTION: projects are archived, never deleted, and a
    client's deletion removes its documents in the same statement."""
    return _fk(["tenant_id", "project_id"], "projects", ondelete=None)


class BillingSettings(TenantScoped, UUIDPrimaryKey, Base):
    """One row per studio: the discount that needs a manager, the default tax, how long quotes stay valid,
    and the next document numbers."""

    __tablename__ = "billing_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    discount_threshold_bp: Mapped[int] = mapped_column(default=1000)  # basis points: 1000 = 10%
    tax_rate_bp: Mapped[int] = mapped_column(default=600)  # 6%, the usual VAT rate for design services
    quote_valid_days: Mapped[int] = mapped_column(default=30)
    payment_instructions: Mapped[str | None] = mapped_column(Text)
    allow_partial_payments: Mapped[bool] = mapped_column(default=False)  # may a client pay part online?
    # When clients are reminded of an open invoice, in days from its due date (-3: three days before).
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [-3, 0, 7])
    # When a client accepts a quote, its deposit invoice goes out by itself (drafted now if none was): this share
    # of the total, due this many days later; the rest becomes the final invoice, left as a draft.
    send_deposit_on_acceptance: Mapped[bool] = mapped_column(default=False)
    deposit_percent: Mapped[int] = mapped_column(default=30)
    deposit_due_days: Mapped[int] = mapped_column(default=7)
    next_numbers: Mapped[dict] = mapped_column(JSON, default=dict)  # {"Q-2026": 42, "INV-2026": 7}
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Quote(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "number"),
        _client_fk(),
        _project_fk(),
        Index("ix_quotes_tenant_id_client_id", "tenant_id", "client_id"),
        Index("ix_quotes_tenant_id_status", "tenant_id", "status"),
    )

    client_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")  # what the client reads
    status: Mapped[str] = mapped_column(String(20), default=QuoteStatus.DRAFT)
    revision: Mapped[int] = mapped_column(default=1)
    valid_until: Mapped[date | None] = mapped_column(Date)
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    max_discount_bp: Mapped[int] = mapped_column(default=0)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]  # accepted or declined
    decided_by: Mapped[str | None] = mapped_column(String(200))  # the client's name as given
    decided_ip: Mapped[str | None] = mapped_column(String(45))
    # When the client's people first and last opened it in the portal, and who opened it first.
    portal_first_opened_at: Mapped[datetime | None]
    portal_last_opened_at: Mapped[datetime | None]
    portal_opened_by: Mapped[str | None] = mapped_column(String(120))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined", overlaps="project")
    project: Mapped[Project | None] = relationship(lazy="joined", overlaps="client")
    lines: Mapped[list[QuoteLine]] = relationship(
        order_by="QuoteLine.position", lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    def is_expired(self, today: date) -> bool:
        return self.status in (QuoteStatus.DRAFT, QuoteStatus.APPROVED, QuoteStatus.SENT) and (
            self.valid_until is not None and self.valid_until < today
        )


class QuoteLine(TenantScoped, UUIDPrimaryKey, Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        _fk(["tenant_id", "quote_id"], "quotes"),
        Index("ix_quote_lines_tenant_id_quote_id", "tenant_id", "quote_id"),
    )

    quote_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str | None] = mapped_column(String(20))
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    discount_bp: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class QuoteRevision(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A quote as it was before it was revised: its lines and totals, frozen."""

    __tablename__ = "quote_revisions"
    __table_args__ = (
        _fk(["tenant_id", "quote_id"], "quotes"),
        UniqueConstraint("tenant_id", "quote_id", "revision"),
    )

    quote_id: Mapped[uuid.UUID]
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ApprovalRule(TenantScoped, UUIDPrimaryKey, Base):
    """Contracts of at least `min_amount_minor` need an approval by someone with `role` (in amount order)."""

    __tablename__ = "approval_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "min_amount_minor", "role"),)

    min_amount_minor: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(20))


class Contract(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "number"),
        _client_fk(),
        _project_fk(),
        _fk(["tenant_id", "quote_id"], "quotes", ondelete=None),
        Index("ix_contracts_tenant_id_client_id", "tenant_id", "client_id"),
    )

    client_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    quote_id: Mapped[uuid.UUID | None]
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ContractStatus.DRAFT)
    required_roles: Mapped[list[str]] = mapped_column(JSON, default=list)  # fixed when submitted
    signed_file_key: Mapped[str | None] = mapped_column(String(300))
    signed_file_name: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined", overlaps="project,quote")
    project: Mapped[Project | None] = relationship(lazy="joined", overlaps="client,quote")
    quote: Mapped[Quote | None] = relationship(lazy="joined", overlaps="client,project")

    __mapper_args__ = {"version_id_col": version}


class ContractDecision(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "contract_decisions"
    __table_args__ = (
        _fk(["tenant_id", "contract_id"], "contracts"),
        Index("ix_contract_decisions_tenant_id_contract_id", "tenant_id", "contract_id", "created_at"),
    )

    contract_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(20))  # submitted, approved, rejected, signed
    role: Mapped[str | None] = mapped_column(String(20))  # the approval step decided
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    actor: Mapped[User | None] = relationship(lazy="joined")


class Invoice(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "number"),
        _client_fk(),
        _project_fk(),
        _fk(["tenant_id", "contract_id"], "contracts", ondelete=None),
        _fk(["tenant_id", "quote_id"], "quotes", ondelete=None),
        Index("ix_invoices_tenant_id_client_id", "tenant_id", "client_id"),
        Index("ix_invoices_tenant_id_status_due_on", "tenant_id", "status", "due_on"),
        # The invoice list's order (latest due first), for keyset pages: billing.queries.invoice_page.
        Index("ix_invoices_tenant_id_due_on_number", "tenant_id", "due_on", "number"),
        Index("ix_invoices_tenant_id_project_id", "tenant_id", "project_id"),
    )

    client_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    contract_id: Mapped[uuid.UUID | None]
    quote_id: Mapped[uuid.UUID | None]
    number: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10), default=InvoiceKind.MILESTONE)
    title: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default=InvoiceStatus.DRAFT)
    sent_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(300))
    # Sent by itself when the client approves this draft version (approval-gated billing).
    release_on_draft_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    reminders_sent: Mapped[list[int]] = mapped_column(JSON, default=list)  # the reminder days already used
    reminded_on: Mapped[date | None] = mapped_column(Date)  # at most one reminder a day
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined", overlaps="project,contract")
    project: Mapped[Project | None] = relationship(lazy="joined", overlaps="client,contract")
    contract: Mapped[Contract | None] = relationship(
        lazy="joined",
        overlaps="client,project",
        primaryjoin="and_(Invoice.tenant_id == Contract.tenant_id, Invoice.contract_id == Contract.id)",
        foreign_keys="[Invoice.contract_id]",
    )
    payments: Mapped[list[Payment]] = relationship(
        order_by="Payment.paid_on", lazy="selectin", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def balance_minor(self) -> int:
        return 0 if self.status == InvoiceStatus.VOID else self.amount_minor - self.paid_minor

    def is_overdue(self, today: date) -> bool:
        open_ = self.status in (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
        return open_ and self.due_on < today


class Payment(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        _fk(["tenant_id", "invoice_id"], "invoices"),
        Index("ix_payments_tenant_id_invoice_id", "tenant_id", "invoice_id"),
        Index("ix_payments_tenant_id_paid_on_id", "tenant_id", "paid_on", "id"),  # the payments list's keyset
        # One payment per PaymentIntent, however often Stripe tells us about it: the database's guarantee.
        UniqueConstraint("tenant_id", "stripe_payment_intent"),
    )

    invoice_id: Mapped[uuid.UUID]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(10))
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(120))
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    stripe_payment_intent: Mapped[str | None] = mapped_column(String(255))
    stripe_charge: Mapped[str | None] = mapped_column(String(255))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")


class ProjectCost(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """Time (hours × rate) or an expense on a project, for profit per project and per client."""

    __tablename__ = "project_costs"
    __table_args__ = (
        _fk(["tenant_id", "project_id"], "projects"),
        Index("ix_project_costs_tenant_id_project_id", "tenant_id", "project_id"),
    )

    project_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    rate_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    spent_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship(lazy="joined")
