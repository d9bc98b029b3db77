"""Input schemas of the clients domain (staff forms; the API will reuse them)."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, pre_load, validate

from saas.clients.models import Channel, ClientKind, ClientStatus, InteractionKind
from saas.fields.schemas import custom_values
from saas.schemas import N_, FormSchema, MaxLength, Msg, blank_to_none, choice, field_messages, optional_text, text

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")
TAG_MAX = 40
TAGS_MAX = 20


def validate_phone(value: str) -> None:
    if not PHONE.match(value):
        raise ValidationError(N_("Enter a phone number with digits, like 138 0013 8000 or +86 21 5555 0000."))


def validate_tags(tags: list[str]) -> None:
    if len(tags) > TAGS_MAX:
        raise ValidationError(Msg(N_("Use at most %(n)d tags."), n=TAGS_MAX))
    if any(len(tag) > TAG_MAX for tag in tags):
        raise ValidationError(Msg(N_("Each tag may have at most %(n)d characters."), n=TAG_MAX))


class ClientSchema(FormSchema):
    OPTIONAL = ("industry", "size", "region", "source", "credit_rating", "payment_terms", "notes", "owner_id")

    name = text(200)
    kind = choice(tuple(ClientKind), required=False, load_default=ClientKind.COMPANY.value)
    status = choice(tuple(ClientStatus), required=False, load_default=ClientStatus.POTENTIAL.value)
    industry = optional_text(80)
    size = optional_text(40)
    region = optional_text(80)
    source = optional_text(80)
    credit_rating = optional_text(10)
    payment_terms = optional_text(120)
    notes = optional_text(5000)
    tags = fields.List(fields.String(), load_default=list, validate=validate_tags, error_messages=field_messages())
    owner_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    custom_fields = custom_values()
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _from_form(self, data: dict, **_kwargs: object) -> dict:
        """HTML forms send tags as one comma-separated field and empty strings for blank fields."""
        data = blank_to_none(data, self.OPTIONAL)
        if isinstance(data.get("tags"), str):
            raw = data["tags"].replace("，", ",")
            data["tags"] = list(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))
        return data


class ContactSchema(FormSchema):
    OPTIONAL = ("title", "phone", "email", "wechat", "preferred_channel", "best_time", "cares_about", "birthday")

    name = text(120)
    title = optional_text(120)
    phone = fields.String(load_default=None, allow_none=True, validate=validate_phone, error_messages=field_messages())
    email = fields.Email(
        load_default=None,
        allow_none=True,
        validate=MaxLength(254),
        error_messages=field_messages(invalid=N_("Enter a valid e-mail address, like name@example.com.")),
    )
    wechat = optional_text(60)
    preferred_channel = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(tuple(Channel), error=N_("Choose one of the options.")),
    )
    best_time = optional_text(80)
    decision_maker = fields.Boolean(
        load_default=False,
        truthy={True, "on", "1", "true", "yes"},
        error_messages=field_messages(invalid=N_("Use true or false.")),
    )
    cares_about = optional_text(300)
    birthday = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 1990-05-20."))
    )
    custom_fields = custom_values()
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def blank_to_none(self, data: dict, **_kwargs: object) -> dict:
        return blank_to_none(data, self.OPTIONAL)


class InteractionSchema(FormSchema):
    OPTIONAL = ("outcome", "next_action", "next_action_due")

    kind = choice(tuple(InteractionKind))
    summary = text(5000)
    outcome = optional_text(300)
    next_action = optional_text(300)
    next_action_due = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-01."))
    )

    @pre_load
    def blank_to_none(self, data: dict, **_kwargs: object) -> dict:
        return blank_to_none(data, self.OPTIONAL)


class TagRenameSchema(FormSchema):
    name = text(TAG_MAX)

    @pre_load
    def _strip(self, data: dict, **_kwargs: object) -> dict:
        data = dict(data)
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].replace(",", " ").replace("，", " ").strip()
        return data


class ShareSchema(FormSchema):
    user_id = fields.UUID(required=True, error_messages=field_messages())
    expires_on = fields.Date(
        load_default=None, allow_none=True, error_messages=field_messages(invalid=N_("Enter a date like 2026-12-31."))
    )

    @pre_load
    def blank_to_none(self, data: dict, **_kwargs: object) -> dict:
        return blank_to_none(data, ("expires_on",))
