"""The two dashboards, assembled: which widgets a reader gets (saas/reports/access.py), each computed over the
reader's scope, then what the report builder pinned to that board (saas/reports/pins.py).

Each widget (and the pinned reports) is computed when the page first reads it, not when the board is assembled:
the page is sent in parts (saas/staff/dashboards.py), its frame — title, filters, notes — first, then each widget
as soon as its figures are ready, so the reader sees the board at once and the figures fill in, in one request
and one database transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app

from saas.extensions import db
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

log = logging.getLogger(__name__)


class Failed:
    """A widget whose figures could not be computed: the page says so in its place and goes on with the others."""

    failed = True


class Widgets(Mapping[str, Any]):
    """The board's widgets by name, in the board's order, each computed on first reading. Which widgets there are
    is known at once (the page's frame asks), what they hold only when read."""

    def __init__(self, compute: dict[str, Callable[[], Any]]) -> None:
        self._compute = compute
        self._done: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._done:
            self._done[name] = _computed(self._compute[name])
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._compute)

    def __len__(self) -> int:
        return len(self._compute)


def _computed(work: Callable[[], Any]) -> Any:
    without_jit()  # for this transaction (SET LOCAL): a streamed page reads after the request's own one ended
    try:
        return work()
    except Exception:
        # Once the page's first part is sent its status is too: a failing widget cannot make it a 500. It is
        # logged, shown as not available, and the others go on (its transaction rolled back, the studio kept).
        if current_app.testing:
            raise
        log.exception("a dashboard widget failed")
        db.session.rollback()
        return Failed()


@dataclass
class Board:
    name: pins.Board
    filters: Filters
    widgets: Mapping[str, Any] = field(default_factory=dict)
    find_pinned: Callable[[], list[pins.Pinned]] = list
    _pinned: list[pins.Pinned] | None = None

    def complete(self) -> Board:
        """Every widget and the pinned reports computed now (for a caller that reads them later, out of the
        request: a test, a benchmark)."""
        for name in self.widgets:
            self.widgets[name]
        self.pinned  # noqa: B018
        return self

    @property
    def pinned(self) -> list[pins.Pinned]:
        if self._pinned is None:
            found = _computed(self.find_pinned)
            self._pinned = found if isinstance(found, list) else []
        return self._pinned


def studio_board(membership: Membership, filters: Filters, today: date) -> Board:
    scope = Scope(membership, filters)
    relationship = access.sees_relationship(membership)
    board = Board("studio", filters)
    board.widgets = Widgets(
        {
            "funnel": lambda: funnel(scope),
            "health": lambda: health(scope, today),
            "value": lambda: value(scope, sees_feedback=relationship),
            "money": lambda: money_widget(scope, today),
            "team": lambda: team(scope, relationship),
        }
    )
    board.find_pinned = lambda: pins.pinned(membership, "studio")
    return board


def personal_board(membership: Membership, filters: Filters, today: date) -> Board:
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
    board.widgets = Widgets({name: compute[name] for name in access.personal_widgets(membership)})
    board.find_pinned = lambda: pins.pinned(membership, "personal")
    return board
