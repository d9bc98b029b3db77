"""Client portal access: a studio's client contacts who may sign in, their one-time sign-in links, and their
sessions (separate from staff sessions: another cookie, another table)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.clients.models import Client, Contact
from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped


class PortalUser(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A contact of a client, invited to the portal: they see that client's projects, quotes and invoices."""

    __tablename__ = "portal_users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id"),
        UniqueConstraint("tenant_id", "email"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"),
    )

    client_id: Mapped[uuid.UUID]
    contact_id: Mapped[uuid.UUID]
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    active: Mapped[bool] = mapped_column(default=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))  # optional: the e-mail link always works

    # Loaded when asked for: a portal user is often read only for a name (reviewers on a draft, 500 comments...).
    client: Mapped[Client] = relationship(lazy="select", overlaps="contact")
    contact: Mapped[Contact] = relationship(lazy="select", overlaps="client")


class PortalLink(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A one-time sign-in link: opening it shows a confirm page; only the POST from that page uses it up, so
    mail scanners that follow links do not."""

    __tablename__ = "portal_links"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "portal_user_id"], ["portal_users.tenant_id", "portal_users.id"], ondelete="CASCADE"
        ),
        Index("ix_portal_links_tenant_id_token_hash", "tenant_id", "token_hash", unique=True),
    )

    portal_user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    portal_user: Mapped[PortalUser] = relationship(lazy="joined")

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()


class PortalSession(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "portal_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "portal_user_id"], ["portal_users.tenant_id", "portal_users.id"], ondelete="CASCADE"
        ),
        Index("ix_portal_sessions_tenant_id_token_hash", "tenant_id", "token_hash", unique=True),
    )

    portal_user_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(45))

    portal_user: Mapped[PortalUser] = relationship(lazy="joined")
