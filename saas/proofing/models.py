"""Design proofing (seed 000's 设计稿审批流程): versions of a project's draft, the client reviewers asked to look
at each, their comments (pinned to a spot of an image or a PDF page, or general) with staff replies in threads,
and each reviewer's decision. A version's files are StoredFile rows it owns (owner 'draft', its id).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import Base, Timestamped, UUIDPrimaryKey
from saas.isolation import TenantScoped
from saas.portal_accounts.models import PortalUser
from saas.projects.models import Project
from saas.tenants.models import User


class DraftStatus(StrEnum):
    PREPARING = "preparing"  # the designer is adding files; the client sees nothing yet
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    APPROVED_WITH_CHANGES = "approved_with_changes"
    CHANGES_REQUESTED = "changes_requested"
    SUPERSEDED = "superseded"  # a later version was submitted before this one was decided


class Choice(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CHANGES = "approve_with_changes"
    REQUEST_CHANGES = "request_changes"


def _fk(columns: list[str], target: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(columns, [f"{target}.tenant_id", f"{target}.id"], ondelete=ondelete)


class Draft(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """Version `number` of a project's design draft. Once submitted its files are fixed; once a later version
    exists it is locked for good (no comments, no decisions)."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "project_id", "number"),
        _fk(["tenant_id", "project_id"], "projects"),
        Index("ix_drafts_tenant_id_status_due_on", "tenant_id", "status", "due_on"),
    )

    project_id: Mapped[uuid.UUID]
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), default=DraftStatus.PREPARING)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[submitted_by_id])
    reviewers: Mapped[list[Reviewer]] = relationship(
        lazy="selectin", order_by="Reviewer.created_at", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def open_for_review(self) -> bool:
        return self.status == DraftStatus.IN_REVIEW and not self.locked


class Reviewer(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A client's portal user asked to review a version, and what they decided (once)."""

    __tablename__ = "draft_reviewers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "draft_id", "portal_user_id"),
        _fk(["tenant_id", "draft_id"], "drafts"),
        _fk(["tenant_id", "portal_user_id"], "portal_users"),
    )

    draft_id: Mapped[uuid.UUID]
    portal_user_id: Mapped[uuid.UUID]
    choice: Mapped[str | None] = mapped_column(String(24))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    reminded_at: Mapped[datetime | None]

    portal_user: Mapped[PortalUser] = relationship(lazy="joined", overlaps="reviewers")


class Comment(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A comment on a version: a pin (file, page and a spot given as fractions of the page's width and height),
    a general comment, or a reply in the thread of either. Written by a reviewer or by staff."""

    __tablename__ = "draft_comments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        _fk(["tenant_id", "draft_id"], "drafts"),
        _fk(["tenant_id", "parent_id"], "draft_comments"),
        _fk(["tenant_id", "file_id"], "stored_files"),
        Index("ix_draft_comments_tenant_id_draft_id_created_at", "tenant_id", "draft_id", "created_at"),
    )

    draft_id: Mapped[uuid.UUID]
    parent_id: Mapped[uuid.UUID | None]
    author_name: Mapped[str] = mapped_column(String(120))  # kept as written, so history reads the same later
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    portal_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("portal_users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    file_id: Mapped[uuid.UUID | None]
    page: Mapped[int | None]  # 1-based page of a PDF; 1 for an image
    x: Mapped[float | None] = mapped_column(Float)  # 0..1 from the left
    y: Mapped[float | None] = mapped_column(Float)  # 0..1 from the top
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_pin(self) -> bool:
        return self.x is not None


class ProofingSettings(TenantScoped, UUIDPrimaryKey, Base):
    """Where an approved draft takes its project (the studio chooses; "delivery" until it does), and how many
    working days the designer gets to revise a version the client asked changes to."""

    __tablename__ = "proofing_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    approved_stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    revision_days: Mapped[int] = mapped_column(default=3)
