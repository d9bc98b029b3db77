"""A studio's subscription to Atelier, as Stripe's webhooks report it (the platform's own Stripe account)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped


class StudioSubscription(TenantScoped, UUIDPrimaryKey, Base):
    __tablename__ = "studio_subscriptions"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    customer_id: Mapped[str] = mapped_column(String(255))
    subscription_id: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[str | None] = mapped_column(String(20))  # the plan its price stands for
    status: Mapped[str | None] = mapped_column(String(30))  # trialing, active, past_due, canceled, ...
    past_due_since: Mapped[datetime | None]
    current_period_end: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
