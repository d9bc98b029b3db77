"""One export of a list: who asked for which list, with which filters, in which format, and how it went. A small
export streams straight to the browser (state `streamed`); a large one is a job that writes a file to storage
(`queued` → `ready` or `failed`) which only its author may download, until it expires."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped


class ExportState(StrEnum):
    STREAMED = "streamed"  # sent to the browser as it was read; no file kept
    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"


class Export(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "exports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_exports_tenant_id_user_id_created_at", "tenant_id", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(20))  # clients, projects, invoices, payments
    format: Mapped[str] = mapped_column(String(5))  # csv, xlsx
    filters: Mapped[dict] = mapped_column(JSON, default=dict)  # the list's query arguments, as the page had them
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")  # the reader's language, for the job
    state: Mapped[str] = mapped_column(String(10), default=ExportState.QUEUED)
    rows: Mapped[int | None]
    size: Mapped[int | None] = mapped_column(BigInteger)
    file_key: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(300))
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    def downloadable(self) -> bool:
        return self.state == ExportState.READY and self.expires_at is not None and self.expires_at > utcnow()

    def expired(self) -> bool:
        return self.state == ExportState.READY and not self.downloadable()
