"""Clients, their contacts, the interactions logged with them (follow-ups), and record-level shares.

Children reference their client through (tenant_id, client_id), so the database itself refuses a contact or
an interaction that points at another studio's client.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from saas import i18n
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.fields.models import VALUES
from saas.isolation import TenantScoped
from saas.tenants.models import User


class ClientStatus(StrEnum):
    POTENTIAL = "potential"
    INTENT = "intent"
    SIGNED = "signed"
    PAST = "past"


class ClientKind(StrEnum):
    COMPANY = "company"
    PERSON = "person"


class Channel(StrEnum):
    WECHAT = "wechat"
    EMAIL = "email"
    PHONE = "phone"


class InteractionKind(StrEnum):
    CALL = "call"
    WECHAT = "wechat"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"
    NOTE = "note"


SORT_KEY = String(400).with_variant(String(400, collation="C"), "postgresql")


def _client_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE")


class Client(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "clients"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        Index("ix_clients_tenant_id_name", "tenant_id", "name", "id"),
        Index("ix_clients_tenant_id_sort_key", "tenant_id", "sort_key", "id"),
        Index("ix_clients_tenant_id_updated_at", "tenant_id", "updated_at", "id"),
        Index("ix_clients_tenant_id_owner_id", "tenant_id", "owner_id"),
        Index("ix_clients_tenant_id_last_contact_at", "tenant_id", "last_contact_at"),
        Index("ix_clients_tenant_id_source", "tenant_id", "source"),
        Index("ix_clients_tenant_id_industry", "tenant_id", "industry"),
        # The clients an import created (its undo, its check for later changes): imported clients only.
        Index(
            "ix_clients_tenant_id_import_id",
            "tenant_id",
            "import_id",
            postgresql_where=text("import_id IS NOT NULL"),
            sqlite_where=text("import_id IS NOT NULL"),
        ),
        # Fragment search (LIKE '%…%') on PostgreSQL; SQLite scans one studio's rows instead.
        Index(
            "ix_clients_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    name: Mapped[str] = mapped_column(String(200))
    # The name as the list sorts it (pinyin for Chinese; saas.i18n.sort_key), kept by the services. ASCII, compared
    # byte by byte on both databases ("C" on PostgreSQL), so the order and the keyset pages are the same everywhere.
    sort_key: Mapped[str] = mapped_column(SORT_KEY, default="")
    kind: Mapped[str] = mapped_column(String(10), default=ClientKind.COMPANY)
    status: Mapped[str] = mapped_column(String(10), default=ClientStatus.POTENTIAL)
    industry: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str | None] = mapped_column(String(80))
    credit_rating: Mapped[str | None] = mapped_column(String(10))
    payment_terms: Mapped[str | None] = mapped_column(String(120))
    # The tags as shown, in the order given; ClientTag holds one row per tag for filtering and counting.
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_contact_at: Mapped[datetime | None]
    # Lower-cased name, tags and every contact's name, phone, e-mail and WeChat id, kept by the services:
    # one column to search by fragment (a trigram index on PostgreSQL makes it fast).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The studio's own fields, {key: stored value} (saas.fields): written by the services through
    # saas.fields.values, which keeps the typed index the list filters read.
    custom_fields: Mapped[dict] = mapped_column(VALUES, default=dict, server_default="{}")
    version: Mapped[int] = mapped_column(default=1)
    # The import that created this client (saas.imports), if one did: its timeline says so, its undo removes it.
    # No foreign key, like every pointer from a row to the import that wrote it: an import goes only with its
    # studio, and the check would cost each of an import's 100,000 rows a trigger.
    import_id: Mapped[uuid.UUID | None]

    owner: Mapped[User | None] = relationship(lazy="joined")
    # Loaded when asked for: most reads of a client (the API, a document's page) need none of its contacts; the
    # lists that show them load them for the whole page at once (clients.queries.client_page).
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client",
        order_by="Contact.created_at",
        lazy="select",
        overlaps="client",
        cascade="all, delete-orphan",
        passive_deletes=True,  # ON DELETE CASCADE removes them; the ORM must not try to null the key first
    )

    __mapper_args__ = {"version_id_col": version}


class Contact(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        _client_fk(),
        UniqueConstraint("tenant_id", "id"),  # portal users point at their contact through (tenant_id, id)
        Index("ix_contacts_tenant_id_client_id", "tenant_id", "client_id"),
        Index("ix_contacts_tenant_id_sort_key", "tenant_id", "sort_key", "id"),  # the contacts list's order, pages
    )

    client_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(120))
    # The name as the contacts list sorts it: pinyin for Chinese, as Client.sort_key (saas.i18n.sort_key). Set with
    # the name itself (below), so no writer of a contact can forget it; the import's set-based INSERT makes it in
    # Python per batch, with the clients' (saas.imports.engine).
    sort_key: Mapped[str] = mapped_column(SORT_KEY, default="")
    title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    wechat: Mapped[str | None] = mapped_column(String(60))
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    best_time: Mapped[str | None] = mapped_column(String(80))
    decision_maker: Mapped[bool] = mapped_column(default=False)
    cares_about: Mapped[str | None] = mapped_column(String(300))
    birthday: Mapped[date | None] = mapped_column(Date)
    custom_fields: Mapped[dict] = mapped_column(VALUES, default=dict, server_default="{}")
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    client: Mapped[Client] = relationship(back_populates="contacts", overlaps="contacts")

    __mapper_args__ = {"version_id_col": version}

    @validates("name")
    def _keep_sort_key(self, _key: str, name: str) -> str:
        """Every assignment of the name (the constructor's too) moves the sort key with it."""
        self.sort_key = i18n.sort_key(name or "")
        return name


PHONE_MARKS = (" ", "-", "(", ")", "+", ".", "/")  # what people type between a phone's digits


def _sql_text(value: str) -> ColumnElement[str]:
    """A constant written into the SQL itself, not bound: PostgreSQL uses an expression index only for a query
    whose expression is the index's, constants included (a bound parameter is not one under a generic plan)."""
    return literal_column("'" + value.replace("'", "''") + "'", String)


def contact_search() -> ColumnElement[str]:
    """What the contacts list's search looks in: the name, the phone as written and as its digits alone (so
    "138-0013" finds "138 0013 8000"), the e-mail; lower-cased. No column keeps it: on PostgreSQL a trigram index
    on this very expression serves `LIKE '%…%'` (migration 0041), so no write path has to maintain anything."""
    phone = func.coalesce(Contact.phone, _sql_text(""))
    digits = phone
    for mark in PHONE_MARKS:
        digits = func.replace(digits, _sql_text(mark), _sql_text(""))
    space = _sql_text(" ")
    joined = Contact.name + space + phone + space + digits + space + func.coalesce(Contact.email, _sql_text(""))
    return func.lower(joined)


Index(
    "ix_contacts_search_trgm",
    contact_search().label("search"),
    postgresql_using="gin",
    postgresql_ops={"search": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


class Interaction(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        _client_fk(),
        Index("ix_interactions_tenant_id_client_id_occurred_at", "tenant_id", "client_id", "occurred_at"),
        Index("ix_interactions_tenant_id_author_id_next_action_due", "tenant_id", "author_id", "next_action_due"),
    )

    client_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(300))
    next_action: Mapped[str | None] = mapped_column(String(300))
    next_action_due: Mapped[date | None] = mapped_column(Date)
    next_action_done_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    author: Mapped[User | None] = relationship(lazy="joined")
    client: Mapped[Client] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class ClientTag(TenantScoped, UUIDPrimaryKey, Base):
    """One row per (client, tag): exact tag filters and per-studio tag counts without reading JSON."""

    __tablename__ = "client_tags"
    __table_args__ = (
        _client_fk(),
        UniqueConstraint("tenant_id", "client_id", "tag"),
        Index("ix_client_tags_tenant_id_tag", "tenant_id", "tag", "client_id"),
    )

    client_id: Mapped[uuid.UUID]
    tag: Mapped[str] = mapped_column(String(40))


class ClientShare(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A colleague may see a client they do not own, until `expires_at` (if set) passes, with nobody acting."""

    __tablename__ = "client_shares"
    __table_args__ = (
        _client_fk(),
        UniqueConstraint("tenant_id", "client_id", "user_id"),
        Index("ix_client_shares_tenant_id_user_id", "tenant_id", "user_id"),
    )

    client_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > utcnow()


class ClientEvent(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A change on the client's timeline (created, edited, owner or status changed, shared, archived...)."""

    __tablename__ = "client_events"
    __table_args__ = (
        _client_fk(),
        Index("ix_client_events_tenant_id_client_id_created_at", "tenant_id", "client_id", "created_at"),
    )

    client_id: Mapped[uuid.UUID]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")


class SavedView(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A person's named set of a list's filters (`page`: the clients list or the contacts list), private to them in
    this studio."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "page", "name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(20), default="clients", server_default="clients")
    name: Mapped[str] = mapped_column(String(60))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
