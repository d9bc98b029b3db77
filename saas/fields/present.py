"""Custom fields on pages: what a form shows and reads back, what a record's page shows, in the reader's
language and the studio's currency and time zone. No request objects: the caller passes the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from saas.extensions import db
from saas.fields import values
from saas.fields.models import FieldDefinition
from saas.fields.types import TYPES
from saas.files.models import FileStatus, StoredFile
from saas.money import format_money, plain_amount
from saas.tenants.models import Membership, Tenant, User

PREFIX = "custom_fields."


@dataclass
class Shown:
    """One field as a page shows it."""

    definition: FieldDefinition
    name: str  # the input's name, and its errors' key: custom_fields.<key>
    label: str
    help: str
    widget: str
    required: bool
    choices: list[tuple[str, str]]  # (key, label)
    value: Any  # for a form: a string, or a list of keys (checkboxes)
    display: str = ""  # for a record's page
    link: str | None = None  # a mailto:, tel:, web address, or the file's page
    options: list[tuple[str, str]] = field(default_factory=list)  # members, files: (id, name)


def _tenant(definition: FieldDefinition) -> Tenant | None:
    return db.session.get(Tenant, definition.tenant_id)


def form_value(definition: FieldDefinition, stored: Any) -> Any:
    """A stored value as its input holds it."""
    if stored is None:
        return [] if TYPES[definition.type].stored == "choices" else ""
    kind = TYPES[definition.type].stored
    tenant = _tenant(definition)
    if kind == "money":
        return plain_amount(stored, tenant.currency if tenant else "CNY")
    if kind == "datetime":
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00"))
        return moment.astimezone(ZoneInfo(tenant.timezone if tenant else "UTC")).strftime("%Y-%m-%dT%H:%M")
    if kind == "boolean":
        return "yes" if stored else "no"
    if kind == "address":
        return stored.get("text") or ""
    if kind == "choices":
        return list(stored)
    return str(stored)


def from_form(definitions: list[FieldDefinition], form: Any) -> dict[str, Any]:
    """{key: what was typed} for each field the form showed (checkboxes as lists; nothing ticked clears)."""
    sent: dict[str, Any] = {}
    for definition in definitions:
        name = PREFIX + definition.key
        if TYPES[definition.type].widget == "checkboxes":
            sent[definition.key] = [v for v in form.getlist(name) if v] if hasattr(form, "getlist") else form.get(name)
        else:
            sent[definition.key] = form.get(name, "")
    return sent


def stored_form(definitions: list[FieldDefinition], stored: dict[str, Any] | None) -> dict[str, Any]:
    """A record's values as a form's `form` dict ({custom_fields.<key>: input value})."""
    stored = stored or {}
    return {PREFIX + d.key: form_value(d, stored.get(d.key)) for d in definitions}


def defaults_form(definitions: list[FieldDefinition]) -> dict[str, Any]:
    return {PREFIX + d.key: form_value(d, d.default) for d in definitions if d.default is not None}


def _sent(form: Any, name: str, widget: str) -> Any:
    if widget == "checkboxes":
        return form.getlist(name) if hasattr(form, "getlist") else (form.get(name) or [])
    return form.get(name, "")


def for_form(definitions: list[FieldDefinition], form: Any, language: str) -> list[Shown]:
    """The inputs of a form, filled from `form` (what was sent, or stored_form / defaults_form)."""
    people = files = None
    shown = []
    for d in definitions:
        kind = TYPES[d.type]
        item = _shown(d, language, _sent(form, PREFIX + d.key, kind.widget))
        if kind.needs == "member":
            people = people if people is not None else _people()
            item.options = people
        if kind.needs == "file":
            files = files if files is not None else _files()
            item.options = files
        shown.append(item)
    return shown


def _shown(d: FieldDefinition, language: str, value: Any) -> Shown:
    return Shown(
        definition=d,
        name=PREFIX + d.key,
        label=d.label(language),
        help=d.help(language),
        widget=TYPES[d.type].widget,
        required=d.required,
        choices=[(c.key, c.label(language)) for c in values.choices_of(d)],
        value=value,
    )


def _people() -> list[tuple[str, str]]:
    query = select(User.id, User.name).join(Membership, Membership.user_id == User.id)
    rows = db.session.execute(query.where(Membership.active.is_(True)).order_by(User.name))
    return [(str(uid), name) for uid, name in rows]


def _files(limit: int = 100) -> list[tuple[str, str]]:
    query = select(StoredFile.id, StoredFile.name).where(StoredFile.status == FileStatus.READY)
    rows = db.session.execute(query.order_by(StoredFile.created_at.desc()).limit(limit))
    return [(str(fid), name) for fid, name in rows]


def for_record(
    definitions: list[FieldDefinition], stored: dict[str, Any] | None, language: str, file_url: Any = None
) -> list[Shown]:
    """The fields that hold a value, formatted to read: money as money, dates the reader's way, choices by
    label, yes / no, links for e-mail, phone, web addresses and files."""
    stored = stored or {}
    shown = []
    for d in definitions:
        value = stored.get(d.key)
        if value is None:
            continue
        item = _shown(d, language, value)
        item.display, item.link = display(d, value, language, file_url)
        shown.append(item)
    return shown


def display(d: FieldDefinition, value: Any, language: str, file_url: Any = None) -> tuple[str, str | None]:
    kind = TYPES[d.type]
    tenant = _tenant(d)
    if kind.stored == "money":
        return format_money(value, tenant.currency if tenant else "CNY", language), None
    if kind.stored == "date":
        return format_date(date.fromisoformat(value), "medium"), None
    if kind.stored == "datetime":
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        local = moment.astimezone(ZoneInfo(tenant.timezone if tenant else "UTC")).replace(tzinfo=None)
        return format_datetime(local, "medium"), None
    if d.type == "percent":
        return f"{value:g}%", None
    if d.type == "rating":
        return "★" * int(value) + "☆" * (5 - int(value)), None
    if kind.stored == "member":
        person = next((name for uid, name in _people() if uid == value), None)
        return person or _("Former member"), None
    if kind.stored == "file":
        found = db.session.get(StoredFile, value)
        return (found.name if found else _("File removed")), (file_url(value) if found and file_url else None)
    if d.type == "email":
        return value, f"mailto:{value}"
    if d.type == "phone":
        return value, "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")
    if d.type == "url":
        return value, value
    return values.shown(d, value, language) or "", None
