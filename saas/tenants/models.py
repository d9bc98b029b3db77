"""Studios, people, their memberships, invitations and the audit trail.

Tenant, User, AuthSession and PasswordReset are global rows (a person may belong to several studios);
Membership, Invitation and AuditEvent are studio-owned and isolated like every other tenant table.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.db import Base, Timestamped, UUIDPrimaryKey, utcnow
from saas.isolation import TenantScoped
from saas.tenants.roles import Role


class Tenant(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    logo_key: Mapped[str | None] = mapped_column(String(300))
    brand_color: Mapped[str] = mapped_column(String(7), default="#2f6f5e")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    plan: Mapped[str] = mapped_column(String(20), default="trial")
    # Bumped with every change to the studio's custom-field definitions (saas.fields), in the same transaction:
    # processes keep the definitions they read and reload them when this moves.
    fields_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The sites that may show the studio's public forms in a frame (CSP frame-ancestors), space-separated
    # origins; empty: any site.
    embed_origins: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class User(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Flask-Login asks the user for "its id" to keep in the cookie; we keep the server-side session token
    # instead, so that logging out or changing the password can end a session for real.
    session_token = None  # str | None; set per request, never stored

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token


class AuthSession(UUIDPrimaryKey, Timestamped, Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(lazy="joined")


class SignInThrottle(UUIDPrimaryKey, Timestamped, Base):
    """Failed sign-ins on one account from one source: a browser the person signed in with before (`device:…`),
    or else an address (`ip:…`). Locks are per source, so someone guessing from elsewhere never locks the person
    out of their own browser."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("user_id", "source"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordReset(UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "password_resets"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Membership(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_memberships_user_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship(lazy="joined")
    tenant: Mapped[Tenant] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Invitation(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_tenant_id_email", "tenant_id", "email"),
        Index("ix_invitations_tenant_id_token_hash", "tenant_id", "token_hash", unique=True),
    )

    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    invited_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class AuditEvent(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_tenant_id_created_at", "tenant_id", "created_at", "id"),
        Index("ix_audit_events_tenant_id_action_created_at", "tenant_id", "action", "created_at", "id"),
    )

    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship(lazy="joined")


class ApiToken(TenantScoped, UUIDPrimaryKey, Timestamped, Base):
    """A bearer token for the REST API, bound to one studio and a role; it acts as the person who created it.
    Only a hash is stored; the token is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_tenant_id_token_hash", "tenant_id", "token_hash", unique=True),)

    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[Role] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    hint: Mapped[str] = mapped_column(String(12))  # the last characters, to recognise a token in the list
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
