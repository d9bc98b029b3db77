"""Input of the field definitions (the admin pages and the API)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from saas.fields.models import KEY_MAX, Visibility
from saas.fields.types import TYPES
from saas.schemas import N_, FormSchema, MaxLength, Msg, field_messages

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICES_MAX = 100


def validate_key(value: str) -> None:
    if not KEY.match(value) or len(value) > KEY_MAX:
        raise ValidationError(
            Msg(N_("Use lower-case letters, digits and _, starting with a letter, at most %(n)d."), n=KEY_MAX)
        )


class ChoiceSchema(FormSchema):
    key = fields.String(required=True, validate=validate_key, error_messages=field_messages())
    label_en = fields.String(load_default="", validate=MaxLength(80), error_messages=field_messages())
    label_zh = fields.String(load_default="", validate=MaxLength(80), error_messages=field_messages())


def _optional(limit: int) -> fields.String:
    return fields.String(load_default="", validate=MaxLength(limit), error_messages=field_messages())


class DefinitionSchema(FormSchema):
    key = fields.String(load_default=None, allow_none=True, validate=validate_key, error_messages=field_messages())
    label_en = _optional(80)
    label_zh = _optional(80)
    help_en = _optional(300)
    help_zh = _optional(300)
    type = fields.String(
        required=True,
        validate=validate.OneOf(tuple(TYPES), error=N_("Choose one of the options.")),
        error_messages=field_messages(),
    )
    required = fields.Boolean(
        load_default=False,
        truthy={True, "on", "1", "true", "yes"},
        falsy={False, "", "0", "false", "no", "off"},
        error_messages=field_messages(invalid=N_("Use true or false.")),
    )
    default = fields.Raw(load_default=None, allow_none=True)
    choices = fields.List(
        fields.Nested(ChoiceSchema),
        load_default=list,
        validate=validate.Length(max=CHOICES_MAX, error=N_("Too many options.")),
        error_messages=field_messages(),
    )
    visibility = fields.String(
        load_default=Visibility.EVERYONE.value,
        validate=validate.OneOf(tuple(Visibility), error=N_("Choose one of the options.")),
        error_messages=field_messages(),
    )
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def _from_form(self, data: Any, **_kwargs: object) -> Any:
        """A form writes the options one per line, `key | English | 中文`, and leaves blanks for nothing."""
        if not hasattr(data, "get"):
            return data
        data = {k: data.get(k) for k in data}
        if isinstance(data.get("choices"), str):
            data["choices"] = [_choice_line(line) for line in data["choices"].splitlines() if line.strip()]
        for name in ("key", "default"):
            if isinstance(data.get(name), str) and not data[name].strip():
                data[name] = None
        return data

    @validates_schema
    def _labelled(self, data: dict, **_kwargs: object) -> None:
        if not (data.get("label_en", "").strip() or data.get("label_zh", "").strip()):
            raise ValidationError(N_("Give the field a name in English or in Chinese."), "label_en")


def _choice_line(line: str) -> dict[str, str]:
    parts = [p.strip() for p in line.replace("｜", "|").split("|")]
    key = parts[0]
    label_en = parts[1] if len(parts) > 1 else key
    label_zh = parts[2] if len(parts) > 2 else ""
    return {"key": key, "label_en": label_en, "label_zh": label_zh}


def choices_text(choices: list[dict]) -> str:
    """The options as the form shows them, one per line."""
    return "\n".join(f"{c['key']} | {c.get('label_en', '')} | {c.get('label_zh', '')}" for c in choices or ())


class MoveSchema(FormSchema):
    direction = fields.String(
        required=True, validate=validate.OneOf(("up", "down"), error=N_("Choose one of the options."))
    )


CUSTOM_DESCRIPTION = (
    "The studio's own fields, {key: value}: the keys and types are the studio's definitions "
    "(GET /custom-fields lists them for this record type, with their options). On write a key left out is kept, "
    "null clears it; unknown or archived keys, and values the type refuses, answer 422 naming "
    "`custom_fields.<key>`. Reads list every field the token's role sees, null when unset."
)


def custom_values() -> fields.Dict:
    """The `custom_fields` object of a record's input: checked against the definitions by saas.fields.values."""
    return fields.Dict(
        keys=fields.String(),
        load_default=None,
        allow_none=True,
        metadata={"description": CUSTOM_DESCRIPTION},
        error_messages=field_messages(invalid=N_("Send an object of field keys and their values.")),
    )
