"""What a report can count: a source is one declaration (its model, its dates, its numbers, its dimensions, who
may use it and which of its rows a person sees), so a new source is one more `register(Source(...))`.

Expressions are functions of the query's `Context` (the database's dialect and the studio's time zone), because a
duration or a month is written differently on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement

from saas.tenants.models import Membership
from saas.web.charts import Unit

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")


@dataclass(frozen=True)
class Context:
    dialect: str  # "postgresql" or "sqlite"
    time_zone: str  # the studio's, for months and days of UTC times
    language: str


Expr = Callable[[Context], ColumnElement[Any]]
Label = Callable[[], str]  # a translated name, looked up when shown
Names = Callable[[list[Any]], dict[Any, str]]  # the words for the values found (ordered when `ordered`)


def column(col: Any) -> Expr:
    return lambda _ctx: col


@dataclass(frozen=True)
class Number:
    """A numeric field one can sum or average."""

    key: str
    label: Label
    expr: Expr
    unit: Unit = "number"


@dataclass(frozen=True)
class DateField:
    """A date to group by month, quarter or year; `utc` when it is a UTC time (converted to the studio's day)."""

    key: str
    label: Label
    col: Any
    utc: bool = True


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Label
    expr: Expr
    names: Names | None = None  # None: the values are shown as they are
    ordered: bool = False  # True: categories in the order of `names` (statuses, stages), else by the figure


@dataclass(frozen=True)
class Rollup:
    """A source's counts kept per studio day (saas/clients/rollups.py). A count over whole days, split by the main
    date and by `dimensions` only, for a reader for whom `exact_for` holds (who sees every row: nothing to filter
    row by row), is read from it: the same figures from a few thousand rows instead of a million."""

    model: Any
    day: Any  # the studio's local day of the main date
    count: Any  # the column holding the count
    dimensions: dict[str, Expr]  # a source dimension's key -> its column in the rollup
    exact_for: Callable[[Membership], bool]


@dataclass(frozen=True)
class Source:
    key: str
    label: Label
    model: Any
    main_date: DateField  # the period filter applies to it
    visible: Callable[[Membership], ColumnElement[bool]]  # WHERE clause: the rows this person sees
    may_use: Callable[[Membership], bool]
    numbers: tuple[Number, ...] = ()
    dates: tuple[DateField, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    custom_entity: str | None = None  # saas.fields entity whose numeric and choice fields join in
    rollup: Rollup | None = None  # answers the counts it can, exactly (compiler._from_rollup)

    def all_dates(self) -> tuple[DateField, ...]:
        return (self.main_date, *self.dates)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    SOURCES[source.key] = source
    return source
