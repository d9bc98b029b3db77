"""From–to filters of the lists, in the studio's days: `created_from=2026-03-01&created_to=2026-03-31` holds what
was made from the local midnight starting 1 March to the one ending 31 March, compared with the stored UTC
instants (zoneinfo knows the offsets, summer time included), as the dashboards count their periods
(saas.reports.periods): a project made at 23:30 on 31 March in Shanghai is March's on both. A date column (an
invoice's due date) is compared as the day it is.

A day that does not parse, or a range that runs backwards, is a problem named by its argument: a list page says
so and leaves that filter out, an export and the API refuse it (422)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement


def day_problem(raw: str) -> str | None:
    """Why `raw` is not a day (YYYY-MM-DD), or None when it is one (or is empty: no filter)."""
    if not raw:
        return None
    try:
        date.fromisoformat(raw)
    except ValueError:
        return _("Enter a date as YYYY-MM-DD.")
    return None if len(raw) == 10 else _("Enter a date as YYYY-MM-DD.")


@dataclass(frozen=True)
class DayRange:
    """Local days, both included, either end open."""

    name: str  # the arguments' stem: created → created_from, created_to
    first: date | None = None
    last: date | None = None

    @classmethod
    def read(cls, name: str, args: Any) -> tuple[DayRange, dict[str, str]]:
        """The range `args` asks for, and the problems with it (each bad end is left out)."""
        problems: dict[str, str] = {}
        ends: list[date | None] = []
        for key in (f"{name}_from", f"{name}_to"):
            raw = str(args.get(key) or "").strip()
            if problem := day_problem(raw[:40]):
                problems[key] = problem
            ends.append(date.fromisoformat(raw) if raw and key not in problems else None)
        first, last = ends
        if first and last and last < first:
            problems[f"{name}_to"] = _("The period ends before it starts.")
            last = None
        return cls(name, first, last), problems

    def __bool__(self) -> bool:
        return self.first is not None or self.last is not None

    def holds(self, column: Any, timezone: str | None = None) -> list[ColumnElement[bool]]:
        """WHERE clauses: a UTC timestamp column between the local day edges of `timezone`; without a time zone,
        a date column between the days themselves."""
        clauses = []
        if self.first is not None:
            clauses.append(column >= (self.first if timezone is None else _edge(self.first, timezone)))
        if self.last is not None:
            after = self.last + timedelta(days=1)
            clauses.append(column < (after if timezone is None else _edge(after, timezone)))
        return clauses

    def as_args(self) -> dict[str, str]:
        values = {
            f"{self.name}_from": self.first.isoformat() if self.first else "",
            f"{self.name}_to": self.last.isoformat() if self.last else "",
        }
        return {k: v for k, v in values.items() if v}


def _edge(day: date, timezone: str) -> datetime:
    """The UTC instant the studio's local `day` begins at."""
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)
