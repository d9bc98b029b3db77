"""The values of a studio's own fields on its records: who sees which field, checking what a person or a
program sent against the studio's definitions, writing it (the record's JSON and the typed index), showing it.

Every domain whose records hold custom fields calls the same two functions from its services:

    custom = values.clean(actor, "client", data.pop("custom_fields", None), current={}, creating=True)
    ...                                  # the record is made / changed and flushed, so it has an id
    changes = values.write("client", client, custom)

`clean` raises ValidationFailed({"custom_fields.<key>": [message]}) before anything is written; `write` returns
the changes ({"what": label, "old": shown, "new": shown}) for the record's event.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.fields.models import KEYED_MAX, FieldDefinition, FieldValue, Visibility
from saas.fields.types import TYPES, Choice, InvalidValue, Spec, parse_value
from saas.files.models import FileStatus, StoredFile
from saas.schemas import N_, REQUIRED, translate
from saas.tenants.models import Membership, Tenant
from saas.tenants.queries import studio_fields_version
from saas.tenants.roles import Role


class Actor(Protocol):
    role: str


_CACHE = "fields.definitions"
_DIRTY = "fields.definitions_changed"


@dataclass(frozen=True, slots=True)
class Definition:
    """A field definition as read: a snapshot, shared by the requests of one process (the ORM row stays with the
    services that change it). `choices` is a tuple of the stored dicts: read them, never change them."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    entity: str
    key: str
    label_en: str
    label_zh: str
    help_en: str
    help_zh: str
    type: str
    required: bool
    default: Any
    position: int
    choices: tuple[dict, ...]
    visibility: str
    archived_at: datetime | None
    created_at: datetime
    version: int

    @classmethod
    def of(cls, row: FieldDefinition) -> Definition:
        return cls(
            **{name: getattr(row, name) for name in cls.__slots__ if name != "choices"},
            choices=tuple(row.choices or ()),
        )

    def label(self, language: str) -> str:
        return (self.label_zh if language.startswith("zh") else self.label_en) or self.label_en or self.label_zh

    def help(self, language: str) -> str:
        return (self.help_zh if language.startswith("zh") else self.help_en) or self.help_en or self.help_zh


# tenant id → (its fields_version when read, {entity: definitions in order}). Per process, keyed by studio, so
# nothing crosses studios; bounded, the least recently read studio leaves first.
_PROCESS: OrderedDict[uuid.UUID, tuple[int, dict[str, tuple[Definition, ...]]]] = OrderedDict()
_PROCESS_MAX = 1000


def _load_all() -> dict[str, tuple[Definition, ...]]:
    query = select(FieldDefinition).order_by(
        FieldDefinition.entity, FieldDefinition.position, FieldDefinition.created_at
    )
    by_entity: dict[str, list[Definition]] = {}
    for row in db.session.scalars(query):
        by_entity.setdefault(row.entity, []).append(Definition.of(row))
    return {entity: tuple(found) for entity, found in by_entity.items()}


def _studio_definitions() -> dict[str, tuple[Definition, ...]]:
    """Every entity's definitions of the session's studio. Read from the process's copy when the studio's
    fields_version (read with the sign-in, or from the studio's row) says it is current; from the database, and kept
    for this transaction only, while the transaction itself changes definitions (its version is not committed)."""
    session = db.session()
    cache = session.info.setdefault(_CACHE, {})
    if "all" in cache:
        return cache["all"]
    tenant_id = session.info.get("tenant_id")
    if tenant_id is None or session.info.get(_DIRTY):
        cache["all"] = _load_all()
        return cache["all"]
    version = studio_fields_version(tenant_id)
    kept = _PROCESS.get(tenant_id)
    if kept is not None and kept[0] == version:
        _PROCESS.move_to_end(tenant_id)
        cache["all"] = kept[1]
        return kept[1]
    loaded = _load_all()
    _PROCESS[tenant_id] = (version, loaded)
    while len(_PROCESS) > _PROCESS_MAX:
        _PROCESS.popitem(last=False)
    cache["all"] = loaded
    return loaded


def definitions(entity: str, archived: bool | None = False) -> list[Definition]:
    """The studio's definitions for `entity` in their order: live ones (archived=False), archived ones (True),
    or all (None). Without a query on most requests (see _studio_definitions)."""
    found = _studio_definitions().get(entity, ())
    if archived is None:
        return list(found)
    return [d for d in found if (d.archived_at is not None) == archived]


def definitions_changed() -> None:
    """Call after changing a definition: the studio's fields_version moves in this transaction (every process
    reloads once it commits), and this transaction reads definitions from the database until it ends. A plain
    UPDATE, so the studio row's own version (studio settings' conflict check) does not move."""
    session = db.session()
    tenant_id = session.info.get("tenant_id")
    session.info[_DIRTY] = True
    session.info.pop(_CACHE, None)
    if tenant_id is None:
        return
    statement = update(Tenant).where(Tenant.id == tenant_id).values(fields_version=Tenant.fields_version + 1)
    session.execute(statement.execution_options(synchronize_session=False))
    tenant = session.get(Tenant, tenant_id)
    if tenant is not None:
        session.expire(tenant, ["fields_version"])


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CACHE, None)
    session.info.pop(_DIRTY, None)


# What the functions below read: a snapshot (requests) or the row itself (the services that change it).
AnyDefinition = FieldDefinition | Definition


def may_see(role: str | None, definition: AnyDefinition) -> bool:
    if definition.visibility == Visibility.NOT_FINANCE:
        return role != Role.FINANCE
    if definition.visibility == Visibility.ADMINS:
        return role in (Role.OWNER, Role.ADMIN)
    return True


def visible(role: str | None, entity: str) -> list[Definition]:
    """The live fields of `entity` this role sees, reads and writes, in their order."""
    return [d for d in definitions(entity) if may_see(role, d)]


def spec_of(definition: AnyDefinition, required: bool | None = None) -> Spec:
    tenant = db.session.get(Tenant, definition.tenant_id)
    return Spec(
        type=definition.type,
        required=definition.required if required is None else required,
        choices=choices_of(definition),
        currency=tenant.currency if tenant else "CNY",
        time_zone=tenant.timezone if tenant else "Asia/Shanghai",
    )


def choices_of(definition: AnyDefinition) -> tuple[Choice, ...]:
    return tuple(Choice(c["key"], c.get("label_en", ""), c.get("label_zh", "")) for c in definition.choices or ())


def parse(definition: AnyDefinition, raw: Any, required: bool | None = None) -> Any:
    """The stored value of `raw` for this field, with the studio checks the type asks for (a member of the
    studio, a file it stores); InvalidValue otherwise."""
    value = parse_value(spec_of(definition, required), raw)
    if value is None:
        return None
    needs = TYPES[definition.type].needs
    if needs == "member" and not _is_member(value):
        raise InvalidValue(N_("Choose a person of the studio."))
    if needs == "file" and not _is_file(value):
        raise InvalidValue(N_("Choose a file stored in this studio."))
    return value


def _is_member(user_id: str) -> bool:
    found = select(Membership.id).where(Membership.user_id == uuid.UUID(user_id), Membership.active.is_(True))
    return db.session.scalar(found) is not None


def _is_file(file_id: str) -> bool:
    found = select(StoredFile.id).where(StoredFile.id == uuid.UUID(file_id), StoredFile.status == FileStatus.READY)
    return db.session.scalar(found) is not None


def clean(
    actor: Actor,
    entity: str,
    sent: Any,
    current: dict[str, Any] | None = None,
    creating: bool = False,
    enforce_required: bool = True,
) -> dict[str, Any] | None:
    """The record's whole `custom_fields` after applying what was `sent` (a {key: value} object; a value left
    empty clears it), or None when nothing was sent (on edit). On create, defaults fill what was not sent and
    required fields must have a value (unless `enforce_required` is False: a lead captured where nobody can fill
    them in, like the offline field app; the next edit asks for them). Keys the actor cannot see are unknown;
    archived fields refuse writes; values the actor cannot see are kept as they are."""
    if sent is None and not creating:
        return None
    if sent is None:
        sent = {}
    if not isinstance(sent, dict):
        raise ValidationFailed({"custom_fields": [_("Send an object of field keys and their values.")]})
    live = {d.key: d for d in definitions(entity, archived=None)}
    result = dict(current or {})
    errors: dict[str, list[str]] = {}
    for key, raw in sent.items():
        definition = live.get(key)
        name = f"custom_fields.{key}"
        if definition is None or not may_see(actor.role, definition):
            errors[name] = [_("There is no such field.")]
            continue
        if definition.archived_at is not None:
            errors[name] = [_("This field is archived: restore it under Studio settings to change its values.")]
            continue
        try:
            value = parse(definition, raw)
        except InvalidValue as exc:
            errors[name] = [translate(exc.message)]
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if creating:
        for definition in definitions(entity):
            if definition.key in sent or definition.key in result:
                continue
            if definition.default is not None:
                result[definition.key] = definition.default
            elif definition.required and enforce_required and may_see(actor.role, definition):
                errors[f"custom_fields.{definition.key}"] = [translate(REQUIRED)]
    if errors:
        raise ValidationFailed(errors)
    return result


class Record(Protocol):
    id: Any
    custom_fields: dict[str, Any]


def write(entity: str, record: Record, new: dict[str, Any] | None, language: str = "en") -> list[dict[str, Any]]:
    """Store `new` (from `clean`) on the record and in the typed index; the changes, for the record's event.
    The record must have its id (flushed, or given)."""
    if new is None:
        return []
    old = dict(record.custom_fields or {})
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if not changed:
        return []
    record.custom_fields = dict(new)
    by_key = {d.key: d for d in definitions(entity, archived=None)}
    fields_changed = [by_key[k] for k in changed if k in by_key]
    reindex(record.id, fields_changed, new)
    return [
        {
            "what": d.label(language),
            "old": shown(d, old.get(d.key), language),
            "new": shown(d, new.get(d.key), language),
        }
        for d in fields_changed
    ]


def reindex(record_id: Any, fields: list[AnyDefinition], values: dict[str, Any]) -> None:
    """Replace the typed index rows of these fields on one record."""
    if not fields:
        return
    db.session.execute(
        delete(FieldValue).where(FieldValue.record_id == record_id, FieldValue.field_id.in_([d.id for d in fields]))
    )
    db.session.add_all(
        FieldValue(field_id=d.id, record_id=record_id, **row)
        for d in fields
        for row in index_rows(d.type, values.get(d.key))
    )


def index_rows(type_key: str, value: Any) -> list[dict[str, Any]]:
    """The typed rows standing for one stored value (none when empty)."""
    if value is None:
        return []
    stored = TYPES[type_key].stored
    if stored in ("number", "money"):
        return [{"number": float(value)}]
    if stored == "choices":
        return [{"keyed": key} for key in value]
    if stored == "boolean":
        return [{"keyed": "true" if value else "false"}]
    if stored == "address":
        return [{"text": (value.get("text") or "").lower()}]
    if stored == "text":  # `text` is lower-cased: it serves "contains", with LIKE (leakproof under RLS)
        return [{"keyed": value if len(value) <= KEYED_MAX else None, "text": value.lower()}]
    return [{"keyed": str(value)}]  # choice, date, datetime, member, file


def shown(definition: AnyDefinition, value: Any, language: str) -> str | None:
    """A value as words (the timeline, the audit trail): choices by label, yes / no, an address's text."""
    if value is None:
        return None
    stored = TYPES[definition.type].stored
    labels = {c.key: c.label(language) for c in choices_of(definition)}
    if stored == "choice":
        return labels.get(value, value)
    if stored == "choices":
        return ("、" if language.startswith("zh") else ", ").join(labels.get(v, v) for v in value)
    if stored == "boolean":
        return _("Yes") if value else _("No")
    if stored == "address":
        return value.get("text") or ""
    if stored == "money":
        from saas.money import plain_amount

        tenant = db.session.get(Tenant, definition.tenant_id)
        return plain_amount(value, tenant.currency if tenant else "CNY")
    return str(value)


def readable(role: str | None, entity: str, stored: dict[str, Any] | None) -> dict[str, Any]:
    """What a role reads of a record's values: every live field it sees, null when unset (the API's object)."""
    stored = stored or {}
    return {d.key: stored.get(d.key) for d in visible(role, entity)}
