"""Charts as data: a surface builds a `Chart` from a domain's figures, the `chart` macro
(saas/templates/macros/charts.html) renders it as a table of the numbers, and saas/static/js/charts.js draws it
with Apache ECharts (from npm, served by saas/web/vendor.py) on top. Without script, or for a screen reader,
the table is the chart.

Values are plain numbers (money in minor units, durations in days, rates as 0..1); every value also travels
already formatted for the reader (`shown`), so tooltips and the table say exactly what the rest of the page says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["bar", "hbar", "line", "pie", "funnel", "table"]
Unit = Literal["count", "money", "days", "hours", "percent", "number"]
KINDS: tuple[Kind, ...] = ("bar", "hbar", "line", "pie", "funnel", "table")


@dataclass
class Series:
    name: str
    values: list[float | int | None]
    shown: list[str] = field(default_factory=list)


@dataclass
class Chart:
    """One chart: categories along one axis (months, stages, people), one or more series of values."""

    kind: Kind
    categories: list[str]
    series: list[Series]
    unit: Unit = "count"
    # Where each category's figure comes from (the list with the same filters); None where there is no list.
    links: list[str | None] = field(default_factory=list)
    # With several series, each point's own list where it differs by series (a report's second dimension): one
    # list per series, one link per category; empty when a category's link serves all its points.
    point_links: list[list[str | None]] = field(default_factory=list)
    stacked: bool = False
    # Money travels in minor units: the axis divides by this (100 for CNY) before it shortens the figures.
    scale: int = 1

    @property
    def empty(self) -> bool:
        return not self.categories or all(v in (None, 0) for s in self.series for v in s.values)

    def rows(self) -> list[tuple[str, str | None, list[str]]]:
        """The table: (category, its link, the formatted value of each series)."""
        links = self.links or [None] * len(self.categories)
        return [
            (name, links[i], [s.shown[i] if i < len(s.shown) else "" for s in self.series])
            for i, name in enumerate(self.categories)
        ]

    def cell_links(self) -> list[list[str | None]]:
        """The table's cells' links: each point's own, else its category's (rows by category)."""
        links = self.links or [None] * len(self.categories)
        if not self.point_links:
            return [[links[i]] * len(self.series) for i in range(len(self.categories))]
        return [[own[i] for own in self.point_links] for i in range(len(self.categories))]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "stacked": self.stacked,
            "scale": self.scale,
            "categories": self.categories,
            "links": self.links,
            "point_links": self.point_links,
            "series": [{"name": s.name, "values": s.values, "shown": s.shown} for s in self.series],
        }


def series(name: str, values: Sequence[float | int | None], show: Callable[[Any], str]) -> Series:
    """A series whose every value is also formatted by `show` (money, a percentage, a count)."""
    vals = list(values)
    return Series(name, vals, [show(v) if v is not None else "–" for v in vals])
