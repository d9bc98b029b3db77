"""Input schemas of the tenants domain (forms today; the API reuses them)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, validate, validates_schema

from saas.config import LOCALES
from saas.schemas import N_, FormSchema, choice, email, field_messages, text
from saas.tenants.passwords import password_problems
from saas.tenants.roles import Role

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "app",
        "portal",
        "field",
        "static",
        "www",
        "mail",
        "help",
        "support",
        "login",
        "logout",
        "signup",
        "webhooks",
        "healthz",
        "readyz",
        "brand",
        "join",
        "password",
        "docs",
        "status",
        "atelier",
    }
)
CURRENCIES = ("CNY", "USD", "EUR", "HKD", "TWD", "JPY", "GBP", "SGD", "AUD", "CAD")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def slug_field() -> fields.String:
    return fields.String(
        required=True,
        error_messages=field_messages(),
        validate=[
            validate.Regexp(
                SLUG_PATTERN,
                error=N_(
                    "Use 3–40 lowercase letters, digits or hyphens (a–z, 0–9, -), starting and ending with a letter or "
                    "digit."
                ),
            ),
            validate.NoneOf(RESERVED_SLUGS, error=N_("This address is reserved; choose another.")),
        ],
    )


class SignupSchema(FormSchema):
    studio_name = text(120)
    slug = slug_field()
    name = text(120)
    email = email()
    password = fields.String(required=True, error_messages=field_messages())

    @validates_schema(skip_on_field_errors=False)
    def _strong_password(self, data: dict, **_kwargs: object) -> None:
        """Reported with the other field errors, so the person fixes everything in one go."""
        if "password" in data:
            problems = password_problems(data["password"], data.get("email", ""), data.get("name", ""))
            if problems:
                raise ValidationError(problems, "password")


class LoginSchema(FormSchema):
    email = email()
    password = fields.String(required=True, error_messages=field_messages())


class InviteSchema(FormSchema):
    email = email()
    role = choice(tuple(r.value for r in Role if r != Role.OWNER))


class AcceptInviteSchema(FormSchema):
    name = text(120, required=False)
    password = fields.String(required=True, error_messages=field_messages())


class StudioProfileSchema(FormSchema):
    name = text(120)
    brand_color = fields.String(
        required=True,
        error_messages=field_messages(),
        validate=validate.Regexp(COLOR, error=N_("Use a colour like #2f6f5e.")),
    )
    currency = choice(CURRENCIES)
    timezone = fields.String(
        required=True,
        error_messages=field_messages(),
        validate=validate.OneOf(sorted(available_timezones()), error=N_("Choose a time zone from the list.")),
    )
    locale = choice(LOCALES)
    embed_origins = fields.String(load_default="")
    version = fields.Integer(required=True, error_messages=field_messages())

    @validates_schema(skip_on_field_errors=False)
    def _origins(self, data: dict, **_kwargs: object) -> None:
        data["embed_origins"] = embed_origins(data.get("embed_origins") or "")


# An origin a browser's frame-ancestors understands: a scheme, a host (a leading *. for its subdomains), a port.
ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?")
MAX_ORIGINS = 20


def embed_origins(raw: str) -> str:
    """The sites that may frame the studio's public forms, as CSP wants them: origins, space-separated, each once,
    lower-cased, no path. Separated by spaces, commas or lines when typed."""
    found: list[str] = []
    for item in re.split(r"[\s,，]+", raw.strip()):
        origin = item.lower().rstrip("/")
        if not origin:
            continue
        if len(origin) > 200 or not ORIGIN.fullmatch(origin):
            raise ValidationError(
                [N_("Enter web addresses like https://www.example.com (no path), separated by spaces.")],
                "embed_origins",
            )
        if origin not in found:
            found.append(origin)
    if len(found) > MAX_ORIGINS:
        raise ValidationError([N_("Name at most 20 sites.")], "embed_origins")
    return " ".join(found)


class RoleChangeSchema(FormSchema):
    role = choice(tuple(r.value for r in Role))
    version = fields.Integer(required=True, error_messages=field_messages())


class AccountSchema(FormSchema):
    name = text(120)
    locale = choice(LOCALES)


class PasswordChangeSchema(FormSchema):
    current_password = fields.String(required=True, error_messages=field_messages())
    password = fields.String(required=True, error_messages=field_messages())


class ResetRequestSchema(FormSchema):
    email = email()


class ResetSchema(FormSchema):
    password = fields.String(required=True, error_messages=field_messages())
