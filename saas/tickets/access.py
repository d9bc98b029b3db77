"""Who sees which ticket. Staff with the tickets permission (owners, admins, managers, members, field staff) see
the tickets of the clients they may see (saas/clients/access.py: managers and above all, members their own and
shared ones, field staff also the clients of their visits). Finance does not: a ticket's thread is the
relationship side of a client, like its follow-ups. A portal user sees their own client's tickets, and only the
public replies. Anything else — another studio's ticket, another client's — reads as missing (404).

Attachments are StoredFile rows held by a ticket (what it was raised with) or by one of its replies; both owner
kinds are registered in listeners.py and follow the ticket's visibility."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, select
from werkzeug.exceptions import NotFound

from saas.clients.access import client_id_visible_to
from saas.extensions import db
from saas.files.kinds import Kind
from saas.files.models import StoredFile
from saas.files.owners import Placement
from saas.ids import parse_uuid
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm, require
from saas.tickets.models import Ticket, TicketReply


def sees_tickets(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.TICKETS)


def tickets_visible_to(membership: Membership) -> ColumnElement[bool]:
    """A WHERE clause on Ticket."""
    if not sees_tickets(membership):
        return false()
    return client_id_visible_to(membership, Ticket.client_id)


def get_ticket(membership: Membership, ticket_id: str | uuid.UUID) -> Ticket:
    query = select(Ticket).where(Ticket.id == parse_uuid(ticket_id), tickets_visible_to(membership))
    found = db.session.scalar(query)
    if found is None:
        raise NotFound()
    return found


def portal_ticket(portal_user, ticket_id: str | uuid.UUID) -> Ticket:
    """A ticket of this portal user's client; anything else (another client's, another studio's) is a 404."""
    query = select(Ticket).where(Ticket.id == parse_uuid(ticket_id), Ticket.client_id == portal_user.client_id)
    found = db.session.scalar(query)
    if found is None:
        raise NotFound()
    return found


def portal_attachment(ticket: Ticket, file_id: str) -> StoredFile:
    """A file the client may open: one the ticket was raised with, or one of a public reply; never an internal
    note's."""
    stored = db.session.get(StoredFile, parse_uuid(file_id))
    if stored is None or stored.status != "ready":
        raise NotFound()
    if stored.held_by("ticket", ticket.id):
        return stored
    if stored.owner_kind == "ticket_reply":
        reply = db.session.get(TicketReply, stored.owner_id)
        if reply is not None and reply.ticket_id == ticket.id and not reply.internal:
            return stored
    raise NotFound()


class TicketFiles:
    """What a ticket was raised with: attached by whoever may work on it, seen by whoever sees it."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        require(actor, Perm.TICKETS)
        ticket = get_ticket(actor, owner_id or "")
        return Placement("ticket", ticket.id, client_id=ticket.client_id, project_id=None)

    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        query = select(Ticket.id).where(Ticket.id == stored.owner_id, tickets_visible_to(actor))
        return db.session.scalar(query) is not None

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return self.may_open(actor, stored) and sees_tickets(actor)


class ReplyFiles:
    """What a reply or an internal note carries: seen by whoever sees its ticket (the portal asks
    `portal_attachment`, which refuses notes)."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        require(actor, Perm.TICKETS)
        reply = db.session.get(TicketReply, parse_uuid(owner_id or ""))
        if reply is None:
            raise NotFound()
        ticket = get_ticket(actor, reply.ticket_id)
        return Placement("ticket_reply", reply.id, client_id=ticket.client_id, project_id=None)

    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        query = (
            select(TicketReply.id)
            .join(Ticket, Ticket.id == TicketReply.ticket_id)
            .where(TicketReply.id == stored.owner_id, tickets_visible_to(actor))
        )
        return db.session.scalar(query) is not None

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return self.may_open(actor, stored) and sees_tickets(actor)
