"""Input schemas of tickets: staff raising one for a client (the form and the API), changing its status, priority,
assignee or category, a reply or an internal note, the client's own ticket and reply in the portal, and the
studio's service desk settings. The category is checked against the studio's list by the services."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from saas.fields.schemas import custom_values
from saas.schemas import N_, FormSchema, blank_to_none, choice, field_messages, optional_text, text
from saas.tickets.models import Priority, Source, TicketStatus

SUBJECT, BODY = 200, 20_000


def _uuid(required: bool = False) -> fields.UUID:
    if required:
        return fields.UUID(required=True, error_messages=field_messages())
    return fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())


class TicketSchema(FormSchema):
    """A ticket staff raise for a client: what the client asked, how it came in, how urgent, who takes it."""

    client_id = _uuid(required=True)
    contact_id = _uuid()
    project_id = _uuid()
    subject = text(SUBJECT)
    description = text(BODY)
    category = optional_text(60)
    priority = choice(tuple(Priority), required=False, load_default=Priority.NORMAL)
    source = choice(tuple(s for s in Source if s != Source.PORTAL), required=False, load_default=Source.STAFF)
    assignee_id = _uuid()
    custom_fields = custom_values()

    @pre_load
    def _blanks(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("contact_id", "project_id", "assignee_id", "category"))


class TicketChangeSchema(FormSchema):
    """What staff change on a ticket (the API's PATCH, the ticket page's controls). The assignee may be emptied."""

    subject = text(SUBJECT, required=False)
    category = text(60, required=False)
    priority = choice(tuple(Priority), required=False)
    status = choice(tuple(TicketStatus), required=False)
    assignee_id = fields.UUID(allow_none=True, error_messages=field_messages())
    custom_fields = custom_values()
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _blanks(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("assignee_id",))


class ReplySchema(FormSchema):
    body = text(BODY)


class PortalTicketSchema(FormSchema):
    """What a client writes when raising a ticket in the portal."""

    subject = text(SUBJECT)
    description = text(BODY)
    category = optional_text(60)

    @pre_load
    def _blanks(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("category",))


HOURS = validate.Range(0.25, 2000, error=N_("Enter a number of hours from 0.25 to 2,000."))


def _hours() -> fields.Float:
    return fields.Float(required=True, validate=HOURS, error_messages=field_messages())


class SettingsSchema(FormSchema):
    """The service desk page: business hours, SLA targets per priority (business hours), categories."""

    work_days = fields.List(
        fields.Integer(validate=validate.Range(0, 6)),
        required=True,
        validate=validate.Length(min=1, error=N_("Choose at least one working day.")),
        error_messages=field_messages(),
    )
    day_start = fields.Time(required=True, error_messages=field_messages(invalid=N_("Enter a time like 09:00.")))
    day_end = fields.Time(required=True, error_messages=field_messages(invalid=N_("Enter a time like 18:00.")))
    categories = fields.List(fields.String(validate=validate.Length(max=60)), load_default=list)
    version = fields.Integer(load_default=None, allow_none=True)
    low_first_response = _hours()
    low_resolution = _hours()
    normal_first_response = _hours()
    normal_resolution = _hours()
    high_first_response = _hours()
    high_resolution = _hours()
    urgent_first_response = _hours()
    urgent_resolution = _hours()

    @validates_schema
    def _hours_make_sense(self, data: dict[str, Any], **_kwargs: object) -> None:
        if data.get("day_start") and data.get("day_end") and data["day_end"] <= data["day_start"]:
            raise ValidationError(N_("The working day ends after it starts."), "day_end")
        for priority in Priority:
            first, resolution = data.get(f"{priority}_first_response"), data.get(f"{priority}_resolution")
            if first is not None and resolution is not None and resolution < first:
                raise ValidationError(
                    N_("Resolution takes at least as long as the first response."), f"{priority}_resolution"
                )


class ApiReplySchema(ReplySchema):
    wait = fields.Boolean(
        load_default=False,
        error_messages=field_messages(),
        metadata={"description": "Put the ticket on the client (status waiting) with this reply."},
    )
