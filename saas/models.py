"""Imports every domain's models so that metadata (Alembic, tests) sees all tables."""

from saas.billing.models import (
    ApprovalRule,
    BillingSettings,
    Contract,
    ContractDecision,
    Invoice,
    Payment,
    ProjectCost,
    Quote,
    QuoteLine,
    QuoteRevision,
)
from saas.clients.models import Client, ClientEvent, ClientShare, ClientTag, Contact, Interaction, SavedView
from saas.files.models import StoredFile
from saas.portal.models import PortalLink, PortalSession, PortalUser
from saas.projects.models import PipelineStage, Project, ProjectMember, StageChange, Task
from saas.tenants.models import ApiToken, AuditEvent, AuthSession, Invitation, Membership, PasswordReset, Tenant, User

__all__ = [
    "ApiToken",
    "ApprovalRule",
    "AuditEvent",
    "AuthSession",
    "BillingSettings",
    "Client",
    "ClientEvent",
    "ClientShare",
    "ClientTag",
    "Contact",
    "Contract",
    "ContractDecision",
    "Interaction",
    "Invitation",
    "Invoice",
    "Membership",
    "PasswordReset",
    "Payment",
    "PipelineStage",
    "PortalLink",
    "PortalSession",
    "PortalUser",
    "Project",
    "ProjectCost",
    "ProjectMember",
    "Quote",
    "QuoteLine",
    "QuoteRevision",
    "SavedView",
    "StageChange",
    "StoredFile",
    "Task",
    "Tenant",
    "User",
]
