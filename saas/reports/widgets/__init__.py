"""The dashboards' widgets, each answering one question of the seeds with figures computed in SQL over a `Scope`
(saas/reports/filters.py): funnel, health, value, money, team, and the personal board's own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One headline number: what it is, the value as the page shows it, and the list of records behind it."""

    label: str
    shown: str
    link: str | None = None
    hint: str = ""


def ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


def amount(minor: int | float | None) -> str:
    from flask import g
    from flask_babel import get_locale

    from saas.money import format_money

    return format_money(int(minor or 0), g.tenant.currency, str(get_locale() or "zh_CN"))


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def days(value: float | None) -> str:
    from flask_babel import gettext as _

    return "–" if value is None else _("%(n)s days", n=f"{value:.1f}")


def hours(value: float | None) -> str:
    from flask_babel import gettext as _

    return "–" if value is None else _("%(n)s h", n=f"{value:.1f}")


def count(value: int | float | None) -> str:
    return f"{int(value or 0):,}"
