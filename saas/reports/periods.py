"""The dashboards' periods and time buckets, in the studio's own days and months.

A period is a range of the studio's local days [start, end). Timestamps are stored in UTC, so every local day or
month edge is turned into the UTC instant it begins at (zoneinfo knows the offsets, summer time included) and the
database compares the stored instants with those edges: the same SQL on PostgreSQL and SQLite, index-friendly
(`created_at >= edge`), and a payment recorded at 23:30 in Shanghai on 31 January counts in January. Buckets are a
CASE over the edges, grouped in SQL: never a row loaded into Python to be sorted into a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, literal

PeriodKey = Literal["month", "quarter", "year", "custom"]
PERIOD_KEYS: tuple[PeriodKey, ...] = ("month", "quarter", "year", "custom")
MAX_DAYS = 3 * 366  # a custom period longer than three years is refused (and a year 9999 with it)
TREND_MONTHS = 12  # trends show at least the twelve months up to the period's end


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    key: PeriodKey
    start: date  # first local day
    end: date  # the local day after the last one
    timezone: str

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def instant(self, day: date) -> datetime:
        """The UTC instant the studio's local `day` begins at."""
        return datetime.combine(day, time(0), ZoneInfo(self.timezone)).astimezone(UTC)

    @property
    def since(self) -> datetime:
        return self.instant(self.start)

    @property
    def until(self) -> datetime:
        return self.instant(self.end)

    def holds(self, column: Any, is_date: bool = False) -> ColumnElement[bool]:
        """WHERE the column (a UTC timestamp, or a local date with `is_date`) falls in the period."""
        if is_date:
            return (column >= self.start) & (column < self.end)
        return (column >= self.since) & (column < self.until)

    def months(self) -> list[date]:
        """First days of the months the period touches."""
        found, month = [], month_start(self.start)
        while month < self.end:
            found.append(month)
            month = add_months(month, 1)
        return found

    def trend(self) -> Period:
        """The period the monthly trends cover: at least TREND_MONTHS whole months up to the period's end."""
        start = min(month_start(self.start), add_months(self.last, 1 - TREND_MONTHS))
        return Period("custom", start, add_months(self.last, 1), self.timezone)

    def as_args(self) -> dict[str, str]:
        if self.key == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.last.isoformat()}
        return {"period": self.key}


def current(key: PeriodKey, today: date, timezone: str) -> Period:
    """This month, this quarter or this year, to its end (the days still to come count nothing yet)."""
    if key == "year":
        return Period(key, date(today.year, 1, 1), date(today.year + 1, 1, 1), timezone)
    if key == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return Period(key, first, add_months(first, 3), timezone)
    return Period("month", month_start(today), add_months(today, 1), timezone)


def custom(start: date, last: date, timezone: str) -> Period | None:
    """From–to, both days included; None when the range is backwards or longer than MAX_DAYS."""
    if last < start or (last - start).days > MAX_DAYS:
        return None
    return Period("custom", start, last + timedelta(days=1), timezone)


def bucket_edges(period: Period, months_per_bucket: int = 1) -> list[date]:
    """The local days the buckets begin at (months, or quarters with 3 when the period starts on one), and the end."""
    edges, day = [], month_start(period.start)
    if months_per_bucket == 3:
        day = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    while day < period.end:
        edges.append(day)
        day = add_months(day, months_per_bucket)
    return [*edges, day]


def bucket(column: Any, period: Period, edges: list[date], is_date: bool = False) -> ColumnElement[int]:
    """A CASE numbering the bucket a row falls in (0 for the first): GROUP BY it. Rows are assumed already limited
    to the period's range, so each WHEN only tests the upper edge."""
    bounds = edges[1:] if is_date else [period.instant(day) for day in edges[1:]]
    return case(*((column < bound, literal(n)) for n, bound in enumerate(bounds)), else_=literal(len(bounds) - 1))
