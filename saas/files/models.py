"""Files a studio keeps (drafts, attachments, delivery packages): one row per stored object, with what its
content turned out to be and the previews made from it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, Timestamped, UUIDPrimaryKey
from saas.isolation import TenantScoped


class FileStatus(StrEnum):
    PENDING = "pending"  # a ticket was handed out; the bytes are on their way (browser → bucket)
    READY = "ready"  # arrived, and its content is what its name says
    REJECTED = "rejected"  # arrived but refused (wrong content, too large); the object was deleted


def _the_studio(context: Any) -> uuid.UUID:
    """A file nothing more specific holds belongs to the studio (owner kind 'studio', its id)."""
    return context.get_current_parameters()["tenant_id"]


class StoredFile(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "stored_files"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "key"),
        Index("ix_stored_files_tenant_id_purpose_created_at", "tenant_id", "purpose", "created_at"),
        Index("ix_stored_files_tenant_id_project_id", "tenant_id", "project_id"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"),
        Index("ix_stored_files_tenant_id_owner_kind_owner_id", "tenant_id", "owner_kind", "owner_id"),
    )

    key: Mapped[str] = mapped_column(String(400))  # always tenants/<tenant id>/files/<file id>/<name>
    name: Mapped[str] = mapped_column(String(200))
    declared_type: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str | None] = mapped_column(String(100))  # what the content is, once checked
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=FileStatus.PENDING)
    purpose: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(String(200))
    previews: Mapped[dict] = mapped_column(JSON, default=dict)  # {"thumb": key, "pages": [key, ...]}
    # What holds the file decides who may open it (saas/files/owners.py): a project's files follow the project's
    # visibility, a draft version's pages the draft's. The studio itself holds files that belong to nothing else.
    owner_kind: Mapped[str] = mapped_column(String(20), default="studio")
    owner_id: Mapped[uuid.UUID] = mapped_column(default=_the_studio)
    # The client and project the file belongs to, whatever holds it: the portal shares by client, a project's
    # page lists by project, and deleting either takes its files along.
    client_id: Mapped[uuid.UUID | None]
    project_id: Mapped[uuid.UUID | None]
    shared_at: Mapped[datetime | None]  # set while the client may download it from the portal
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def held_by(self, owner_kind: str, owner_id: uuid.UUID) -> bool:
        return self.owner_kind == owner_kind and self.owner_id == owner_id
