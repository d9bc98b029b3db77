"""Input schemas of visits: the office's scheduling form (a day and times in the studio's time zone), the API's
(aware date-times), and the changes a device queues offline (strict: a field the server does not know is refused,
never dropped)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from saas.clients.models import InteractionKind
from saas.schemas import (
    N_,
    FormSchema,
    blank_to_none,
    choice,
    field_messages,
    optional_text,
    text,
)
from saas.visits.models import PositionProblem

LAT = validate.Range(-90, 90, error=N_("A latitude is between -90 and 90."))
LNG = validate.Range(-180, 180, error=N_("A longitude is between -180 and 180."))


def _uuid(required: bool = False) -> fields.UUID:
    if required:
        return fields.UUID(required=True, error_messages=field_messages())
    return fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())


def _coordinate(bound: validate.Validator) -> fields.Float:
    return fields.Float(load_default=None, allow_none=True, validate=bound, error_messages=field_messages())


def _moment(required: bool = True) -> fields.AwareDateTime:
    message = N_("Enter a date and time with its offset, like 2026-12-07T09:30:00+08:00.")
    if required:
        return fields.AwareDateTime(required=True, error_messages=field_messages(invalid=message))
    return fields.AwareDateTime(load_default=None, allow_none=True, error_messages=field_messages(invalid=message))


class _EndsAfterStart:
    @validates_schema
    def _ends_after_start(self, data: dict[str, Any], **_kwargs: object) -> None:
        start, end = data.get(self.START), data.get(self.END)  # type: ignore[attr-defined]
        if start is not None and end is not None and end <= start:
            raise ValidationError(N_("The visit ends after it starts."), self.END)  # type: ignore[attr-defined]


class VisitFormSchema(_EndsAfterStart, FormSchema):
    """The office's form: a day and two times, read in the studio's time zone by the view."""

    START, END = "start_time", "end_time"
    client_id = _uuid(required=True)
    contact_id = _uuid()
    project_id = _uuid()
    assignee_id = _uuid(required=True)
    day = fields.Date(required=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-07.")))
    start_time = fields.Time(required=True, error_messages=field_messages(invalid=N_("Enter a time like 09:30.")))
    end_time = fields.Time(required=True, error_messages=field_messages(invalid=N_("Enter a time like 11:00.")))
    site_address = text(300)
    site_lat = _coordinate(LAT)
    site_lng = _coordinate(LNG)
    purpose = text(300)
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _blanks(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("contact_id", "project_id", "site_lat", "site_lng"))


class VisitApiSchema(_EndsAfterStart, FormSchema):
    START, END = "scheduled_start", "scheduled_end"
    client_id = _uuid(required=True)
    contact_id = _uuid()
    project_id = _uuid()
    assignee_id = _uuid(required=True)
    scheduled_start = _moment()
    scheduled_end = _moment()
    site_address = text(300)
    site_lat = _coordinate(LAT)
    site_lng = _coordinate(LNG)
    purpose = text(300)
    version = fields.Integer(load_default=None, allow_none=True)


class CancelSchema(FormSchema):
    reason = text(300)


# What a device sends (saas/visits/sync.py): a batch of changes, each with the id the device minted for it.

CHANGE_KINDS = (
    "visit.create",
    "visit.check_in",
    "visit.check_out",
    "visit.update",
    "visit.sign",
    "interaction.log",
    "client.create",
)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ChangeSchema(Strict):
    id = _uuid(required=True)
    kind = choice(CHANGE_KINDS)
    visit_id = _uuid()
    at = _moment(required=False)  # when the worker did it, by the phone's clock
    data = fields.Dict(keys=fields.String(), load_default=dict, error_messages=field_messages())


class BatchSchema(Strict):
    device = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    changes = fields.List(
        fields.Dict(), required=True, validate=validate.Length(max=200, error=N_("Send at most 200 changes at a time."))
    )


class PositionSchema(Strict):
    lat = fields.Float(required=True, validate=LAT, error_messages=field_messages())
    lng = fields.Float(required=True, validate=LNG, error_messages=field_messages())
    accuracy = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 100_000, error=N_("An accuracy is 0 to 100,000 metres.")),
        error_messages=field_messages(),
    )


class CheckSchema(Strict):
    """A check-in or check-out: the position, or why there is none."""

    position = fields.Nested(PositionSchema, load_default=None, allow_none=True)
    position_problem = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(tuple(PositionProblem), error=N_("Choose one of the options.")),
    )

    @validates_schema
    def _position_or_why_not(self, data: dict[str, Any], **_kwargs: object) -> None:
        if (data.get("position") is None) == (data.get("position_problem") is None):
            raise ValidationError(N_("Send the position, or why there is none."), "position")


class RecordFields(Strict):
    """What the worker writes on a visit; a change carries the fields it changed and what they were before on
    the device (`base`), so the server can tell one-sided changes (merged) from two-sided ones (conflicts)."""

    notes = optional_text(20_000)
    outcome = optional_text(300)
    next_action = optional_text(300)
    next_action_due = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-31."))
    )


class UpdateSchema(Strict):
    changed = fields.Dict(keys=fields.String(), required=True, data_key="fields", error_messages=field_messages())
    base = fields.Dict(keys=fields.String(), load_default=dict, error_messages=field_messages())


class SignatureSchema(Strict):
    png = fields.String(required=True, validate=validate.Length(max=700_000), error_messages=field_messages())
    signed_by = optional_text(120)


class NewVisitSchema(_EndsAfterStart, Strict):
    START, END = "scheduled_start", "scheduled_end"
    id = _uuid(required=True)
    client_id = _uuid(required=True)
    contact_id = _uuid()
    project_id = _uuid()
    scheduled_start = _moment()
    scheduled_end = _moment()
    site_address = text(300)
    purpose = text(300)


class FollowUpSchema(Strict):
    client_id = _uuid(required=True)
    kind = choice(tuple(InteractionKind))
    summary = text(5000)
    outcome = optional_text(300)
    next_action = optional_text(300)
    next_action_due = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-31."))
    )


class LeadContactSchema(Strict):
    name = text(120)
    phone = optional_text(40)
    email = fields.Email(load_default=None, allow_none=True, error_messages=field_messages())
    wechat = optional_text(60)


class LeadSchema(Strict):
    """A new client met on site: a lead (status potential, source field), owned by whoever met it."""

    id = _uuid(required=True)
    name = text(200)
    kind = choice(("company", "person"), required=False, load_default="company")
    region = optional_text(80)
    industry = optional_text(80)
    notes = optional_text(5000)
    contact = fields.Nested(LeadContactSchema, load_default=None, allow_none=True)
