"""Imports every domain's models so that metadata (Alembic, tests) sees all tables."""

from saas.clients.models import Client, ClientEvent, ClientShare, ClientTag, Contact, Interaction, SavedView
from saas.projects.models import PipelineStage, Project, ProjectMember, StageChange, Task
from saas.tenants.models import ApiToken, AuditEvent, AuthSession, Invitation, Membership, PasswordReset, Tenant, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Client",
    "ClientEvent",
    "ClientShare",
    "ClientTag",
    "Contact",
    "Interaction",
    "Invitation",
    "Membership",
    "PasswordReset",
    "PipelineStage",
    "Project",
    "ProjectMember",
    "SavedView",
    "StageChange",
    "Task",
    "Tenant",
    "User",
]
