"""Field definitions: add, edit (the key never changes, so a rename keeps the data), reorder, archive and
restore. Owners and admins (Perm.STUDIO_SETTINGS). Flush, never commit; every change is on the audit trail.

Rules that protect stored values:
- a type changes only when `types.may_hold(old, new)` and every stored value parses under the new type;
  otherwise the change is refused, naming how many records hold values that would not fit;
- an option of a choice field that records still use cannot be removed (refused, naming how many records use
  it): relabel it instead, or change those records first;
- deleting a field archives it: its values stay on the records, hidden and read-only, until it is restored.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.exceptions import NotFound

from saas.db import utcnow
from saas.errors import Conflict, ValidationFailed
from saas.extensions import db
from saas.fields import values
from saas.fields.entities import ENTITIES, entity_of
from saas.fields.models import KEY_MAX, FieldDefinition, FieldValue
from saas.fields.types import TYPES, InvalidValue, may_hold
from saas.ids import parse_uuid
from saas.schemas import translate
from saas.tenants import audit
from saas.tenants.roles import Perm, require

CHOICE_TYPES = ("choice", "choices")
FIELDS_MAX = 100  # per studio and entity


def get_definition(_actor: Any, definition_id: str | uuid.UUID) -> FieldDefinition:
    """One definition of this studio (another studio's id is a 404, as a missing one)."""
    found = db.session.get(FieldDefinition, parse_uuid(definition_id))
    if found is None:
        raise NotFound()
    return found


def _entity(name: str) -> str:
    if entity_of(name) is None:
        raise ValidationFailed({"entity": [_("Choose one of the options.")]})
    return name


def _slug(label: str) -> str:
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if not text or not text[0].isalpha():
        text = f"field_{text}" if text else f"field_{uuid.uuid4().hex[:6]}"
    return text[:KEY_MAX].rstrip("_")


def _check_choices(data: dict[str, Any]) -> None:
    if data["type"] not in CHOICE_TYPES:
        data["choices"] = []
        return
    keys = [c["key"] for c in data["choices"]]
    if not keys:
        raise ValidationFailed({"choices": [_("Give at least one option, one per line.")]})
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"choices": [_("Each option needs its own key.")]})
    for choice in data["choices"]:
        if not (choice["label_en"].strip() or choice["label_zh"].strip()):
            choice["label_en"] = choice["key"]


def _default(definition: FieldDefinition, raw: Any) -> Any:
    if raw is None:
        return None
    try:
        return values.parse(definition, raw, required=False)
    except InvalidValue as exc:
        raise ValidationFailed({"default": [translate(exc.message)]}) from exc


def create_definition(membership: Any, entity: str, data: dict[str, Any]) -> FieldDefinition:
    require(membership, Perm.STUDIO_SETTINGS)
    _entity(entity)
    data.pop("version", None)
    _check_choices(data)
    key = data.pop("key", None) or _slug(data.get("label_en") or "")
    taken = select(FieldDefinition.id).where(FieldDefinition.entity == entity, FieldDefinition.key == key)
    if db.session.scalar(taken) is not None:
        raise ValidationFailed({"key": [_("Another field of this record already has this key.")]})
    count = select(func.count()).select_from(FieldDefinition).where(FieldDefinition.entity == entity)
    if db.session.scalar(count) >= FIELDS_MAX:
        raise ValidationFailed({"_schema": [_("A record can have at most %(n)d fields.", n=FIELDS_MAX)]})
    last = select(func.max(FieldDefinition.position)).where(FieldDefinition.entity == entity)
    raw_default = data.pop("default", None)
    definition = FieldDefinition(
        entity=entity, key=key, position=(db.session.scalar(last) or 0) + 1, **data, tenant_id=_tenant_id()
    )
    definition.default = _default(definition, raw_default)
    db.session.add(definition)
    db.session.flush()
    values.definitions_changed()
    audit.record("field.created", definition, entity=entity, key=key, type=definition.type)
    return definition


def _tenant_id() -> uuid.UUID:
    return db.session.info["tenant_id"]


def update_definition(membership: Any, definition: FieldDefinition, data: dict[str, Any]) -> list[str]:
    """Change labels, help, type, options, required, default, visibility; the key stays. The changed names."""
    require(membership, Perm.STUDIO_SETTINGS)
    if data.pop("version", None) not in (None, definition.version):
        raise Conflict()
    key = data.pop("key", None)
    if key not in (None, definition.key):
        raise ValidationFailed({"key": [_("A field's key never changes: its values are stored under it.")]})
    data.setdefault("type", definition.type)
    if "choices" not in data:
        data["choices"] = definition.choices
    _check_choices(data)
    if data["type"] != definition.type:
        _check_type_change(definition, data["type"], data["choices"])
    elif data["type"] in CHOICE_TYPES:
        _check_removed_choices(definition, data["choices"])
    raw_default = data.pop("default", definition.default)
    changed = sorted(k for k, v in data.items() if getattr(definition, k) != v)
    old_type = definition.type
    for name in changed:
        setattr(definition, name, data[name])
    new_default = _default(definition, raw_default)
    if new_default != definition.default:
        definition.default = new_default
        changed.append("default")
    if not changed:
        return []
    db.session.flush()
    values.definitions_changed()
    if definition.type != old_type:
        _convert_values(definition, old_type)
    audit.record("field.updated", definition, key=definition.key, fields=changed)
    return changed


def _stored_values(definition: FieldDefinition) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    model = ENTITIES[definition.entity].model
    holding = select(FieldValue.record_id).where(FieldValue.field_id == definition.id)
    rows = db.session.execute(select(model.id, model.custom_fields).where(model.id.in_(holding)))
    return [(rid, stored or {}) for rid, stored in rows if (stored or {}).get(definition.key) is not None]


def _check_type_change(definition: FieldDefinition, new_type: str, choices: list[dict]) -> None:
    old_name, new_name = translate(TYPES[definition.type].label), translate(TYPES[new_type].label)
    if not may_hold(definition.type, new_type):
        raise ValidationFailed(
            {
                "type": [
                    _(
                        "A field of type %(old)s cannot become %(new)s: its values would be lost. "
                        "Add a new field instead.",
                        old=old_name,
                        new=new_name,
                    )
                ]
            }
        )
    probe = FieldDefinition(
        tenant_id=definition.tenant_id, entity=definition.entity, key=definition.key, type=new_type, choices=choices
    )
    misfits = 0
    for _rid, stored in _stored_values(definition):
        try:
            values.parse(probe, _as_new(stored[definition.key], definition.type, new_type), required=False)
        except InvalidValue:
            misfits += 1
    if misfits:
        raise ValidationFailed(
            {
                "type": [
                    _(
                        "%(n)d records hold values that would not fit %(new)s; change them first or keep the type.",
                        n=misfits,
                        new=new_name,
                    )
                ]
            }
        )


def _as_new(value: Any, old_type: str, new_type: str) -> Any:
    if (old_type, new_type) == ("choice", "choices"):
        return [value]
    return value


def _check_removed_choices(definition: FieldDefinition, choices: list[dict]) -> None:
    gone = {c["key"] for c in definition.choices or ()} - {c["key"] for c in choices}
    if not gone:
        return
    query = (
        select(FieldValue.keyed, func.count(func.distinct(FieldValue.record_id)))
        .where(FieldValue.field_id == definition.id, FieldValue.keyed.in_(gone))
        .group_by(FieldValue.keyed)
    )
    used = dict(db.session.execute(query).all())
    if used:
        labels = {c["key"]: c.get("label_en") or c["key"] for c in definition.choices}
        key, n = sorted(used.items())[0]
        raise ValidationFailed(
            {
                "choices": [
                    _(
                        "%(n)d records use the option %(option)s: keep it (you may rename its labels), "
                        "or change those records first.",
                        n=n,
                        option=labels.get(key, key),
                    )
                ]
            }
        )


def _convert_values(definition: FieldDefinition, old_type: str) -> None:
    """After a type change that keeps the data: every stored value re-parsed (so it is what the new type
    stores, e.g. one choice → a list of one) and its index rows rebuilt. Records keep their version."""
    model = ENTITIES[definition.entity].model
    for record_id, stored in _stored_values(definition):
        value = values.parse(definition, _as_new(stored[definition.key], old_type, definition.type), required=False)
        new = {**stored, definition.key: value}
        statement = update(model).where(model.id == record_id).values(custom_fields=new)
        db.session.execute(statement.execution_options(synchronize_session=False))
        values.reindex(record_id, [definition], new)


def move_definition(membership: Any, definition: FieldDefinition, direction: str) -> None:
    """One place up or down among the entity's fields (archived ones keep their place)."""
    require(membership, Perm.STUDIO_SETTINGS)
    rows = select(FieldDefinition).where(FieldDefinition.entity == definition.entity)
    ordered = list(db.session.scalars(rows.order_by(FieldDefinition.position, FieldDefinition.created_at)))
    index = ordered.index(definition)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
    db.session.flush()
    values.definitions_changed()


def set_archived(membership: Any, definition: FieldDefinition, archived: bool) -> None:
    require(membership, Perm.STUDIO_SETTINGS)
    if (definition.archived_at is not None) == archived:
        return
    definition.archived_at = utcnow() if archived else None
    db.session.flush()
    values.definitions_changed()
    audit.record("field.archived" if archived else "field.restored", definition, key=definition.key)
