"""A studio's own fields: their definitions (one per studio, entity and stable key), and the typed index of the
values records hold, which the lists filter through.

The values themselves live on the records, in a `custom_fields` JSON column (JSONB on PostgreSQL): what the
pages and the API read. `FieldValue` repeats each stored value typed for comparison — a number, a key or a text
— one row per value (several for a multiple choice), kept by `saas.fields.values.write` in the same
transaction, so a filter on any field is an index range scan led by (tenant_id, field_id) on either database.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.db import Base, Timestamped, UUIDPrimaryKey
from saas.isolation import TenantScoped

# The values a record holds: {key: stored value}; JSONB on PostgreSQL, JSON (JSON1) on SQLite.
VALUES = JSON().with_variant(JSONB(), "postgresql")

KEY_MAX = 40  # a field's key
KEYED_MAX = 300  # values longer than this are compared through their text, not the btree


class Visibility(StrEnum):
    """Who sees a field (and so may read and write it): everyone, everyone but finance, owners and admins."""

    EVERYONE = "everyone"
    NOT_FINANCE = "not_finance"
    ADMINS = "admins"


class FieldDefinition(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "field_definitions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "entity", "key"),
        Index("ix_field_definitions_tenant_id_entity_position", "tenant_id", "entity", "position"),
    )

    entity: Mapped[str] = mapped_column(String(20))  # a name in saas.fields.entities (client, contact, project…)
    key: Mapped[str] = mapped_column(String(KEY_MAX))  # stable: the values are stored under it
    label_en: Mapped[str] = mapped_column(String(80), default="")
    label_zh: Mapped[str] = mapped_column(String(80), default="")
    help_en: Mapped[str] = mapped_column(String(300), default="")
    help_zh: Mapped[str] = mapped_column(String(300), default="")
    type: Mapped[str] = mapped_column(String(20))  # a key of saas.fields.types.TYPES
    required: Mapped[bool] = mapped_column(default=False)
    default: Mapped[Any] = mapped_column(JSON, nullable=True)  # a stored value, applied on create
    position: Mapped[int] = mapped_column(default=0)
    choices: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"key", "label_en", "label_zh"}]
    visibility: Mapped[str] = mapped_column(String(12), default=Visibility.EVERYONE)
    archived_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def label(self, language: str) -> str:
        return (self.label_zh if language.startswith("zh") else self.label_en) or self.label_en or self.label_zh

    def help(self, language: str) -> str:
        return (self.help_zh if language.startswith("zh") else self.help_en) or self.help_en or self.help_zh


class FieldValue(TenantScoped, UUIDPrimaryKey, Base):
    """One stored value of one field on one record, typed for comparison: `number` (number, money, percent,
    rating), `keyed` (a choice's key, a date, a UTC date-time, true/false, a member's or a file's id, short
    text: equals and ranges), `text` (any text, addresses included, lower-cased: contains, with LIKE through a
    trigram index on PostgreSQL; LIKE is the operator marked leakproof, so RLS lets the index serve it). A
    record without a value for a field has no row (the "empty" filter)."""

    __tablename__ = "field_values"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "field_id"], ["field_definitions.tenant_id", "field_definitions.id"], ondelete="CASCADE"
        ),
        Index("ix_field_values_tenant_id_field_id_number", "tenant_id", "field_id", "number", "record_id"),
        Index("ix_field_values_tenant_id_field_id_keyed", "tenant_id", "field_id", "keyed", "record_id"),
        Index("ix_field_values_tenant_id_record_id", "tenant_id", "record_id"),
        Index(
            "ix_field_values_text_trgm", "text", postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"}
        ).ddl_if(dialect="postgresql"),
    )

    field_id: Mapped[uuid.UUID]
    record_id: Mapped[uuid.UUID]  # a client, contact, project… of the field's entity (no foreign key: any entity)
    number: Mapped[float | None] = mapped_column(Float)
    keyed: Mapped[str | None] = mapped_column(String(KEYED_MAX))
    text: Mapped[str | None] = mapped_column(Text)
