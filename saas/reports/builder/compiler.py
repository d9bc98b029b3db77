"""A definition compiled to SQL: one GROUP BY over the rows the reader sees, in the studio's time zone, on
PostgreSQL and SQLite alike. What comes back are the groups' aggregates (at most MAX_GROUPS rows), never records;
they are folded into the chart's shape — the largest groups kept, the rest summed into "Other", months in order
with the empty ones shown — by `shape`.

When one GROUP BY would give more groups than MAX_GROUPS, the largest values of each dimension are chosen first
(one small GROUP BY each) and the main query sums everything else into one group per dimension in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, DateTime, Interval, Select, and_, case, cast, func, literal, select
from sqlalchemy.orm import aliased

from saas.extensions import db
from saas.fields.models import FieldDefinition, FieldValue
from saas.reports.builder.definition import Definition, Measure, Split
from saas.reports.builder.registry import Context, DateField
from saas.tenants.models import Membership

MAX_GROUPS = 2000  # aggregate rows read from one GROUP BY before the dimensions are capped in SQL
TOP_FIRST = 12  # categories kept along the axis; the rest is "Other"
TOP_SECOND = 6  # series kept for a second dimension
TIME_BUCKETS = 36  # months (quarters, years) kept; the earlier ones are summed into "Earlier"


class Other:
    """The group of everything beyond the kept values of a dimension."""

    def __repr__(self) -> str:
        return "Other"


OTHER = Other()


@dataclass
class Cell:
    total: float = 0.0
    n: int = 0

    def add(self, total: Any, n: Any) -> None:
        self.total += float(total or 0)
        self.n += int(n or 0)


Groups = dict[tuple[Any, ...], Cell]


@dataclass
class Compiled:
    query: Select
    keys: list[ColumnElement[Any]]  # one expression per split
    total: ColumnElement[Any]
    n: ColumnElement[Any]


def context_for(tenant: Any, language: str) -> Context:
    return Context(db.session.get_bind().dialect.name, tenant.timezone, language)


def compute(definition: Definition, membership: Membership, ctx: Context) -> Groups:
    """The figures of `definition` over what `membership` sees: {(value of each split…): Cell}."""
    if ctx.dialect == "sqlite":
        _teach_sqlite()
    compiled = compile_definition(definition, membership, ctx)
    rows = _grouped(compiled, [None] * len(compiled.keys), MAX_GROUPS + 1)
    if len(rows) <= MAX_GROUPS:
        return _groups(rows, definition.splits)
    kept = [
        _top(compiled, key, split, i)
        for i, (key, split) in enumerate(zip(compiled.keys, definition.splits, strict=True))
    ]
    return _groups(_grouped(compiled, kept, None), definition.splits)


def compile_definition(definition: Definition, membership: Membership, ctx: Context) -> Compiled:
    rolled = _from_rollup(definition, membership, ctx)
    if rolled is not None:
        return rolled
    source = definition.source
    model = source.model
    query = select().select_from(model).where(source.visible(membership), *_period(definition, ctx))
    query, value = _measure_value(query, model, definition.measure, ctx)
    keys = []
    for split in definition.splits:
        query, key = _split_key(query, model, split, ctx)
        keys.append(key)
    if definition.measure.agg == "count":
        total = n = func.count(model.id)
    else:
        total, n = func.sum(value), func.count(value)
    return Compiled(query, keys, total, n)


def _from_rollup(definition: Definition, membership: Membership, ctx: Context) -> Compiled | None:
    """The same GROUP BY over the source's day rollup, when the rollup answers the definition exactly: a count,
    split only by the main date and the rollup's dimensions, for a reader who sees every row. Groups whose
    counts were all taken back (deleted rows) are left out, as the rows would be."""
    rollup = definition.source.rollup
    if rollup is None or not _rollup_answers(definition, membership):
        return None
    main = definition.source.main_date
    day = DateField(main.key, main.label, rollup.day, utc=False)
    query = select().select_from(rollup.model)
    if definition.start is not None:
        query = query.where(rollup.day >= definition.start)
    if definition.end is not None:
        query = query.where(rollup.day < definition.end + timedelta(days=1))
    keys = [
        bucket(day, split.grain or "month", ctx) if split.date is not None else rollup.dimensions[split.key](ctx)
        for split in definition.splits
    ]
    total = func.sum(rollup.count)
    return Compiled(query.having(total != 0), keys, total, total)


def _rollup_answers(definition: Definition, membership: Membership) -> bool:
    rollup, measure = definition.source.rollup, definition.measure
    if rollup is None or measure.agg != "count" or measure.field is not None or not rollup.exact_for(membership):
        return False
    for split in definition.splits:
        if split.field is not None:
            return False
        if split.date is not None and split.date.key != definition.source.main_date.key:
            return False
        if split.dimension is not None and split.key not in rollup.dimensions:
            return False
    return True


def _join_field(query: Select, model: Any, field: FieldDefinition) -> tuple[Select, Any]:
    held = aliased(FieldValue)
    on = and_(held.tenant_id == model.tenant_id, held.field_id == field.id, held.record_id == model.id)
    return query.outerjoin(held, on), held


def _measure_value(query: Select, model: Any, measure: Measure, ctx: Context) -> tuple[Select, Any]:
    if measure.field is not None:
        query, held = _join_field(query, model, measure.field)
        return query, held.number
    if measure.number is not None:
        return query, measure.number.expr(ctx)
    return query, None


def _split_key(query: Select, model: Any, split: Split, ctx: Context) -> tuple[Select, ColumnElement[Any]]:
    if split.field is not None:
        query, held = _join_field(query, model, split.field)
        return query, held.keyed
    if split.date is not None:
        return query, bucket(split.date, split.grain or "month", ctx)
    return query, split.dimension.expr(ctx)  # type: ignore[union-attr]


def bucket(when: DateField, grain: str, ctx: Context) -> ColumnElement[Any]:
    """The first day of the month (quarter, year) a date falls in, a UTC time counted in the studio's day."""
    if ctx.dialect == "postgresql":
        local = _local_time(when.col, ctx.time_zone) if when.utc else cast(when.col, DateTime())
        return func.date_trunc(grain, local)
    return func.atelier_bucket(when.col, ctx.time_zone if when.utc else "", grain)


def _local_time(col: Any, time_zone: str) -> ColumnElement[Any]:
    """The studio's wall-clock time of a UTC column. A zone that keeps one offset all year (Asia/Shanghai) is
    shifted by that offset, which PostgreSQL does three times faster than looking the zone up row by row (1M
    follow-ups: ~0.3 s less); a zone with summer time goes through its rules."""
    offset = fixed_offset(time_zone)
    if offset is None:
        return func.timezone(time_zone, col)
    return func.timezone(literal(offset, Interval()), col)


@lru_cache(maxsize=64)
def fixed_offset(time_zone: str) -> timedelta | None:
    """The zone's offset from UTC when it has been and stays the same from 2000 to 2040, else None."""
    zone = ZoneInfo(time_zone)
    found = {datetime(year, month, 1, tzinfo=zone).utcoffset() for year in range(2000, 2041) for month in (1, 7)}
    return found.pop() if len(found) == 1 else None


def _period(definition: Definition, ctx: Context) -> list[ColumnElement[bool]]:
    when = definition.source.main_date
    found = []
    if definition.start is not None:
        found.append(when.col >= _edge(when, definition.start, ctx))
    if definition.end is not None:
        end = definition.end + timedelta(days=1)
        found.append(when.col < _edge(when, end, ctx))
    return found


def _edge(when: DateField, day: date, ctx: Context) -> date | datetime:
    """A day's start: the UTC instant of the studio's midnight for a time, the day itself for a date."""
    if not when.utc:
        return day
    return datetime.combine(day, time(0), ZoneInfo(ctx.time_zone)).astimezone(UTC)


def _grouped(compiled: Compiled, kept: list[Any], limit: int | None) -> list[tuple[Any, ...]]:
    """(key…, total, n) per group; a key whose kept values are given is grouped as itself or OTHER."""
    columns, flags = [], []
    for key, keep in zip(compiled.keys, kept, strict=True):
        if keep is None:
            columns.append(key)
            continue
        inside = keep(key)
        columns.append(case((inside, key)))
        flags.append(inside)
    group = columns + flags
    query = compiled.query.add_columns(*columns, compiled.total, compiled.n, *flags).group_by(*group)
    query = query.order_by(compiled.total.desc()).limit(limit) if limit else query
    rows = db.session.execute(query).all()
    width = len(columns)
    return [_flagged(row, width, kept) for row in rows]


def _flagged(row: Any, width: int, kept: list[Any]) -> tuple[Any, ...]:
    keys = list(row[:width])
    flags = iter(row[width + 2 :])
    for i, keep in enumerate(kept):
        if keep is not None and next(flags) is False:
            keys[i] = OTHER
    return (*keys, row[width], row[width + 1])


def _top(compiled: Compiled, key: ColumnElement[Any], split: Split, position: int) -> Any:
    """Which values of one dimension to keep, as a function making the SQL test for them."""
    query = compiled.query.add_columns(key).group_by(key).where(key.is_not(None))
    if split.date is not None:
        found = db.session.scalars(query.order_by(key.desc()).limit(TIME_BUCKETS)).all()
        earliest = min(found) if found else None
        return lambda k: k >= earliest if earliest is not None else k.is_(None)
    limit = TOP_FIRST if position == 0 else TOP_SECOND
    values = db.session.scalars(query.order_by(compiled.total.desc()).limit(limit)).all()
    return lambda k: k.in_(values)


def _groups(rows: list[tuple[Any, ...]], splits: tuple[Split, ...]) -> Groups:
    found: Groups = {}
    for row in rows:
        keys = tuple(normal(value, split) for value, split in zip(row[:-2], splits, strict=True))
        found.setdefault(keys, Cell()).add(row[-2], row[-1])
    return found


def normal(value: Any, split: Split) -> Any:
    """One spelling of a group's value on both databases: a date for a time bucket, text for ids."""
    if value is None or value is OTHER:
        return value
    if split.date is not None:
        return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    return value if isinstance(value, str) else str(value)


def _bucket_sqlite(value: Any, time_zone: str, grain: str) -> str | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if time_zone:
        moment = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone))
    month = {"month": moment.month, "quarter": 3 * ((moment.month - 1) // 3) + 1, "year": 1}[grain]
    return date(moment.year, month, 1).isoformat()


def _teach_sqlite() -> None:
    """SQLite has no time zones: the bucket function is Python's, registered on the connection in use."""
    raw = db.session.connection().connection.driver_connection
    raw.create_function("atelier_bucket", 3, _bucket_sqlite, deterministic=True)
