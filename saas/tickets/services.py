"""Ticket rules: raising one (staff for a client, or the client in the portal), replies and internal notes, status,
priority, assignee and category, and the SLA: due times in business hours, kept on the ticket with the first
response and the resolution. Services flush, never commit; what happened is announced (`ticket.created`,
`ticket.replied`, `ticket.status_changed`, `ticket.assigned`, `ticket.breached`) and the listeners tell people."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from saas.clients.access import client_for_form
from saas.clients.models import Client
from saas.db import lock_row, utcnow
from saas.errors import Conflict, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.fields import values as custom
from saas.i18n import current_locale
from saas.projects.access import project_id_for_form
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, Role, has_perm, require
from saas.tickets import settings as desk
from saas.tickets.hours import add_business_hours, business_hours_between
from saas.tickets.models import OPEN_STATUSES, Priority, Source, Ticket, TicketReply, TicketStatus


@dataclass(frozen=True)
class _Studio:
    """Who fills a ticket's own fields when the client raises it: the studio's defaults, every field's."""

    role: str = Role.OWNER


STUDIO_DEFAULTS = _Studio()


def _due_times(ticket: Ticket, start: datetime) -> None:
    targets = desk.sla_targets()[ticket.priority]
    hours = desk.business_hours()
    ticket.first_response_due_at = add_business_hours(hours, start, targets["first_response"])
    ticket.resolution_due_at = add_business_hours(hours, start, targets["resolution"])


def worker(user_id: uuid.UUID | None, field: str = "assignee_id") -> uuid.UUID | None:
    """An active member of the studio who may work on tickets (not finance), or a field error."""
    if user_id is None:
        return None
    found = db.session.scalar(select(Membership).where(Membership.user_id == user_id, Membership.active.is_(True)))
    if found is None or not has_perm(found.role, Perm.TICKETS):
        raise ValidationFailed({field: [_("Choose someone from this studio's team who works on tickets.")]})
    return user_id


def _contact_of(client: Client, contact_id: uuid.UUID | None) -> uuid.UUID | None:
    if contact_id is None:
        return None
    if not any(contact.id == contact_id for contact in client.contacts):
        raise ValidationFailed({"contact_id": [_("Choose one of this client's contacts.")]})
    return contact_id


def _new(client: Client, data: dict[str, Any], **extra: Any) -> Ticket:
    now = utcnow()
    ticket = Ticket(
        number=desk.next_number(),
        client_id=client.id,
        subject=data["subject"].strip(),
        description=data["description"].strip(),
        category=desk.check_category(data.get("category")),
        priority=data.get("priority") or Priority.NORMAL,
        status=TicketStatus.NEW,
        created_at=now,
        updated_at=now,
        **extra,
    )
    ticket.client = client
    _due_times(ticket, now)
    db.session.add(ticket)
    db.session.flush()
    return ticket


def create_ticket(membership: Membership, data: dict[str, Any]) -> Ticket:
    """Staff raise a ticket for a client they see (from a call, a visit, an e-mail...)."""
    require(membership, Perm.TICKETS)
    client = client_for_form(membership, data["client_id"])
    values = custom.clean(membership, "ticket", data.pop("custom_fields", None), creating=True)
    ticket = _new(
        client,
        data,
        contact_id=_contact_of(client, data.get("contact_id")),
        project_id=project_id_for_form(membership, data.get("project_id"), client.id),
        source=data.get("source") or Source.STAFF,
        assignee_id=worker(data.get("assignee_id")),
        created_by_id=membership.user_id,
    )
    custom.write("ticket", ticket, values)
    _announce_created(ticket, membership.user_id)
    return ticket


def raise_in_portal(portal_user: Any, data: dict[str, Any]) -> Ticket:
    """The client raises a ticket themselves: it goes to the studio unassigned, at normal priority."""
    client = db.session.get(Client, portal_user.client_id)
    # The client is asked none of the studio's own fields: their defaults apply, the staff fill the rest.
    values = custom.clean(STUDIO_DEFAULTS, "ticket", None, creating=True, enforce_required=False)
    ticket = _new(
        client, {**data, "priority": Priority.NORMAL}, source=Source.PORTAL, raised_by_portal_user_id=portal_user.id
    )
    custom.write("ticket", ticket, values)
    _announce_created(ticket, None)
    return ticket


def _announce_created(ticket: Ticket, actor_id: uuid.UUID | None) -> None:
    emit(
        "ticket.created",
        subject=ticket,
        client=ticket.client,
        actor_id=actor_id,
        ticket=ticket.number,
        ticket_id=str(ticket.id),
        title=ticket.subject,
        priority=ticket.priority,
        source=ticket.source,
    )


def reply(membership: Membership, ticket: Ticket, body: str, internal: bool = False, wait: bool = False) -> TicketReply:
    """A staff reply the client sees (the first one is the ticket's first response; `wait` puts the ticket on
    the client), or an internal note, which never reaches the portal."""
    require(membership, Perm.TICKETS)
    lock_row(db.session, ticket)
    from saas.tenants.models import User

    author = db.session.get(User, membership.user_id)
    message = TicketReply(
        ticket_id=ticket.id, body=body.strip(), internal=internal, author_id=author.id, author_name=author.name
    )
    db.session.add(message)
    before = ticket.status
    if not internal:
        now = utcnow()
        ticket.first_response_at = ticket.first_response_at or now
        ticket.last_reply_at = now
        if wait and ticket.is_open:
            ticket.status = TicketStatus.WAITING
        elif ticket.status == TicketStatus.NEW:
            ticket.status = TicketStatus.OPEN
    _pause_or_resume(ticket, before)
    ticket.updated_at = utcnow()
    db.session.flush()
    _announce_reply(ticket, message, membership.user_id)
    _announce_status(ticket, before, membership.user_id)
    return message


def client_reply(portal_user: Any, ticket: Ticket, body: str) -> TicketReply:
    """The client answers in the portal: a ticket waiting on them (or resolved) is open again."""
    lock_row(db.session, ticket)
    if ticket.status == TicketStatus.CLOSED:
        raise ValidationFailed({"body": [_("This ticket is closed. Raise a new one if you need more help.")]})
    message = TicketReply(
        ticket_id=ticket.id, body=body.strip(), portal_user_id=portal_user.id, author_name=portal_user.name
    )
    db.session.add(message)
    before = ticket.status
    if ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
        ticket.status = TicketStatus.OPEN
        ticket.resolved_at = None
    _pause_or_resume(ticket, before)
    ticket.last_reply_at = ticket.updated_at = utcnow()
    db.session.flush()
    _announce_reply(ticket, message, None)
    _announce_status(ticket, before, None)
    return message


def _announce_reply(ticket: Ticket, message: TicketReply, actor_id: uuid.UUID | None) -> None:
    emit(
        "ticket.replied",
        subject=ticket,
        reply=message,
        actor_id=actor_id,
        ticket=ticket.number,
        title=ticket.subject,
        internal=message.internal,
        from_client=message.from_client,
    )


def _announce_status(ticket: Ticket, before: str, actor_id: uuid.UUID | None) -> None:
    if ticket.status != before:
        emit(
            "ticket.status_changed",
            subject=ticket,
            actor_id=actor_id,
            ticket=ticket.number,
            old=before,
            new=ticket.status,
        )


def change_ticket(membership: Membership, ticket: Ticket, data: dict[str, Any]) -> None:
    """Status, priority, assignee, category or subject, with the version the person read (409 when stale)."""
    require(membership, Perm.TICKETS)
    lock_row(db.session, ticket)
    if (read := data.pop("version", None)) is not None and read != ticket.version:
        raise Conflict()
    before_status, before_assignee = ticket.status, ticket.assignee_id
    values = custom.clean(membership, "ticket", data.pop("custom_fields", None), ticket.custom_fields)
    custom.write("ticket", ticket, values, current_locale())
    if "category" in data:
        ticket.category = desk.check_category(data.pop("category"))
    if "subject" in data:
        ticket.subject = data.pop("subject").strip()
    if "assignee_id" in data:
        ticket.assignee_id = worker(data.pop("assignee_id"))
    if "priority" in data and data["priority"] != ticket.priority:
        ticket.priority = data.pop("priority")
        _new_targets(ticket)
    if "status" in data:
        _set_status(ticket, data.pop("status"))
    _pause_or_resume(ticket, before_status)
    ticket.updated_at = utcnow()
    db.session.flush()
    _announce_status(ticket, before_status, membership.user_id)
    if ticket.assignee_id is not None and ticket.assignee_id != before_assignee:
        emit("ticket.assigned", subject=ticket, actor_id=membership.user_id, ticket=ticket.number, title=ticket.subject)


def _new_targets(ticket: Ticket) -> None:
    """A new priority measures from when the ticket was raised, plus the hours it waited on the client; a target
    moved into the future may alert again."""
    _due_times(ticket, ticket.created_at)
    if ticket.sla_paused_hours and ticket.resolution_due_at is not None:
        hours = desk.business_hours()
        ticket.resolution_due_at = add_business_hours(hours, ticket.resolution_due_at, ticket.sla_paused_hours)
    now = utcnow()
    if ticket.first_response_due_at > now:
        ticket.response_breach_alerted_at = None
    if ticket.resolution_due_at > now:
        ticket.resolution_breach_alerted_at = None


def _pause_or_resume(ticket: Ticket, before: str) -> None:
    """Waiting on the client stops the resolution clock; leaving it moves the due time by the business hours
    waited (a breach already told may be told again if the new due time passes too)."""
    waiting = TicketStatus.WAITING
    if ticket.status == waiting and before != waiting:
        ticket.waiting_since = utcnow()
    elif before == waiting and ticket.status != waiting and ticket.waiting_since is not None:
        now = utcnow()
        hours = desk.business_hours()
        waited = business_hours_between(hours, ticket.waiting_since, now)
        ticket.sla_paused_hours = (ticket.sla_paused_hours or 0.0) + waited
        if ticket.resolution_due_at is not None and waited > 0:
            ticket.resolution_due_at = add_business_hours(hours, ticket.resolution_due_at, waited)
            if ticket.resolution_due_at > now:
                ticket.resolution_breach_alerted_at = None
        ticket.waiting_since = None


def _set_status(ticket: Ticket, status: str) -> None:
    now = utcnow()
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        ticket.resolved_at = ticket.resolved_at or now
    else:
        ticket.resolved_at = None
    ticket.closed_at = (ticket.closed_at or now) if status == TicketStatus.CLOSED else None
    ticket.status = status


# The SLA clock: a periodic sweep tells each breach once.


def sweep_breaches() -> int:
    """Periodic, per studio: open tickets past a due time whose breach was not told yet. Each breach is claimed
    by a conditional UPDATE (alerted_at still empty), so two sweeps at once — two workers — tell it once."""
    now = utcnow()
    late_response = and_(
        Ticket.first_response_at.is_(None),
        Ticket.first_response_due_at < now,
        Ticket.response_breach_alerted_at.is_(None),
    )
    late_resolution = and_(
        Ticket.status != TicketStatus.WAITING,  # its clock is stopped
        Ticket.resolution_due_at < now,
        Ticket.resolution_breach_alerted_at.is_(None),
    )
    query = select(Ticket).where(Ticket.status.in_(OPEN_STATUSES), or_(late_response, late_resolution)).limit(500)
    told = 0
    for ticket in db.session.scalars(query):
        for which, column in (
            ("first_response", "response_breach_alerted_at"),
            ("resolution", "resolution_breach_alerted_at"),
        ):
            due = ticket.first_response_due_at if which == "first_response" else ticket.resolution_due_at
            if which == "first_response" and ticket.first_response_at is not None:
                continue
            if due is None or due >= now or getattr(ticket, column) is not None:
                continue
            if which == "resolution" and ticket.status == TicketStatus.WAITING:
                continue
            if _claim(ticket, column, now):
                emit(
                    "ticket.breached",
                    subject=ticket,
                    actor_id=None,
                    ticket=ticket.number,
                    title=ticket.subject,
                    target=which,
                )
                told += 1
    return told


def _claim(ticket: Ticket, column: str, now: datetime) -> bool:
    """Set the alert's time if nobody did; True for the one caller that did (the version does not move)."""
    claimed = db.session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, getattr(Ticket, column).is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    return (claimed.rowcount or 0) == 1
