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
from saas.billing.rollups import MoneyDay
from saas.clients.models import Client, ClientEvent, ClientShare, ClientTag, Contact, Interaction, SavedView
from saas.clients.rollups import FollowUpDay
from saas.exports.models import Export
from saas.fields.models import FieldDefinition, FieldValue
from saas.files.models import StoredFile
from saas.forms.models import Form, FormRequest, Question, Submission
from saas.imports.models import ClientExternalId, ClientImport, ImportRow
from saas.notify.models import Delivery, Notification
from saas.payments.models import Checkout, RefundRequest, StripeAccount, StripeEvent
from saas.plans.models import StudioSubscription
from saas.portal_accounts.models import PortalLink, PortalSession, PortalUser
from saas.projects.models import PipelineStage, Project, ProjectMember, StageChange, Task
from saas.proofing.models import Comment, Draft, ProofingSettings, Reviewer
from saas.reports.builder.models import SavedReport
from saas.reports.indexes import DASHBOARD_INDEXES
from saas.tenants.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    Invitation,
    Membership,
    PasswordReset,
    SignInThrottle,
    Tenant,
    User,
)
from saas.tickets.models import Ticket, TicketReply, TicketSettings
from saas.visits.models import SyncChange, Visit

__all__ = [
    "DASHBOARD_INDEXES",
    "ApiToken",
    "ApprovalRule",
    "AuditEvent",
    "AuthSession",
    "BillingSettings",
    "Checkout",
    "Client",
    "ClientEvent",
    "ClientExternalId",
    "ClientImport",
    "ClientShare",
    "ClientTag",
    "Comment",
    "Contact",
    "Contract",
    "ContractDecision",
    "Delivery",
    "Draft",
    "Export",
    "FieldDefinition",
    "FieldValue",
    "FollowUpDay",
    "Form",
    "FormRequest",
    "ImportRow",
    "Interaction",
    "Invitation",
    "Invoice",
    "Membership",
    "MoneyDay",
    "Notification",
    "PasswordReset",
    "Payment",
    "PipelineStage",
    "PortalLink",
    "PortalSession",
    "PortalUser",
    "Project",
    "ProjectCost",
    "ProjectMember",
    "ProofingSettings",
    "Question",
    "Quote",
    "QuoteLine",
    "QuoteRevision",
    "RefundRequest",
    "Reviewer",
    "SavedReport",
    "SavedView",
    "SignInThrottle",
    "StageChange",
    "StoredFile",
    "StripeAccount",
    "StripeEvent",
    "StudioSubscription",
    "Submission",
    "SyncChange",
    "Task",
    "Tenant",
    "Ticket",
    "TicketReply",
    "TicketSettings",
    "User",
    "Visit",
]
