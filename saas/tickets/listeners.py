"""What tickets plug into the floors below: their attachments (owner kinds 'ticket' and 'ticket_reply'), the SLA
sweep (every minute, per studio), and who hears what — by listening to the tickets' own events, never called from
the services:

- a new high or urgent ticket, and a breach of a due time: the assignee and the managers, bell and e-mail, at
  once (seed 002's 关键事件预警); a breach is told once (the sweep claims it on the ticket);
- a ticket the client raised in the portal: the managers (and the assignee), bell and e-mail;
- a staff reply the client may see: the client's portal users, bell and e-mail, with the reply's words (an
  internal note is never sent to anyone at the client);
- the client's reply: the assignee (the managers while nobody has it), bell and e-mail;
- a ticket given to someone: them, in the bell;
- a ticket closed: the client's portal people, the studio's feedback form about it (saas.forms), once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from saas.events import listen
from saas.extensions import db
from saas.fields.entities import Entity, register_entity
from saas.files.owners import register_owner
from saas.forms.requests import ask_about_ticket
from saas.notify.services import Recipient, notify
from saas.portal_accounts.queries import client_recipients
from saas.scheduling import periodic
from saas.schemas import N_
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.roles import Role
from saas.tickets.access import ReplyFiles, TicketFiles
from saas.tickets.attachments import forget_unclaimed_uploads
from saas.tickets.models import URGENT_PRIORITIES, Source, Ticket, TicketStatus
from saas.tickets.services import sweep_breaches
from saas.web.urls import site_path

register_entity(Entity("ticket", N_("Tickets"), Ticket))  # studios may add their own fields (saas.fields)
register_owner("ticket", TicketFiles())
register_owner("ticket_reply", ReplyFiles())
periodic("ticket-sla", 60, sweep_breaches)
periodic("ticket-uploads", 3600, forget_unclaimed_uploads)

EXCERPT = 300


def _person(user: User) -> Recipient:
    return Recipient(user_id=user.id, email=user.email, locale=user.locale or "zh_CN")


def managers() -> list[User]:
    """The studio's managers; a studio without one has its owner and admins hear instead."""
    query = select(User, Membership.role).join(Membership, Membership.user_id == User.id)
    people = list(db.session.execute(query.where(Membership.active.is_(True))))
    chosen = [user for user, role in people if role == Role.MANAGER]
    return chosen or [user for user, role in people if role in (Role.OWNER, Role.ADMIN)]


def _assignee_and_managers(ticket: Ticket, actor_id: Any = None) -> list[Recipient]:
    people = {user.id: user for user in managers()}
    if ticket.assignee is not None:
        people[ticket.assignee.id] = ticket.assignee
    people.pop(actor_id, None)  # whoever did it knows
    return [_person(user) for user in people.values()]


def _data(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    tenant = db.session.get(Tenant, ticket.tenant_id)
    return {
        "studio": tenant.name,
        "ticket": ticket.number,
        "title": ticket.subject,
        "client": ticket.client.name,
        "priority": ticket.priority,
        **extra,
    }


def _staff_link(ticket: Ticket) -> str:
    return site_path("staff.ticket", ticket_id=ticket.id)


@listen("ticket.created")
def tell_new_ticket(_name: str, payload: dict[str, Any]) -> None:
    ticket: Ticket = payload["subject"]
    if ticket.priority in URGENT_PRIORITIES:
        people = _assignee_and_managers(ticket, payload.get("actor_id"))
        notify(people, "ticket_urgent", _data(ticket), _staff_link(ticket), email=True)
    elif ticket.source == Source.PORTAL:
        people = _assignee_and_managers(ticket)
        notify(people, "ticket_from_client", _data(ticket), _staff_link(ticket), email=True)


@listen("ticket.breached")
def tell_breach(_name: str, payload: dict[str, Any]) -> None:
    ticket: Ticket = payload["subject"]
    data = _data(ticket, target=payload["target"])
    notify(_assignee_and_managers(ticket), "ticket_breached", data, _staff_link(ticket), email=True)


@listen("ticket.replied")
def tell_reply(_name: str, payload: dict[str, Any]) -> None:
    ticket: Ticket = payload["subject"]
    message = payload["reply"]
    if message.internal:
        return  # a note stays in the studio
    excerpt = message.body[:EXCERPT]
    if message.from_client:
        people = [_person(ticket.assignee)] if ticket.assignee is not None else _assignee_and_managers(ticket)
        data = _data(ticket, author=message.author_name, excerpt=excerpt)
        notify(people, "ticket_client_replied", data, _staff_link(ticket), email=True)
        return
    tenant = db.session.get(Tenant, ticket.tenant_id)
    link = site_path("portal.ticket", slug=tenant.slug, ticket_id=ticket.id)
    data = _data(ticket, author=message.author_name, excerpt=excerpt)
    notify(client_recipients(ticket.client_id), "ticket_replied", data, link, email=True)


@listen("ticket.status_changed")
def feedback_when_closed(_name: str, payload: dict[str, Any]) -> None:
    """A closed ticket asks the client how it went: the studio's published feedback form (saas.forms), once."""
    if payload["new"] == TicketStatus.CLOSED:
        ask_about_ticket(payload["subject"])


@listen("ticket.assigned")
def tell_assignee(_name: str, payload: dict[str, Any]) -> None:
    ticket: Ticket = payload["subject"]
    if ticket.assignee is None or ticket.assignee_id == payload.get("actor_id"):
        return
    notify([_person(ticket.assignee)], "ticket_assigned", _data(ticket), _staff_link(ticket))
