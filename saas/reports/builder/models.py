"""A saved report: its name, its definition (checked again whenever it is read: a field may have gone since) and
where it is pinned. It holds no figures: a report is computed for whoever reads it, with their access."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped
from saas.tenants.models import User

NAME_MAX = 120


class SavedReport(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "saved_reports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_saved_reports_tenant_id_owner_id", "tenant_id", "owner_id"),
        Index("ix_saved_reports_tenant_id_pinned_studio", "tenant_id", "pinned_studio"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    definition: Mapped[dict] = mapped_column(JSON, default=dict)  # saas.reports.builder.definition
    pinned_personal: Mapped[bool] = mapped_column(default=False)
    pinned_studio: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
