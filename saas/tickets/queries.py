"""Reading tickets: the studio's list (filters, "mine", overdue first, one query), a client's tickets, a portal
user's, a ticket's thread (with or without internal notes), and the SLA clock of a ticket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, or_, select

from saas.clients.models import Client
from saas.days import DayRange
from saas.db import utcnow
from saas.extensions import db
from saas.fields import queries as custom_filters
from saas.tenants.models import Membership, User
from saas.tenants.queries import studio_timezone
from saas.tenants.roles import Perm, has_perm
from saas.tickets.access import tickets_visible_to
from saas.tickets.models import OPEN_STATUSES, Ticket, TicketReply, TicketStatus

LIST_LIMIT = 200
ACTIVE = "active"  # the list's default: new, open and waiting


@dataclass(frozen=True)
class TicketFilters:
    status: str = ACTIVE
    priority: str | None = None
    assignee: uuid.UUID | None = None
    category: str | None = None
    mine: bool = False
    client_id: uuid.UUID | None = None
    source: str | None = None  # how it came in: portal, staff, e-mail…
    owner: str = ""  # the client's owner: a user id or "me" (the dashboards' owner)
    client_source: str = ""  # the client's source channel (the dashboards' source; `source` is the ticket's channel)
    created: DayRange = field(default_factory=lambda: DayRange("created"))  # raised from–to, the studio's days
    resolved: DayRange = field(default_factory=lambda: DayRange("resolved"))  # resolved from–to
    # The studio's own ticket fields, as on the client list: (`cf.<key>[.op]`, value) pairs (saas.fields.queries).
    custom: tuple[tuple[str, str], ...] = ()


def _overdue(now: datetime):
    late_response = and_(Ticket.first_response_at.is_(None), Ticket.first_response_due_at < now)
    # While it waits on the client the clock is stopped: late only if it already was when it began waiting.
    late_resolution = or_(
        and_(Ticket.waiting_since.is_(None), Ticket.resolution_due_at < now),
        and_(Ticket.waiting_since.is_not(None), Ticket.resolution_due_at < Ticket.waiting_since),
    )
    return and_(Ticket.status.in_(OPEN_STATUSES), or_(late_resolution, late_response))


def ticket_list(membership: Membership, filters: TicketFilters, limit: int = LIST_LIMIT) -> list[Ticket]:
    """Overdue first, then by the next due time; closed and resolved ones newest first. One query (the client and
    the assignee are joined)."""
    now = utcnow()
    query = select(Ticket).where(tickets_visible_to(membership))
    if filters.status == ACTIVE:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif filters.status in tuple(TicketStatus):
        query = query.where(Ticket.status == filters.status)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.category:
        query = query.where(Ticket.category == filters.category)
    if filters.mine:
        query = query.where(Ticket.assignee_id == membership.user_id)
    elif filters.assignee:
        query = query.where(Ticket.assignee_id == filters.assignee)
    if filters.client_id:
        query = query.where(Ticket.client_id == filters.client_id)
    if filters.source:
        query = query.where(Ticket.source == filters.source)
    if filters.owner or filters.client_source:
        query = query.where(_of_clients(membership, filters))
    if filters.created or filters.resolved:
        zone = studio_timezone(membership.tenant_id)
        query = query.where(*filters.created.holds(Ticket.created_at, zone))
        query = query.where(*filters.resolved.holds(Ticket.resolved_at, zone))
    if filters.custom:
        query = query.where(*custom_filters.conditions(membership.role, "ticket", Ticket.id, filters.custom))
    open_first = case((Ticket.status.in_(OPEN_STATUSES), 0), else_=1)
    overdue_first = case((_overdue(now), 0), else_=1)
    order = (open_first, overdue_first, Ticket.resolution_due_at, Ticket.created_at.desc(), Ticket.id)
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def _of_clients(membership: Membership, filters: TicketFilters) -> Any:
    """Tickets whose client is owned by / came by what is asked: the dashboards' ticket figures narrowed by owner
    or source count the tickets of the clients in scope (a ticket without a client is outside both)."""
    clients = select(Client.id).where(Client.id == Ticket.client_id)
    if filters.owner:
        clients = clients.where(Client.owner_id == _person(membership, filters.owner))
    if filters.client_source:
        clients = clients.where(Client.source == filters.client_source)
    return exists(clients.correlate_except(Client))


def _person(membership: Membership, person: str) -> uuid.UUID | None:
    try:
        return membership.user_id if person == "me" else uuid.UUID(person)
    except ValueError:
        return None  # not a person: no one's


def tickets_of_client(membership: Membership, client_id: uuid.UUID, limit: int = 20) -> list[Ticket]:
    return ticket_list(membership, TicketFilters(status="all", client_id=client_id), limit)


def portal_tickets(portal_user) -> list[Ticket]:
    """A portal user's client's tickets, open ones first, newest first."""
    query = select(Ticket).where(Ticket.client_id == portal_user.client_id)
    open_first = case((Ticket.status.in_(OPEN_STATUSES), 0), else_=1)
    return list(db.session.scalars(query.order_by(open_first, Ticket.created_at.desc()).limit(LIST_LIMIT)))


def thread(ticket: Ticket, with_notes: bool) -> list[TicketReply]:
    query = select(TicketReply).where(TicketReply.ticket_id == ticket.id)
    if not with_notes:
        query = query.where(TicketReply.internal.is_(False))
    return list(db.session.scalars(query.order_by(TicketReply.created_at, TicketReply.id).limit(1000)))


def ticket_workers() -> list[User]:
    """Who a ticket can be assigned to: active members whose role works on tickets."""
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(User.name)
    )
    return [user for user, role in db.session.execute(query) if has_perm(role, Perm.TICKETS)]


@dataclass(frozen=True)
class Clock:
    """Where a ticket stands against its SLA: the target that is running (first response, then resolution), when
    it is due, and how long is left (negative: how late). `met` once there is nothing left to run."""

    target: str | None  # "first_response", "resolution" or None (resolved, closed)
    due: datetime | None
    left: timedelta | None
    paused: bool = False  # waiting on the client: `left` is what was left when it began waiting

    @property
    def late(self) -> bool:
        return self.left is not None and self.left.total_seconds() < 0


def clock(ticket: Ticket, now: datetime | None = None) -> Clock:
    now = now or utcnow()
    if not ticket.is_open:
        return Clock(None, None, None)
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        return Clock("first_response", ticket.first_response_due_at, ticket.first_response_due_at - now)
    if ticket.resolution_due_at is not None and ticket.waiting_since is not None:
        return Clock("resolution", ticket.resolution_due_at, ticket.resolution_due_at - ticket.waiting_since, True)
    if ticket.resolution_due_at is not None:
        return Clock("resolution", ticket.resolution_due_at, ticket.resolution_due_at - now)
    return Clock(None, None, None)


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    return clock(ticket, now).late
