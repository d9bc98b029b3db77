"""The few expressions PostgreSQL and SQLite write differently: the days between two UTC timestamps, and the
studio's local date of a timestamp."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, cast, func, text

from saas.extensions import db


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def days_between(start: Any, end: Any) -> Any:
    """Fractional days from `start` to `end` (two timestamp columns)."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def hours_between(start: Any, end: Any) -> Any:
    return days_between(start, end) * 24


def local_date(column: Any, timezone: str) -> Any:
    """The studio's calendar day of a UTC timestamp. PostgreSQL converts with its time-zone database; SQLite
    (development only) applies the zone's current offset, exact for zones without summer time such as Shanghai."""
    if _dialect() == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    offset = datetime.now(UTC).astimezone(ZoneInfo(timezone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")


def without_jit() -> None:
    """For the rest of this transaction, no JIT compilation on PostgreSQL: the dashboards' aggregates cost enough to
    cross its threshold, and compiling took 60 ms of a 200 ms statement in the benchmark's plans for nothing back."""
    if _dialect() == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
