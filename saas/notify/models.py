"""Notifications and their deliveries.

A `Notification` is one thing one person is told: a staff member (user_id) or a client's portal user
(portal_user_id). It shows in their bell until read. A `Delivery` is the outbox row for sending it on another
channel (e-mail today; SMS and WeChat Work / DingTalk later): written in the same transaction as the event, and
claimed, sent and marked by the delivery job so that a retry never sends it twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import Base, Timestamped, UUIDPrimaryKey
from saas.isolation import TenantScoped


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for (another) attempt
    SENDING = "sending"  # claimed by a job until lease_until; a job killed mid-send leaves it here
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS


class Notification(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_notifications_tenant_id_user_id_created_at", "tenant_id", "user_id", "created_at"),
        Index("ix_notifications_tenant_id_portal_user_id_created_at", "tenant_id", "portal_user_id", "created_at"),
        ForeignKeyConstraint(
            ["tenant_id", "portal_user_id"], ["portal_users.tenant_id", "portal_users.id"], ondelete="CASCADE"
        ),
    )

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    portal_user_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(40))  # names the text and the e-mail template
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # what the text needs: names, numbers
    link: Mapped[str] = mapped_column(String(300))  # a path on this site
    read_at: Mapped[datetime | None]


class Delivery(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "notification_id"], ["notifications.tenant_id", "notifications.id"], ondelete="CASCADE"
        ),
        Index("ix_deliveries_tenant_id_status_next_attempt_at", "tenant_id", "status", "next_attempt_at"),
    )

    notification_id: Mapped[uuid.UUID]
    channel: Mapped[str] = mapped_column(String(20), default="email")
    address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    notification: Mapped[Notification] = relationship(lazy="joined")
