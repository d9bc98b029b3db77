"""A studio's forms, their questions, what visitors sent, and the forms sent to a client for a project.

Children reference their form through (tenant_id, form_id), so the database itself refuses a question or a
submission pointing at another studio's form. A submission keeps the ids of the records it created or changed
without a foreign key: deleting a client later must not delete what the visitor sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped


class FormKind(StrEnum):
    INTAKE = "intake"
    REQUIREMENTS = "requirements"
    FEEDBACK = "feedback"
    CUSTOM = "custom"


class FormStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Outcome(StrEnum):
    """What a submission did, in the words the submissions list shows."""

    CREATED_LEAD = "created_lead"
    FOLLOW_UP = "follow_up"  # added to an existing client, found by phone or e-mail
    BRIEF_FILLED = "brief_filled"
    FEEDBACK = "feedback"  # recorded against a project
    KEPT = "kept"  # answers kept on the submission only


def _form_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "form_id"], ["forms.tenant_id", "forms.id"], ondelete="CASCADE")


class Form(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "forms"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "slug"),
        Index("ix_forms_tenant_id_status", "tenant_id", "status"),
    )

    slug: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default=FormKind.CUSTOM)
    status: Mapped[str] = mapped_column(String(10), default=FormStatus.DRAFT)
    title_en: Mapped[str] = mapped_column(String(200), default="")
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    intro_zh: Mapped[str] = mapped_column(Text, default="")
    thanks_en: Mapped[str] = mapped_column(Text, default="")
    thanks_zh: Mapped[str] = mapped_column(Text, default="")
    # The lead source a new client gets ("form" when blank): "website", "WeChat article", "trade fair"...
    channel: Mapped[str | None] = mapped_column(String(80))
    # Who receives what the form creates: new leads are theirs, follow-ups are logged in their name.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    questions: Mapped[list[Question]] = relationship(
        order_by="Question.position",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
        overlaps="form",
    )

    __mapper_args__ = {"version_id_col": version}

    def title(self, language: str) -> str:
        return _pick(language, self.title_en, self.title_zh)

    def intro(self, language: str) -> str:
        return _pick(language, self.intro_en, self.intro_zh)

    def thanks(self, language: str) -> str:
        return _pick(language, self.thanks_en, self.thanks_zh)


def _pick(language: str, en: str, zh: str) -> str:
    """The visitor's language, else whichever the studio wrote."""
    return (zh or en) if language.startswith("zh") else (en or zh)


class Question(TenantScoped, UUIDPrimaryKey, Base):
    __tablename__ = "form_questions"
    __table_args__ = (
        _form_fk(),
        UniqueConstraint("tenant_id", "id"),
        Index("ix_form_questions_tenant_id_form_id_position", "tenant_id", "form_id", "position"),
    )

    form_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(20))  # a key of saas.fields.types.TYPES
    label_en: Mapped[str] = mapped_column(String(300), default="")
    label_zh: Mapped[str] = mapped_column(String(300), default="")
    help_en: Mapped[str] = mapped_column(String(500), default="")
    help_zh: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)  # [{"key", "label_en", "label_zh"}]
    target: Mapped[str] = mapped_column(String(80), default="submission")  # a key of saas.forms.targets

    def label(self, language: str) -> str:
        return _pick(language, self.label_en, self.label_zh)

    def help(self, language: str) -> str:
        return _pick(language, self.help_en, self.help_zh)


class FormRequest(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A form sent to a client about a project (the requirements brief, feedback when it is won): shown in the
    portal until answered; its id, in the link e-mailed, says which project the answers belong to."""

    __tablename__ = "form_requests"
    __table_args__ = (
        _form_fk(),
        UniqueConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "project_id"], ["projects.tenant_id", "projects.id"], ondelete="CASCADE"),
        Index("ix_form_requests_tenant_id_client_id_answered_at", "tenant_id", "client_id", "answered_at"),
        Index("ix_form_requests_tenant_id_project_id", "tenant_id", "project_id"),
        Index("ix_form_requests_tenant_id_ticket_id", "tenant_id", "ticket_id"),
    )

    form_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID | None]  # what the form is about: a project (brief, feedback when won)...
    ticket_id: Mapped[uuid.UUID | None]  # ...or a closed ticket (feedback); no foreign key: forms know no tickets
    client_id: Mapped[uuid.UUID]
    sent_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]

    form: Mapped[Form] = relationship(lazy="joined", overlaps="form")


class Submission(TenantScoped, UUIDPrimaryKey, Base):
    __tablename__ = "form_submissions"
    __table_args__ = (
        _form_fk(),
        UniqueConstraint("tenant_id", "id"),
        Index("ix_form_submissions_tenant_id_form_id_submitted_at", "tenant_id", "form_id", "submitted_at", "id"),
        Index("ix_form_submissions_tenant_id_project_id", "tenant_id", "project_id"),
    )

    form_id: Mapped[uuid.UUID]
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id → stored value
    # The questions as they were asked (labels, types), so a later edit of the form never changes the record.
    asked: Mapped[list] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str] = mapped_column(String(10), default="zh_CN")
    ip_hash: Mapped[str] = mapped_column(String(64))  # keyed hash: counts repeat visitors, never stores the IP
    outcome: Mapped[str] = mapped_column(String(20), default=Outcome.KEPT)
    client_id: Mapped[uuid.UUID | None]
    contact_id: Mapped[uuid.UUID | None]
    project_id: Mapped[uuid.UUID | None]
    ticket_id: Mapped[uuid.UUID | None]
    interaction_id: Mapped[uuid.UUID | None]
    request_id: Mapped[uuid.UUID | None]
    portal_user_id: Mapped[uuid.UUID | None]
    nps: Mapped[int | None]  # 0–10, for dashboards
    csat: Mapped[int | None]  # 1–5

    form: Mapped[Form] = relationship(lazy="joined", overlaps="form")
