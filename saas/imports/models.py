"""Imports of clients with their contacts: the upload and its progress (ClientImport), what a row did that the
client itself does not tell (ImportRow: the client it updated, with the values it replaced, or why it failed — a
client it created names the import, `clients.import_id`), and the studio's external ids (ClientExternalId),
through which a later file upserts the same clients.

The uploaded file is kept in the import's row (a deferred column) rather than in the file storage: it is read by
the worker from the same database, guarded by the same Row-Level Security, and goes when the import goes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, Timestamped, UUIDPrimaryKey
from saas.isolation import TenantScoped


class ImportStatus(StrEnum):
    READY = "ready"  # uploaded, being mapped
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the job itself broke (the rows it finished stay, and can be undone)
    UNDOING = "undoing"  # the undo job is running
    UNDONE = "undone"


class Duplicates(StrEnum):
    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"


class Outcome(StrEnum):
    UPDATED = "updated"
    FAILED = "failed"


class ClientImport(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "client_imports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_client_imports_tenant_id_created_at", "tenant_id", "created_at"),
    )

    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(10))  # csv | xlsx
    encoding: Mapped[str | None] = mapped_column(String(20))  # csv: utf-8-sig | gb18030
    delimiter: Mapped[str | None] = mapped_column(String(2))  # csv: "," or "\t"
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {column index: target}
    duplicates: Mapped[str] = mapped_column(String(10), default=Duplicates.SKIP)
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.READY)
    total_rows: Mapped[int] = mapped_column(default=0)
    done_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    undone_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    # The undo job's progress: trail rows (clients created or updated) undone of all, the last row number undone
    # (a retried undo goes on after it), and why it stopped or was refused, if it did.
    undo_total: Mapped[int] = mapped_column(default=0, server_default="0")
    undo_done: Mapped[int] = mapped_column(default=0, server_default="0")
    undo_row: Mapped[int] = mapped_column(default=0, server_default="0")
    undo_error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)


class ImportRow(TenantScoped, UUIDPrimaryKey, Base):
    """One row of the file that updated a client, or failed. The clients it created name the import instead
    (clients.import_id: one row per client less to write); skipped rows are only counted."""

    __tablename__ = "import_rows"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "import_id"], ["client_imports.tenant_id", "client_imports.id"], ondelete="CASCADE"
        ),
        Index("ix_import_rows_tenant_id_import_id_outcome", "tenant_id", "import_id", "outcome", "row_number"),
    )

    import_id: Mapped[uuid.UUID]
    row_number: Mapped[int]  # as a spreadsheet numbers it: the header is row 1
    outcome: Mapped[str] = mapped_column(String(10))
    client_id: Mapped[uuid.UUID | None]  # no foreign key: the trail outlives a client deleted since
    version_after: Mapped[int | None]  # the client's version once imported: a later edit shows as a newer one
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # updated: the values it replaced
    added_contact_id: Mapped[uuid.UUID | None]
    values: Mapped[list[str] | None] = mapped_column(JSON)  # failed: the cells as read
    reasons: Mapped[list[str] | None] = mapped_column(JSON)  # failed: "column: message"


class ClientExternalId(TenantScoped, UUIDPrimaryKey, Base):
    """The id a client has in the studio's other system (their old spreadsheet, ERP): unique per studio."""

    __tablename__ = "client_external_ids"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_client_external_ids_tenant_id_client_id", "tenant_id", "client_id"),
    )

    client_id: Mapped[uuid.UUID]
    external_id: Mapped[str] = mapped_column(String(100))
