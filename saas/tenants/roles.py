"""Roles and the permissions they grant: the one table every surface checks (views, API, jobs).

Record-level rules (which clients a member may see) live in each domain's access module and build on these.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from saas.errors import NotAllowed


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"
    FINANCE = "finance"
    FIELD = "field"


class Perm(StrEnum):
    WORKSPACE = "workspace.use"
    STUDIO_SETTINGS = "studio.settings"
    MEMBERS_VIEW = "members.view"
    MEMBERS_INVITE = "members.invite"
    MEMBERS_MANAGE = "members.manage"
    OWNERSHIP = "studio.ownership"
    AUDIT_READ = "audit.read"
    CLIENTS_ALL = "clients.all"  # every client of the studio, not only one's own and shared ones
    CLIENTS_EDIT = "clients.edit"  # create, edit, archive clients; add contacts; log interactions
    # Field staff record what they meet: a lead met on site (they own it), a follow-up with a client they see.
    CLIENTS_CREATE = "clients.create"
    FOLLOW_UPS_LOG = "follow_ups.log"
    CLIENTS_SHARE = "clients.share"
    CLIENTS_DELETE = "clients.delete"  # hard delete, audited
    # The relationship side of a client: special notes, follow-ups, the timeline, contacts' personal details.
    # Finance works with the commercial side alone (status, credit, payment terms, billing contacts).
    CLIENTS_RELATIONSHIP = "clients.relationship"
    API_TOKENS = "api.tokens"  # create and revoke API tokens
    PROJECTS_EDIT = "projects.edit"  # create and edit projects, move them between stages, manage tasks
    PIPELINE = "pipeline.settings"  # rename, reorder, add and remove pipeline stages
    QUOTES = "quotes.edit"  # draft, revise and send quotes; draft contracts
    DISCOUNTS = "discounts.approve"  # approve a quote whose discount is beyond the studio's threshold
    INVOICES = "invoices.edit"  # create, send and void invoices
    PAYMENTS = "payments.record"  # record payments received
    BILLING_SETTINGS = "billing.settings"  # tax, discount threshold, contract approval rules
    VISITS_SCHEDULE = "visits.schedule"  # schedule and assign visits (members: for the clients they see)
    VISITS_RECORD = "visits.record"  # check in and out, notes, photos, signature on one's own visits
    # Service tickets of the clients one sees: raise, reply, note, assign, change status. The relationship side:
    # finance has none of it (a ticket's thread is what the client said, like a follow-up).
    TICKETS = "tickets.work"
    # Reports: everyone but field staff builds reports over what they may see and pins them to their own dashboard;
    # the studio dashboard (every figure of the studio) is for owners, admins and managers.
    REPORTS_BUILD = "reports.build"
    REPORTS_STUDIO = "reports.studio"
    # Bringing clients in from a file (and undoing it) changes the whole book: owners, admins, managers. Exporting a
    # list takes what one may see out of the studio, always audited: everyone but field staff.
    DATA_IMPORT = "data.import"
    DATA_EXPORT = "data.export"


_EVERYONE = {Perm.WORKSPACE, Perm.MEMBERS_VIEW}
_FIELD_WORK = {
    Perm.CLIENTS_RELATIONSHIP,
    Perm.CLIENTS_CREATE,
    Perm.FOLLOW_UPS_LOG,
    Perm.VISITS_RECORD,
    Perm.TICKETS,
}
_CLIENT_WORK = _FIELD_WORK | {
    Perm.CLIENTS_EDIT,
    Perm.CLIENTS_SHARE,
    Perm.PROJECTS_EDIT,
    Perm.QUOTES,
    Perm.VISITS_SCHEDULE,
}
_MONEY = {Perm.INVOICES, Perm.PAYMENTS}
_OFFICE = {Perm.REPORTS_BUILD, Perm.DATA_EXPORT}
_LEADS = {Perm.REPORTS_STUDIO, Perm.DATA_IMPORT}
_ADMIN = (
    _EVERYONE
    | _CLIENT_WORK
    | {
        Perm.STUDIO_SETTINGS,
        Perm.MEMBERS_INVITE,
        Perm.MEMBERS_MANAGE,
        Perm.AUDIT_READ,
        Perm.CLIENTS_ALL,
        Perm.API_TOKENS,
        Perm.PIPELINE,
        Perm.DISCOUNTS,
        Perm.BILLING_SETTINGS,
    }
    | _MONEY
    | _OFFICE
    | _LEADS
)

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: frozenset(_ADMIN | {Perm.OWNERSHIP, Perm.CLIENTS_DELETE}),
    Role.ADMIN: frozenset(_ADMIN),
    Role.MANAGER: frozenset(
        _EVERYONE | _CLIENT_WORK | _MONEY | _OFFICE | _LEADS | {Perm.MEMBERS_INVITE, Perm.CLIENTS_ALL, Perm.DISCOUNTS}
    ),
    Role.MEMBER: frozenset(_EVERYONE | _CLIENT_WORK | _OFFICE),
    Role.FINANCE: frozenset(_EVERYONE | _MONEY | _OFFICE | {Perm.CLIENTS_ALL}),
    Role.FIELD: frozenset(_EVERYONE | _FIELD_WORK),
}

# Roles an inviter may hand out: nobody creates a peer above themselves, and ownership is transferred, never
# granted by invitation.
GRANTABLE: dict[Role, tuple[Role, ...]] = {
    Role.OWNER: (Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.FINANCE, Role.FIELD),
    Role.ADMIN: (Role.ADMIN, Role.MANAGER, Role.MEMBER, Role.FINANCE, Role.FIELD),
    Role.MANAGER: (Role.MEMBER, Role.FINANCE, Role.FIELD),
}


def has_perm(role: str | Role | None, perm: Perm) -> bool:
    return role is not None and perm in PERMISSIONS.get(Role(role), frozenset())


def grantable_roles(role: str | Role) -> tuple[Role, ...]:
    return GRANTABLE.get(Role(role), ())


class Actor(Protocol):
    """Whoever acts with a role: a membership (a person in a studio) or an API token's principal."""

    role: str


def require(actor: Actor, perm: Perm) -> None:
    """The one permission check of the services: NotAllowed (403) unless the actor's role grants `perm`."""
    if not has_perm(actor.role, perm):
        raise NotAllowed()
