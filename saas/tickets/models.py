"""Service tickets (seed 002's 服务工单): a client's request — a design change, an after-sales repair, a complaint,
a question — raised in the portal or by staff for the client (from a call, a visit, an e-mail). Each has a number
per studio (T-0001), a priority whose SLA gives it due times in the studio's business hours, an assignee, a
status, and a thread: replies the client sees, and internal notes that never leave the studio. Its attachments
are StoredFile rows held by the ticket (what it was raised with) or by a reply (owner kinds 'ticket' and
'ticket_reply')."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, ForeignKeyConstraint, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.clients.models import Client
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.fields.models import VALUES
from saas.isolation import TenantScoped
from saas.tenants.models import User


class TicketStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # waiting on the client: a reply from them opens it again
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Source(StrEnum):
    PORTAL = "portal"
    STAFF = "staff"
    PHONE = "phone"
    VISIT = "visit"
    EMAIL = "email"


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING)
URGENT_PRIORITIES = (Priority.HIGH, Priority.URGENT)  # alert the assignee and the managers at once


class Ticket(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        # Projects go only with their client, whose tickets go too; NO ACTION keeps tenant_id out of a SET NULL.
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
        Index("ix_tickets_tenant_id_client_id_created_at", "tenant_id", "client_id", "created_at"),
        Index("ix_tickets_tenant_id_status_resolution_due_at", "tenant_id", "status", "resolution_due_at"),
        Index("ix_tickets_tenant_id_assignee_id_status", "tenant_id", "assignee_id", "status"),
    )

    number: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID | None]  # no foreign key: a contact removed later leaves the ticket as it was
    project_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(60))
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL)
    status: Mapped[str] = mapped_column(String(10), default=TicketStatus.NEW)
    source: Mapped[str] = mapped_column(String(10), default=Source.STAFF)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_by_portal_user_id: Mapped[uuid.UUID | None]  # the client's person who raised it in the portal
    # What dashboards report: the first public answer, the resolution, and the SLA's due times when raised.
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # The resolution clock stops while the ticket waits on the client: since when it waits, and the business hours
    # waited so far (resolution_due_at has moved by them; a new priority measures with them too).
    waiting_since: Mapped[datetime | None]
    sla_paused_hours: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # A breach is told once: set by a conditional UPDATE, so two sweeps (two workers) never both send it.
    response_breach_alerted_at: Mapped[datetime | None]
    resolution_breach_alerted_at: Mapped[datetime | None]
    last_reply_at: Mapped[datetime | None]
    custom_fields: Mapped[dict] = mapped_column(VALUES, default=dict, server_default="{}")  # saas.fields
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketReply(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """One message of a ticket's thread: a reply (public: the client sees it) from staff or from the client, or
    an internal note (never shown in the portal, the client's e-mails or the portal's API)."""

    __tablename__ = "ticket_replies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "ticket_id"], ["tickets.tenant_id", "tickets.id"], ondelete="CASCADE"),
        Index("ix_ticket_replies_tenant_id_ticket_id_created_at", "tenant_id", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    portal_user_id: Mapped[uuid.UUID | None]  # a reply from the client's side
    author_name: Mapped[str] = mapped_column(String(120))  # as it was when written

    @property
    def from_client(self) -> bool:
        return self.author_id is None and self.portal_user_id is not None


class TicketSettings(TenantScoped, UUIDPrimaryKey, Base):
    """A studio's service desk: its business hours (the SLA clock runs only inside them, in the studio's time
    zone), the SLA targets per priority in business hours, its categories, and the next ticket number."""

    __tablename__ = "ticket_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    work_days: Mapped[list] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])  # Monday is 0
    day_start: Mapped[time] = mapped_column(Time, default=time(9, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(18, 0))
    # {"urgent": {"first_response": 1, "resolution": 9}, ...}: hours of business time
    sla: Mapped[dict] = mapped_column(JSON, default=dict)
    categories: Mapped[list] = mapped_column(JSON, default=list)  # keys of the defaults, or the studio's own words
    next_number: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
