"""Input schemas of the projects domain (staff forms; the API reuses them with unknown fields refused)."""

from __future__ import annotations

from marshmallow import RAISE, ValidationError, fields, pre_load, validate, validates_schema

from saas.fields.schemas import custom_values
from saas.projects.models import BRIEF_FIELDS, TaskStatus
from saas.schemas import (
    N_,
    CurrencySchema,
    FormSchema,
    Money,
    blank_to_none,
    choice,
    field_messages,
    optional_text,
    text,
)

CHECKLIST_MAX = 50


def _date(example: str) -> fields.Date:
    return fields.Date(load_default=None, allow_none=True, error_messages=field_messages(invalid=N_(example)))


class BriefSchema(FormSchema):
    """Seed 000's 项目需求沟通表."""

    background = optional_text(2000)
    goals = optional_text(2000)
    audience = optional_text(1000)
    style = optional_text(1000)
    competitors = optional_text(1000)
    budget_note = optional_text(500)
    timeline_note = optional_text(500)


class ProjectSchema(CurrencySchema):
    OPTIONAL = ("type", "owner_id", "budget", "value", "probability", "start_on", "due_on", "client_id", "stage_id")

    name = text(200)
    client_id = fields.UUID(required=True, error_messages=field_messages())
    stage_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    type = optional_text(60)
    owner_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    team = fields.List(fields.UUID(error_messages=field_messages()), load_default=list, error_messages=field_messages())
    budget = Money(load_default=None, allow_none=True, data_key="budget", attribute="budget_minor")
    value = Money(load_default=None, allow_none=True, data_key="value", attribute="value_minor")
    probability = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=False,
        validate=validate.Range(0, 100, error=N_("Enter a percentage from 0 to 100.")),
        error_messages=field_messages(invalid=N_("Enter a percentage from 0 to 100.")),
    )
    start_on = _date("Enter a date like 2026-12-01.")
    due_on = _date("Enter a date like 2026-12-31.")
    brief = fields.Nested(BriefSchema, load_default=dict)
    custom_fields = custom_values()
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _from_form(self, data: dict, **_kwargs: object) -> dict:
        """Forms send the brief as brief_<field>, the team as repeated values, blanks as empty strings."""
        if hasattr(data, "getlist"):
            team = data.getlist("team")
            flat = {k: v for k, v in data.items() if k != "team"}
            flat["team"] = [t for t in team if t]
            if any(f"brief_{name}" in flat for name in BRIEF_FIELDS):
                flat["brief"] = {name: flat.pop(f"brief_{name}", None) or None for name in BRIEF_FIELDS}
            data = flat
        return blank_to_none(data, self.OPTIONAL)

    @validates_schema
    def _dates_in_order(self, data: dict, **_kwargs: object) -> None:
        start, due = data.get("start_on"), data.get("due_on")
        if start and due and due < start:
            raise ValidationError(N_("The due date comes after the start date."), "due_on")


def _minor(name: str) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        data_key=name,
        attribute=name,
        validate=validate.Range(0, 10**15, error=N_("Enter an amount of zero or more.")),
        error_messages=field_messages(invalid=N_("Send an integer amount in minor units (fen, cents).")),
    )


class ProjectApiSchema(ProjectSchema):
    """The API speaks integer minor units, like its output (budget_minor, value_minor)."""

    budget = _minor("budget_minor")
    value = _minor("value_minor")
    brief = fields.Nested(BriefSchema(unknown=RAISE), load_default=dict)


class MoveSchema(FormSchema):
    stage_id = fields.UUID(required=True, error_messages=field_messages())
    version = fields.Integer(load_default=None, allow_none=True)


class ChecklistItem(FormSchema):
    text = text(200)
    done = fields.Boolean(load_default=False)


def _checklist_field(item: ChecklistItem | type[ChecklistItem]) -> fields.List:
    return fields.List(
        fields.Nested(item),
        load_default=list,
        validate=validate.Length(max=CHECKLIST_MAX, error=N_("Use at most 50 checklist items.")),
    )


class TaskSchema(FormSchema):
    OPTIONAL = ("notes", "assignee_id", "due_on", "project_id", "client_id")

    title = text(200)
    notes = optional_text(5000)
    client_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    project_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    assignee_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    due_on = _date("Enter a date like 2026-12-31.")
    status = choice(tuple(TaskStatus), required=False, load_default=TaskStatus.OPEN.value)
    checklist = _checklist_field(ChecklistItem)
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _from_form(self, data: dict, **_kwargs: object) -> dict:
        """Forms send the checklist as one item per line."""
        data = blank_to_none(data, self.OPTIONAL)
        if isinstance(data.get("checklist"), str):
            lines = [line.strip() for line in data["checklist"].splitlines() if line.strip()]
            data["checklist"] = [{"text": line} for line in lines]
        return data


class TaskApiSchema(TaskSchema):
    """Unknown fields are refused inside checklist items too."""

    checklist = _checklist_field(ChecklistItem(unknown=RAISE))


class StageSchema(FormSchema):
    name = text(60)
