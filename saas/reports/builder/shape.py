"""The figures of a report (groups and their aggregates, from `compiler`) shaped as a chart: the largest values of
each dimension kept and the rest summed into "Other", time in order with its empty months shown, codes and ids
named in the reader's language, every value formatted as the rest of the pages format it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from saas.fields import values as custom
from saas.fields.types import TYPES
from saas.money import exponent, for_reader
from saas.reports.builder.compiler import OTHER, TIME_BUCKETS, TOP_FIRST, TOP_SECOND, Cell, Groups
from saas.reports.builder.definition import Definition, Measure, Split
from saas.reports.builder.links import linker
from saas.reports.builder.registry import Context
from saas.reports.builder.sources import people
from saas.web.charts import Chart, series

STEP = {"month": 1, "quarter": 3, "year": 12}


def chart_of(definition: Definition, groups: Groups, ctx: Context, currency: str, role: str | None = None) -> Chart:
    """The chart of a definition's groups; `role` is the reader's (its points link to the lists it may open)."""
    first = definition.splits[0]
    second = definition.splits[1] if len(definition.splits) > 1 else None
    axis = _kept(first, _totals(groups, 0), TOP_FIRST, definition)
    lines = _kept(second, _totals(groups, 1), TOP_SECOND, definition) if second else [None]
    cells: dict[tuple[Any, Any], Cell] = {}
    for keys, cell in groups.items():
        at = (_place(keys[0], axis), _place(keys[1], lines) if second else None)
        cells.setdefault(at, Cell()).add(cell.total, cell.n)
    measure = definition.measure
    show = _shower(measure, currency)
    names = _names(second, lines, ctx) if second else {None: measure.label}
    chart_series = [series(names[line], [_value(cells.get((v, line)), measure) for v in axis], show) for line in lines]
    link = linker(definition, role)
    return Chart(
        kind=definition.chart,
        categories=[_names(first, axis, ctx)[v] for v in axis],
        series=chart_series,
        unit=_unit(measure),
        links=[link((v,)) for v in axis],
        point_links=[[link((v, line)) for v in axis] for line in lines] if second else [],
        stacked=second is not None and definition.chart in ("bar", "hbar"),
        scale=10 ** exponent(currency) if measure.unit == "money" else 1,
    )


def _totals(groups: Groups, index: int) -> dict[Any, float]:
    found: dict[Any, float] = {}
    for keys, cell in groups.items():
        if index < len(keys):
            found[keys[index]] = found.get(keys[index], 0.0) + cell.total
    return found


def _place(value: Any, kept: list[Any]) -> Any:
    return value if value in kept else OTHER


def _kept(split: Split, totals: dict[Any, float], cap: int, definition: Definition) -> list[Any]:
    """The values of one dimension shown, in the order shown; OTHER last (first for time: "Earlier")."""
    real = [v for v in totals if v is not None and v is not OTHER]
    if split.date is not None:
        return _timeline(real, split.grain or "month", definition, OTHER in totals)
    if split.dimension is not None and split.dimension.ordered and len(real) <= cap:
        order = list((split.dimension.names or (lambda v: {}))(real))
        shown = [v for v in order if v in real] + [v for v in real if v not in order]
    else:
        shown = sorted(real, key=lambda v: -totals[v])[:cap]
    tail = [None] if None in totals else []
    if OTHER in totals or len(shown) < len(real):
        tail.append(OTHER)
    return shown + tail


def _timeline(real: list[date], grain: str, definition: Definition, folded: bool) -> list[Any]:
    if not real:
        return [OTHER] if folded else []
    start, end = min(real), max(real)
    if definition.source.main_date is definition.splits[0].date:
        start = min(start, _floor(definition.start, grain)) if definition.start else start
        end = max(end, _floor(definition.end, grain)) if definition.end else end
    months = []
    while start <= end:
        months.append(start)
        start = _add_months(start, STEP[grain])
    if len(months) > TIME_BUCKETS:
        months, folded = months[-TIME_BUCKETS:], True
    return ([OTHER] if folded else []) + months


def _floor(day: date, grain: str) -> date:
    month = {"month": day.month, "quarter": 3 * ((day.month - 1) // 3) + 1, "year": 1}[grain]
    return date(day.year, month, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _names(split: Split, values: list[Any], ctx: Context) -> dict[Any, str]:
    real = [v for v in values if v is not None and v is not OTHER]
    if split.date is not None:
        found = {v: _period_name(v, split.grain or "month") for v in real} | {OTHER: _("Earlier")}
    elif split.field is not None:
        found = _field_names(split, real, ctx)
    elif split.dimension is not None and split.dimension.names is not None:
        found = split.dimension.names(real)
    else:
        found = {}
    found = {v: found.get(v, str(v)) for v in real} | ({OTHER: found[OTHER]} if OTHER in found else {})
    found.setdefault(None, _("Not set"))
    found.setdefault(OTHER, _("Other"))
    return found


def _field_names(split: Split, values: list[Any], ctx: Context) -> dict[Any, str]:
    field = split.field
    stored = TYPES[field.type].stored  # type: ignore[union-attr]
    if stored == "member":
        return people(values)
    if stored == "boolean":
        return {"true": _("Yes"), "false": _("No")}
    return {c.key: c.label(ctx.language) for c in custom.choices_of(field)}  # type: ignore[arg-type]


def _period_name(day: date, grain: str) -> str:
    if grain == "year":
        return str(day.year)
    if grain == "quarter":
        return _("%(year)d Q%(quarter)d", year=day.year, quarter=(day.month + 2) // 3)
    return f"{day.year}-{day.month:02d}"


def _value(cell: Cell | None, measure: Measure) -> float | int | None:
    if cell is None or cell.n == 0:
        return 0 if measure.agg != "avg" else None
    figure = cell.total / cell.n if measure.agg == "avg" else cell.total
    if measure.agg == "count" or measure.unit == "money":
        return round(figure)
    return round(figure, 1 if measure.unit == "hours" else 2)


def _unit(measure: Measure) -> Any:
    if measure.agg == "count":
        return "count"
    return measure.unit


def _shower(measure: Measure, currency: str):
    if measure.agg == "count":
        return lambda v: f"{int(v):,}"
    if measure.unit == "money":
        return lambda v: for_reader(int(v), currency)
    if measure.unit == "hours":
        return lambda v: _("%(hours)s h", hours=f"{v:,.1f}")
    return lambda v: f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}"
