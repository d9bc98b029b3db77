"""Imports every domain's models so that metadata (Alembic, tests) sees all tables."""

from saas.tenants.models import AuditEvent, AuthSession, Invitation, Membership, PasswordReset, Tenant, User

__all__ = ["AuditEvent", "AuthSession", "Invitation", "Membership", "PasswordReset", "Tenant", "User"]
