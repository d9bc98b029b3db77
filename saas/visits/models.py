"""Visits: a field worker at a client's site. The office schedules and assigns one; on site the worker checks in
and out (with the phone's position, or why there is none), writes or dictates notes, takes photos, has the
client sign, and sets the outcome and the next action — often offline, so every change comes from the device's
queue through the sync endpoint, applied exactly once (`SyncChange`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.clients.models import Client
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped
from saas.tenants.models import User


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"
    MISSED = "missed"  # the day went by without a check-in


class PositionProblem(StrEnum):
    """Why a check-in or check-out has no position: the phone said so, and the office should know why."""

    DENIED = "denied"  # the worker (or the browser) refused location access
    UNAVAILABLE = "unavailable"  # no fix: indoors, a basement, a lift
    TIMEOUT = "timeout"  # no fix in time


class Visit(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        # Projects go only with their client, whose visits go too; NO ACTION keeps tenant_id out of a SET NULL.
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"]),
        Index("ix_visits_tenant_id_assignee_id_scheduled_start", "tenant_id", "assignee_id", "scheduled_start"),
        Index("ix_visits_tenant_id_scheduled_start", "tenant_id", "scheduled_start"),
        Index("ix_visits_tenant_id_client_id", "tenant_id", "client_id"),
    )

    client_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID | None]  # no foreign key: a contact removed later leaves the visit as it was
    project_id: Mapped[uuid.UUID | None]
    assignee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    scheduled_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scheduled_start: Mapped[datetime]
    scheduled_end: Mapped[datetime]
    site_address: Mapped[str] = mapped_column(String(300))
    site_lat: Mapped[float | None] = mapped_column(Float)
    site_lng: Mapped[float | None] = mapped_column(Float)
    purpose: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default=VisitStatus.SCHEDULED)

    check_in_at: Mapped[datetime | None]
    check_in_lat: Mapped[float | None] = mapped_column(Float)
    check_in_lng: Mapped[float | None] = mapped_column(Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_in_problem: Mapped[str | None] = mapped_column(String(12))
    check_in_distance_m: Mapped[float | None] = mapped_column(Float)  # from the site, when both are known
    check_out_at: Mapped[datetime | None]
    check_out_lat: Mapped[float | None] = mapped_column(Float)
    check_out_lng: Mapped[float | None] = mapped_column(Float)
    check_out_accuracy_m: Mapped[float | None] = mapped_column(Float)
    check_out_problem: Mapped[str | None] = mapped_column(String(12))
    check_out_distance_m: Mapped[float | None] = mapped_column(Float)

    notes: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(300))
    next_action: Mapped[str | None] = mapped_column(String(300))
    next_action_due: Mapped[date | None] = mapped_column(Date)
    signature_file_id: Mapped[uuid.UUID | None]  # the client's signature on site, a stored PNG the visit holds
    signed_by: Mapped[str | None] = mapped_column(String(120))
    cancelled_reason: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined")
    assignee: Mapped[User] = relationship(lazy="joined", foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}


class SyncChange(TenantScoped, Base):
    """One change a device queued, by the id the device minted for it: applied once, and its answer kept, so a
    replay (the device did not hear the first answer) gets the same answer and changes nothing; the same id with
    another body is refused."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),  # ids are minted on devices: unique within the studio
        Index("ix_sync_changes_tenant_id_user_id_applied_at", "tenant_id", "user_id", "applied_at"),
    )

    id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the change as first sent
    answer: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
