"""The project pipeline: a studio's stages, the projects moving through them (with every move recorded), the
people on each project, and tasks on projects and clients.

Children reference their parents through (tenant_id, id) pairs, so the database itself refuses a project in
another studio's stage or a task on another studio's project.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.clients.models import Client
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.fields.models import VALUES
from saas.isolation import TenantScoped
from saas.tenants.models import User


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


BRIEF_FIELDS = ("background", "goals", "audience", "style", "competitors", "budget_note", "timeline_note")


def _fk(columns: tuple[str, str], target: str, ondelete: str | None = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(list(columns), [f"{target}.tenant_id", f"{target}.id"], ondelete=ondelete)


class PipelineStage(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A column of the board. `key` names the stages Atelier seeded (later features find "revision" or
    "final" by it even after a studio renames them); stages a studio adds have none."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_pipeline_stages_tenant_id_position", "tenant_id", "position"),
    )

    name: Mapped[str] = mapped_column(String(60))
    key: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10), default=StageKind.OPEN)
    position: Mapped[int] = mapped_column(default=0)


class Project(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        # A stage with projects in it cannot be dropped: the studio empties it first.
        _fk(("tenant_id", "stage_id"), "pipeline_stages", ondelete=None),
        Index("ix_projects_tenant_id_stage_id_due_on", "tenant_id", "stage_id", "due_on"),
        Index("ix_projects_tenant_id_client_id", "tenant_id", "client_id"),
        Index("ix_projects_tenant_id_owner_id", "tenant_id", "owner_id"),
        Index("ix_projects_tenant_id_updated_at", "tenant_id", "updated_at", "id"),
    )

    client_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(60))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Money in integer minor units (fen, cents) of the studio's currency; never floats.
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    value_minor: Mapped[int | None] = mapped_column(BigInteger)
    probability: Mapped[int | None]  # percent, for the weighted pipeline value
    start_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    # Seed 000's 项目需求沟通表: background, goals, target users, style, competitors, budget, timeline.
    brief: Mapped[dict] = mapped_column(JSON, default=dict)
    custom_fields: Mapped[dict] = mapped_column(VALUES, default=dict, server_default="{}")  # saas.fields
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]  # when it entered a won or lost stage
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    client: Mapped[Client] = relationship(lazy="joined", overlaps="stage")
    stage: Mapped[PipelineStage] = relationship(lazy="joined", overlaps="client")
    owner: Mapped[User | None] = relationship(lazy="joined")
    team: Mapped[list[ProjectMember]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True, overlaps="project"
    )

    __mapper_args__ = {"version_id_col": version}

    def is_late(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today and self.closed_at is None


class ProjectMember(TenantScoped, UUIDPrimaryKey, Base):
    __tablename__ = "project_members"
    __table_args__ = (
        _fk(("tenant_id", "project_id"), "projects"),
        UniqueConstraint("tenant_id", "project_id", "user_id"),
        Index("ix_project_members_tenant_id_user_id", "tenant_id", "user_id"),
    )

    project_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(lazy="joined")


class StageChange(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """Every move of a project between stages, with who and when; `seconds_in_from` is the time spent in the
    stage it left, so stage-duration analytics are a plain aggregate."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        _fk(("tenant_id", "project_id"), "projects"),
        Index("ix_stage_changes_tenant_id_project_id_created_at", "tenant_id", "project_id", "created_at"),
        Index("ix_stage_changes_tenant_id_from_stage_id", "tenant_id", "from_stage_id"),
    )

    project_id: Mapped[uuid.UUID]
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    seconds_in_from: Mapped[int | None] = mapped_column(BigInteger)

    actor: Mapped[User | None] = relationship(lazy="joined")
    from_stage: Mapped[PipelineStage | None] = relationship(lazy="joined", foreign_keys=[from_stage_id])
    to_stage: Mapped[PipelineStage | None] = relationship(lazy="joined", foreign_keys=[to_stage_id])


class Task(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A to-do on a project or directly on a client. Tasks on a project carry its client too, so that who may
    see a task follows who may see the client, in one rule."""

    __tablename__ = "tasks"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        _fk(("tenant_id", "project_id"), "projects"),
        Index("ix_tasks_tenant_id_assignee_id_status_due_on", "tenant_id", "assignee_id", "status", "due_on"),
        Index("ix_tasks_tenant_id_follower_id_status_due_on", "tenant_id", "follower_id", "status", "due_on"),
        Index("ix_tasks_tenant_id_project_id", "tenant_id", "project_id"),
        Index("ix_tasks_tenant_id_client_id", "tenant_id", "client_id"),
    )

    client_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Someone else who keeps an eye on it: it is in their My tasks too (the project's owner, for the revision a
    # client asked for on a version a colleague sent).
    follower_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.OPEN)
    done_at: Mapped[datetime | None]
    checklist: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"text": str, "done": bool}]
    version: Mapped[int] = mapped_column(default=1)

    assignee: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[assignee_id])
    follower: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[follower_id])
    client: Mapped[Client] = relationship(lazy="joined", overlaps="project")
    project: Mapped[Project | None] = relationship(lazy="joined", overlaps="client")

    __mapper_args__ = {"version_id_col": version}

    def is_late(self, today: date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on is not None and self.due_on < today
