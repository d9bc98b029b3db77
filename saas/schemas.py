"""Shared marshmallow building blocks: messages, common fields, one way to turn errors into
`{field: [messages]}` for forms and JSON alike.

marshmallow wants plain strings for its messages, and schemas are built at import time, before any locale is
known. So messages are English msgids (marked with N_ for extraction), optionally carrying parameters, and
are translated when the errors are handed out, in the caller's language.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from saas.errors import ValidationFailed


def N_(msgid: str) -> str:
    """Marks a message for extraction; it is translated when shown."""
    return msgid


class Msg(str):
    """A msgid with its parameters, translated late."""

    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Msg:
        obj = super().__new__(cls, msgid)
        obj.params = params
        return obj


def translate(message: Any) -> str:
    return gettext(str(message), **getattr(message, "params", {}))


REQUIRED = N_("This field is required.")
# Characters no field may hold: C0/C1 controls but tab, line feed and carriage return; lone surrogates; the
# non-characters; U+FFFD, what broken UTF-8 decodes to. PostgreSQL refuses NUL and cannot encode a surrogate.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ufffe\uffff]")


def field_messages(**extra: str) -> dict[str, str]:
    return {"required": REQUIRED, "null": REQUIRED, "invalid": N_("Not a valid value."), **extra}


class MaxLength(validate.Validator):
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: str) -> str:
        if len(value) > self.limit:
            raise ValidationError(Msg(N_("Use at most %(n)d characters."), n=self.limit))
        return value


class NotBlank(validate.Validator):
    def __call__(self, value: str) -> str:
        if not value.strip():
            raise ValidationError(REQUIRED)
        return value


def text(max_length: int, required: bool = True, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required, validate=[NotBlank(), MaxLength(max_length)], error_messages=field_messages(), **kwargs
    )


def optional_text(max_length: int) -> fields.String:
    """Free text that may be left out (None), up to `max_length` characters."""
    return fields.String(
        load_default=None, allow_none=True, validate=MaxLength(max_length), error_messages=field_messages()
    )


def email(required: bool = True) -> fields.Email:
    return fields.Email(
        required=required,
        validate=MaxLength(254),
        error_messages=field_messages(invalid=N_("Enter a valid e-mail address, like name@example.com.")),
    )


def choice(options: tuple[str, ...], required: bool = True, **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.OneOf(options, error=N_("Choose one of the options.")),
        error_messages=field_messages(),
        **kwargs,
    )


class FormSchema(Schema):
    """HTML forms carry extra fields (the CSRF token, buttons): ignore what the schema does not name."""

    class Meta:
        unknown = EXCLUDE


def blank_to_none(data: dict, names: tuple[str, ...]) -> dict:
    """Form fields left empty (or only spaces) count as not given: None, so optional fields validate as absent."""
    data = dict(data)
    for name in names:
        if isinstance(data.get(name), str) and not data[name].strip():
            data[name] = None
    return data


def text_problems(data: Any, name: str = "") -> dict[str, list[str]]:
    """{field: [message]} for every string in `data` (at any depth of dicts and lists) carrying a character that
    cannot be stored; empty when all is well."""
    if isinstance(data, str):
        return {name or "_schema": [_unstorable()]} if FORBIDDEN.search(data) else {}
    found: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            field = f"{name}.{key}" if name else str(key)
            if isinstance(key, str) and FORBIDDEN.search(key):
                found[name or "_schema"] = [_unstorable()]
            found.update(text_problems(value, field))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(text_problems(value, f"{name}.{index}" if name else str(index)))
    return found


def _unstorable() -> str:
    return gettext("This contains characters that cannot be saved (control characters or broken text). Remove them.")


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    items = messages if isinstance(messages, list) else [messages]
    return {prefix or "_schema": [translate(m) for m in items]}


def load(schema: Schema, data: Any) -> dict[str, Any]:
    """Validated data, or ValidationFailed with every problem found, in the caller's language. Text that
    cannot be stored is refused here for every caller (requests are also checked at the door: web/inputs.py)."""
    if problems := text_problems(data):
        raise ValidationFailed(problems)
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(_flatten(exc.messages)) from exc


class Money(fields.Field):
    """An amount typed by a person ("12,800.50") or sent as a JSON number or string, loaded as integer minor
    units of the currency the schema was built for (`schema.currency`)."""

    default_error_messages = {
        "invalid": N_("Enter an amount like 12800 or 12,800.50."),
        "negative": N_("Enter an amount of zero or more."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", field_messages(invalid=self.default_error_messages["invalid"]))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        from saas.money import BadAmount, parse_amount

        try:
            minor = parse_amount(value, getattr(self.parent, "currency", "CNY"))
        except BadAmount as exc:
            raise self.make_error("invalid") from exc
        if minor < 0:
            raise self.make_error("negative")
        return minor

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class CurrencySchema(FormSchema):
    """A schema whose Money fields read amounts in one currency (the studio's)."""

    def __init__(self, *args: Any, currency: str = "CNY", **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(*args, **kwargs)
