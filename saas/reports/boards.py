"""The two dashboards, assembled: which widgets a reader gets (saas/reports/access.py), each computed over the
reader's scope, then what the report builder pinned to that board (saas/reports/pins.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from saas.reports import access, pins
from saas.reports.filters import Filters, Scope, personal
from saas.reports.sql import without_jit
from saas.reports.widgets.funnel import funnel
from saas.reports.widgets.health import health
from saas.reports.widgets.money import money_widget
from saas.reports.widgets.personal import mine, pipeline, visits_today
from saas.reports.widgets.team import team
from saas.reports.widgets.value import value
from saas.tenants.models import Membership


@dataclass
class Board:
    name: pins.Board
    filters: Filters
    widgets: dict[str, Any] = field(default_factory=dict)
    pinned: list[pins.Pinned] = field(default_factory=list)


def studio_board(membership: Membership, filters: Filters, today: date) -> Board:
    without_jit()
    scope = Scope(membership, filters)
    relationship = access.sees_relationship(membership)
    board = Board("studio", filters)
    board.widgets = {
        "funnel": funnel(scope),
        "health": health(scope, today),
        "value": value(scope, sees_feedback=relationship),
        "money": money_widget(scope, today),
        "team": team(scope, relationship),
    }
    board.pinned = pins.pinned(membership, "studio")
    return board


def personal_board(membership: Membership, filters: Filters, today: date) -> Board:
    without_jit()
    if access.personal_is_own(membership):
        filters = personal(filters, membership)
    scope = Scope(membership, filters)
    board = Board("personal", filters)
    compute = {
        "visits": lambda: visits_today(scope, today),
        "mine": lambda: mine(scope, today),
        "pipeline": lambda: pipeline(scope),
        "funnel": lambda: funnel(scope),
        "money": lambda: money_widget(scope, today),
    }
    board.widgets = {name: compute[name]() for name in access.personal_widgets(membership)}
    board.pinned = pins.pinned(membership, "personal")
    return board
