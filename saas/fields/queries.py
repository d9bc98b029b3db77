"""Filtering records by their custom values, through the typed index (saas.fields.models.FieldValue).

A list's query string names a filter as `cf.<key>` (equals; for a multiple choice, holds that option),
`cf.<key>.contains`, `cf.<key>.min` / `cf.<key>.max` (a range, either end open) and `cf.<key>.empty` (`1`: no
value, `0`: any value). Each becomes a set of `SELECT record_id FROM field_values WHERE tenant_id = … AND field_id
= … AND <typed comparison>`, served by an index led by (tenant_id, field_id); how a list reads them together is
decided by their sizes (see `conditions`). A key the reader
cannot see, an unknown key, an operator the type does not offer or a value it cannot parse matches nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Select, Uuid, any_, bindparam, false, func, select, text

from saas.extensions import db
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


def _serial_plans() -> None:
    """No parallel workers for the rest of this request's transaction (PostgreSQL). A filtered page of 50 is read by
    probing each record's values along the list's order; once the statistics are fresh the planner splits that walk
    over two workers: 27 ms against 10.7 ms in one process (EXPLAIN ANALYZE, `cf.style=japanese&cf.area.max=100`
    over 100,000 clients), and the workers take cores from the other requests a web node serves."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def conditions(role: str | None, entity: str, id_column: Any, filters: tuple[tuple[str, str], ...]) -> list:
    """The SQL conditions of a list's custom-field filters. Every filter that asks for records holding some value
    (equals, contains, a range — its two ends on one field are one index range scan —, `empty=0`) is a row set of
    the value index; `empty=1` is an anti-join.

    How the list reads its page depends on the sets' sizes, which the planner guessed wrong (numbers are NULL in
    four index rows of five: 15,000 matches taken for 3,000, and a hash join over a scan of every client of the
    studio; README). So they are counted, cheaply (`_held_by`): from a small set, or a small intersection of large
    ones, the page probes clients by key; with large sets that overlap widely it walks its own order. Text alone
    ("contains") is left to the planner."""
    if filters:
        _serial_plans()
    by_key = {d.key: d for d in values.visible(role, entity)}
    held: list[Select | None] = []
    found: list[ColumnElement] = []
    ordered = False  # a set read from a btree in value order (equals, a range, any value): its size is cheap to cap
    ranges: dict[str, dict[str, str]] = {}
    for name, raw in filters:
        key, op = split(name)
        definition = by_key.get(key)
        if definition is None or op not in OPS:
            held.append(None)
        elif op in ("min", "max"):
            ranges.setdefault(key, {})[op] = raw
        elif op == "empty" and raw == "1":
            found.append(_without(definition, id_column))
        else:
            held.append(_rows(definition, op, raw))
            ordered = ordered or OPS[op] != "contains"
    for key, ends in ranges.items():
        held.append(_range_rows(by_key[key], ends.get("min"), ends.get("max")))
        ordered = True
    if any(rows is None for rows in held):
        return [false()]  # a filter that matches nothing (unknown, hidden, unparsable): the list is empty
    if held:
        sets = [rows for rows in held if rows is not None]
        # Text alone ("contains") has no index in value order to stop early in: a common fragment would be read
        # whole to count it. The planner knows text's selectivity from the trigram index; it decides there.
        found.extend(_held_by(id_column, sets) if ordered else [id_column.in_(rows) for rows in sets])
    return found


SMALL_SET = 2500  # measured: below it, probing the clients by key beats walking the list's order (README)


def _held_by(id_column: Any, sets: list[Select]) -> list[ColumnElement]:
    """How the list reads the records in every one of these sets (see `conditions`). Each set is counted first, up
    to SMALL_SET + 1 (index-only scans that stop there; nothing comes back but the counts). When the smallest is
    small, the page's own query reads the intersection once, driven from it, into an array (`id = ANY(ARRAY(…))`,
    PostgreSQL): a primary-key probe per record and a sort of at most SMALL_SET rows. When every set is large,
    their intersection is read too, up to SMALL_SET + 1 ids (a hash join of the sets' index-only scans): large
    sets that rarely overlap — fields that go together, a home's segment and its floor area — would make the walk
    below probe every client of the studio for a page it never fills (1.2 s at 100,000 clients, README), so a
    small intersection's ids go to the page's query as an array, read once. Otherwise each set stays a semi-join
    which the planner walks in the list's order, probing the sets' indexes per record (the extended statistics give
    it their sizes)."""
    sizes = [_capped_count(rows) for rows in sets]
    if min(sizes) == 0:
        return [false()]
    if db.session.get_bind().dialect.name != "postgresql":
        return [id_column.in_(rows) for rows in sets]
    smallest = sizes.index(min(sizes))
    ordered = [sets[smallest], *(rows for n, rows in enumerate(sets) if n != smallest)]
    if min(sizes) > SMALL_SET:
        together = list(db.session.scalars(matching(ordered).limit(SMALL_SET + 1))) if len(sets) > 1 else []
        if len(sets) == 1 or len(together) > SMALL_SET:
            return [id_column.in_(rows) for rows in sets]
        if not together:
            return [false()]
        ids = bindparam("together", together, type_=ARRAY(Uuid), unique=True)  # read once, not twice
        return [id_column == any_(ids)]
    return [id_column == any_(func.array(matching(ordered).scalar_subquery()))]


def _capped_count(rows: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(rows.limit(SMALL_SET + 1).subquery())) or 0


def matching(held: list[Select]) -> Select:
    """The records in every one of these row sets: one query, the sets joined on record_id, from the first."""
    if len(held) == 1:
        return held[0]
    sets = [rows.subquery() for rows in held]
    joined = select(sets[0].c.record_id)
    for other in sets[1:]:
        joined = joined.join(other, other.c.record_id == sets[0].c.record_id)
    return joined


def _without(definition: FieldDefinition, id_column: Any) -> ColumnElement:
    """Records without a value: NOT EXISTS, an anti-join probing the index by record."""
    if "empty" not in TYPES[definition.type].filters:
        return false()
    held = select(FieldValue.id).where(FieldValue.field_id == definition.id, FieldValue.record_id == id_column)
    return ~held.exists()


def _range_rows(definition: FieldDefinition, low: str | None, high: str | None) -> Select | None:
    if "range" not in TYPES[definition.type].filters:
        return None
    rows = select(FieldValue.record_id).where(FieldValue.field_id == definition.id)
    for raw, above in ((low, True), (high, False)):
        if raw is None:
            continue
        try:
            column, value = _typed(definition, raw)
        except InvalidValue:
            return None
        target = getattr(FieldValue, column)
        rows = rows.where(target >= value if above else target <= value)
    return rows


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


def _rows(definition: FieldDefinition, op: str, raw: str) -> Select | None:
    """The index rows one filter matches (their record_id), or None when it can match nothing."""
    wanted = OPS[op]
    if wanted not in TYPES[definition.type].filters:
        return None
    rows = select(FieldValue.record_id).where(FieldValue.field_id == definition.id)
    if wanted == "empty":
        return rows if raw == "0" else None  # `empty=1` is an anti-join (conditions)
    if wanted == "contains":
        pattern = "%" + raw.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return rows.where(FieldValue.text.like(pattern, escape="\\"))
    if wanted == "range":
        return _range_rows(definition, raw if op == "min" else None, raw if op == "max" else None)
    try:
        column, value = _typed(definition, raw)
    except InvalidValue:
        return None
    return rows.where(getattr(FieldValue, column) == value)


def column_keys(role: str | None, entity: str, raw: str) -> list[FieldDefinition]:
    """The fields a list shows as columns (`cols=key1,key2`), among those the reader sees, in the order asked."""
    by_key = {d.key: d for d in values.visible(role, entity)}
    keys = [k.strip() for k in (raw or "").split(",") if k.strip()]
    return [by_key[k] for k in dict.fromkeys(keys) if k in by_key][:8]
