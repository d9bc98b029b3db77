"""/api/v1 for service tickets: list and filter, raise one for a client, read, change (status, priority, assignee,
category, subject) with If-Match, the thread, a reply the client sees, an internal note. Attachments are sent from
the workspace and the portal, not here (files are not in the API)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from saas.api.http import api, check_version, principal
from saas.api.operations import Body
from saas.api.schemas import custom_out, refuse_problems
from saas.days import DayRange
from saas.schemas import field_messages
from saas.tenants.roles import Perm
from saas.tickets import queries, services
from saas.tickets.access import get_ticket
from saas.tickets.models import Priority, Source, Ticket, TicketReply, TicketStatus
from saas.tickets.schemas import ApiReplySchema, ReplySchema, TicketChangeSchema, TicketSchema

OF_TICKET = {"resolves": {"ticket": get_ticket}, "perm": Perm.TICKETS}


class TicketOut(Schema):
    id = fields.UUID()
    number = fields.String(metadata={"description": "Per studio: T-0001, T-0002…"})
    client_id = fields.UUID()
    contact_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    subject = fields.String()
    description = fields.String()
    category = fields.String()
    priority = fields.String(metadata={"enum": list(Priority)})
    status = fields.String(metadata={"enum": list(TicketStatus)})
    source = fields.String(metadata={"enum": list(Source)})
    assignee_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    first_response_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    first_response_due_at = fields.DateTime(allow_none=True, metadata={"description": "In business hours."})
    resolution_due_at = fields.DateTime(allow_none=True, metadata={"description": "In business hours."})
    waiting_since = fields.DateTime(
        allow_none=True, metadata={"description": "Waiting on the client since: the resolution clock is stopped."}
    )
    sla_paused_hours = fields.Float(
        metadata={"description": "Business hours spent waiting on the client (resolution_due_at moved by them)."}
    )
    overdue = fields.Function(lambda t: queries.is_overdue(t), metadata={"type": "boolean"})
    custom_fields = custom_out("ticket")
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class TicketReplyOut(Schema):
    id = fields.UUID()
    ticket_id = fields.UUID()
    body = fields.String()
    internal = fields.Boolean(metadata={"description": "An internal note: never shown to the client."})
    author_id = fields.UUID(allow_none=True)
    portal_user_id = fields.UUID(allow_none=True, metadata={"description": "Set when the client wrote it."})
    author_name = fields.String()
    created_at = fields.DateTime()


class TicketListQuery(Schema):
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(("active", "all", *TicketStatus)),
        metadata={"description": "active (new, open, waiting: the default), all, or one status."},
    )
    priority = fields.String(load_default=None, validate=validate.OneOf(tuple(Priority)))
    assignee = fields.UUID(load_default=None, error_messages=field_messages())
    category = fields.String(load_default=None, validate=validate.Length(max=60))
    mine = fields.Boolean(load_default=False, metadata={"description": "Only the token person's tickets."})
    client_id = fields.UUID(load_default=None, error_messages=field_messages())
    source = fields.String(
        load_default=None, validate=validate.OneOf(tuple(Source)), metadata={"description": "How it came in."}
    )
    owner = fields.String(
        load_default="",
        validate=validate.Regexp(r"^(me|[0-9a-fA-F-]{32,36})?$", error="A user id, or `me`."),
        metadata={"description": "The client's owner: a user id, or `me`."},
    )
    client_source = fields.String(
        load_default="", validate=validate.Length(max=80), metadata={"description": "The client's source channel."}
    )
    created_from = fields.Date(load_default=None, metadata={"description": "Raised on or after this day (studio)."})
    created_to = fields.Date(load_default=None, metadata={"description": "Raised on or before this day (studio)."})
    resolved_from = fields.Date(load_default=None, metadata={"description": "Resolved on or after this day (studio)."})
    resolved_to = fields.Date(load_default=None, metadata={"description": "Resolved on or before this day (studio)."})


TICKET_IN = Body(TicketSchema, "TicketInput")
TICKET_PATCH = Body(TicketChangeSchema, "TicketPatch", partial=True)
REPLY_IN = Body(ApiReplySchema, "TicketReplyInput")
NOTE_IN = Body(ReplySchema, "TicketNoteInput")


@api.get(
    "/tickets",
    summary="Tickets the token sees, overdue first (200 at most)",
    perm=Perm.TICKETS,
    query=TicketListQuery,
    response=TicketOut,
    many=True,
)
def tickets(query: dict[str, Any]) -> list[Ticket]:
    created, problems = DayRange.read("created", query)
    resolved, resolved_problems = DayRange.read("resolved", query)
    refuse_problems(tuple({**problems, **resolved_problems}.items()))
    ranges = ("created_from", "created_to", "resolved_from", "resolved_to")
    chosen = {k: v for k, v in query.items() if k not in ranges}
    return queries.ticket_list(principal(), queries.TicketFilters(**chosen, created=created, resolved=resolved))


@api.post(
    "/tickets",
    summary="Raise a ticket for a client (SLA due times follow its priority)",
    perm=Perm.TICKETS,
    body=TICKET_IN,
    response=TicketOut,
    status=201,
    location="api.ticket",
)
def create_ticket(body: dict[str, Any]) -> Ticket:
    return services.create_ticket(principal(), body)


@api.get("/tickets/<ticket_id>", summary="Read a ticket with its SLA times", **OF_TICKET, response=TicketOut)
def ticket(ticket: Ticket) -> Ticket:
    return ticket


@api.patch(
    "/tickets/<ticket_id>",
    summary="Change a ticket's status, priority, assignee, category or subject",
    **OF_TICKET,
    body=TICKET_PATCH,
    response=TicketOut,
    if_match="required",
)
def update_ticket(ticket: Ticket, body: dict[str, Any]) -> Ticket:
    check_version(ticket.version)
    services.change_ticket(principal(), ticket, {**body, "version": ticket.version})
    return ticket


@api.get(
    "/tickets/<ticket_id>/replies",
    summary="A ticket's thread: replies and internal notes, oldest first",
    **OF_TICKET,
    response=TicketReplyOut,
    many=True,
)
def replies(ticket: Ticket) -> list[TicketReply]:
    return queries.thread(ticket, with_notes=True)


@api.post(
    "/tickets/<ticket_id>/replies",
    summary="Reply to the client (the first reply is the ticket's first response)",
    **OF_TICKET,
    body=REPLY_IN,
    response=TicketReplyOut,
    status=201,
)
def reply(ticket: Ticket, body: dict[str, Any]) -> TicketReply:
    return services.reply(principal(), ticket, body["body"], wait=body["wait"])


@api.post(
    "/tickets/<ticket_id>/notes",
    summary="Add an internal note (never shown to the client)",
    **OF_TICKET,
    body=NOTE_IN,
    response=TicketReplyOut,
    status=201,
)
def note(ticket: Ticket, body: dict[str, Any]) -> TicketReply:
    return services.reply(principal(), ticket, body["body"], internal=True)
