"""Proofing input, from forms and JSON alike: parsed here, judged by the services (which give the messages a
person needs: a pin off the page, a comment too long, a decision with no choice)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import fields, pre_load, validate

from saas.errors import ValidationFailed
from saas.proofing.services import Decision, Pin, Submission
from saas.schemas import N_, FormSchema, blank_to_none, field_messages, load, optional_text


class SubmitSchema(FormSchema):
    reviewers = fields.List(fields.UUID(error_messages=field_messages()), load_default=list)
    message = optional_text(5000)
    due_on = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-31."))
    )

    @pre_load
    def _from_form(self, data: Any, **_kwargs: object) -> dict:
        reviewers = data.getlist("reviewers") if hasattr(data, "getlist") else data.get("reviewers", [])
        return {**blank_to_none(data, ("due_on", "message")), "reviewers": [r for r in reviewers if r]}


def _number(kind: type, **kwargs: Any) -> fields.Field:
    if kind is fields.Integer:
        kwargs["strict"] = False
    return kind(load_default=None, allow_none=True, error_messages=field_messages(), **kwargs)


class CommentSchema(FormSchema):
    body = fields.String(load_default="")  # judged by the service, with a message about its length
    parent_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    file_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    page = _number(fields.Integer)
    x = _number(fields.Float, allow_nan=False)
    y = _number(fields.Float, allow_nan=False)

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("parent_id", "file_id", "page", "x", "y"))


class DecisionSchema(FormSchema):
    choice = fields.String(load_default=None, allow_none=True)
    rating = _number(fields.Integer, validate=validate.Range(1, 5, error=N_("Rate from 1 to 5 stars.")))
    note = fields.String(load_default=None, allow_none=True)

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("choice", "rating", "note"))


def submission(data: Any) -> Submission:
    loaded = load(SubmitSchema(), data)
    return Submission(loaded["reviewers"], loaded["message"], loaded["due_on"])


def comment(data: Any) -> tuple[str, Pin | None, Any]:
    """The body, the pin (when a spot was given) and the comment replied to."""
    loaded = load(CommentSchema(), data)
    spot = (loaded["file_id"], loaded["x"], loaded["y"])
    if any(v is not None for v in spot):
        if None in spot:
            raise ValidationFailed({"pin": [_("Pin the comment on the page itself.")]})
        pin = Pin(loaded["file_id"], loaded["page"] or 1, loaded["x"], loaded["y"])
    else:
        pin = None
    return loaded["body"], pin, loaded["parent_id"]


def decision(data: Any) -> Decision:
    loaded = load(DecisionSchema(), data)
    return Decision(loaded["choice"], loaded["rating"], loaded["note"])
