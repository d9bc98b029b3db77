"""What is pinned to a dashboard from elsewhere in reports (the report builder's saved reports).

A registry, so the dashboards draw pinned charts without knowing where they come from: a source registers a
function that answers, for a reader and a board, the charts pinned there, already computed over what that
reader may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from saas.tenants.models import Membership
from saas.web.charts import Chart

Board = Literal["studio", "personal"]


@dataclass(frozen=True)
class Pinned:
    title: str
    chart: Chart
    url: str  # where the pinned item is opened and edited


PinSource = Callable[[Membership, Board], list[Pinned]]
_sources: list[PinSource] = []


def register(source: PinSource) -> PinSource:
    """Decorator: `source(membership, board)` answers what it pinned to that board."""
    _sources.append(source)
    return source


def pinned(membership: Membership, board: Board) -> list[Pinned]:
    return [item for source in _sources for item in source(membership, board)]
