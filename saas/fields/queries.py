"""Filtering records by their custom values, through the typed index (saas.fields.models.FieldValue).

A list's query string names a filter as `cf.<key>` (equals; for a multiple choice, holds that option),
`cf.<key>.contains`, `cf.<key>.min` / `cf.<key>.max` (a range, either end open) and `cf.<key>.empty` (`1`: no
value, `0`: any value). Each becomes `record.id IN (SELECT record_id FROM field_values WHERE tenant_id = …
AND field_id = … AND <typed comparison>)`, served by an index led by (tenant_id, field_id). A key the reader
cannot see, an unknown key, an operator the type does not offer or a value it cannot parse matches nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from saas.fields import values
from saas.fields.models import KEYED_MAX, FieldDefinition, FieldValue
from saas.fields.types import TYPES, InvalidValue, parse_value

PREFIX = "cf."
OPS = {"": "eq", "contains": "contains", "min": "range", "max": "range", "empty": "empty"}
FILTERS_MAX = 10
VALUE_MAX = 200


def filter_args(args: Any) -> tuple[tuple[str, str], ...]:
    """The custom-field filters of a query string (`cf.…` with a value), sorted, at most ten."""
    found = sorted(
        (name, str(value).strip()[:VALUE_MAX])
        for name, value in args.items()
        if isinstance(name, str) and name.startswith(PREFIX) and str(value or "").strip()
    )
    return tuple(found[:FILTERS_MAX])


def split(name: str) -> tuple[str, str]:
    """`cf.style` → ("style", ""), `cf.area.min` → ("area", "min")."""
    rest = name[len(PREFIX) :]
    key, _, op = rest.partition(".")
    return key, op


def conditions(role: str | None, entity: str, id_column: Any, filters: tuple[tuple[str, str], ...]) -> list:
    """One SQL condition per filter; a range's two ends on one field are one condition (one index range scan)."""
    by_key = {d.key: d for d in values.visible(role, entity)}
    found = []
    ranges: dict[str, dict[str, str]] = {}
    for name, raw in filters:
        key, op = split(name)
        definition = by_key.get(key)
        if definition is None or op not in OPS:
            found.append(false())
        elif op in ("min", "max"):
            ranges.setdefault(key, {})[op] = raw
        else:
            found.append(condition(definition, id_column, op, raw))
    for key, ends in ranges.items():
        found.append(range_condition(by_key[key], id_column, ends.get("min"), ends.get("max")))
    return found


def range_condition(definition: FieldDefinition, id_column: Any, low: str | None, high: str | None) -> ColumnElement:
    if "range" not in TYPES[definition.type].filters:
        return false()
    rows = select(FieldValue.record_id).where(FieldValue.field_id == definition.id)
    for raw, above in ((low, True), (high, False)):
        if raw is None:
            continue
        try:
            column, value = _typed(definition, raw)
        except InvalidValue:
            return false()
        target = getattr(FieldValue, column)
        rows = rows.where(target >= value if above else target <= value)
    return id_column.in_(rows)


def _typed(definition: FieldDefinition, raw: str) -> tuple[str, Any]:
    """(the index column, the value) to compare a typed filter value with."""
    kind = TYPES[definition.type]
    if kind.stored == "choices":
        value: Any = raw if raw in {c["key"] for c in definition.choices} else None
        if value is None:
            raise InvalidValue("")
        return "keyed", value
    value = parse_value(values.spec_of(definition, required=False), raw)
    if value is None:
        raise InvalidValue("")
    if kind.stored in ("number", "money"):
        return "number", float(value)
    if kind.stored == "boolean":
        return "keyed", "true" if value else "false"
    if kind.stored == "text" and len(value) > KEYED_MAX:
        return "text", value.lower()
    return "keyed", str(value)


def condition(definition: FieldDefinition, id_column: Any, op: str, raw: str) -> ColumnElement:
    kind = TYPES[definition.type]
    wanted = OPS[op]
    if wanted not in kind.filters:
        return false()
    rows = select(FieldValue.record_id).where(FieldValue.field_id == definition.id)
    if wanted == "empty":
        if raw not in ("0", "1"):
            return false()
        held = select(FieldValue.id).where(FieldValue.field_id == definition.id, FieldValue.record_id == id_column)
        return ~held.exists() if raw == "1" else id_column.in_(rows)  # NOT EXISTS: an anti-join by record
    if wanted == "contains":
        pattern = "%" + raw.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return id_column.in_(rows.where(FieldValue.text.like(pattern, escape="\\")))
    try:
        column, value = _typed(definition, raw)
    except InvalidValue:
        return false()
    target = getattr(FieldValue, column)
    if wanted == "eq":
        return id_column.in_(rows.where(target == value))
    return range_condition(definition, id_column, raw if op == "min" else None, raw if op == "max" else None)


def column_keys(role: str | None, entity: str, raw: str) -> list[FieldDefinition]:
    """The fields a list shows as columns (`cols=key1,key2`), among those the reader sees, in the order asked."""
    by_key = {d.key: d for d in values.visible(role, entity)}
    keys = [k.strip() for k in (raw or "").split(",") if k.strip()]
    return [by_key[k] for k in dict.fromkeys(keys) if k in by_key][:8]
