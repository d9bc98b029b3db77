"""A report's definition: what it counts (source and measure), how it splits the figures (one or two dimensions),
over which period and as which chart. Checked against what the reader may use whenever it is saved and whenever
it is read, since a custom field may have been removed or a role changed since: a definition that no longer
holds is a clear message (ValidationFailed), never a crash.

Stored as a small dict of strings: {"source", "measure", "dim1", "dim2", "from", "to", "chart"}; measures read
`count`, `sum:amount`, `avg:cf.area`; dimensions `status`, `created:month`, `cf.style`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from saas.errors import ValidationFailed
from saas.fields import values as custom
from saas.fields.models import FieldDefinition
from saas.fields.types import TYPES
from saas.reports.builder.registry import GRAINS, SOURCES, DateField, Dimension, Grain, Source
from saas.tenants.models import Membership
from saas.web.charts import Kind, Unit

Agg = Literal["count", "sum", "avg"]
CHARTS: tuple[Kind, ...] = ("bar", "hbar", "line", "pie", "funnel", "table")
ONE_DIMENSION: tuple[Kind, ...] = ("pie", "funnel")
CUSTOM = "cf."
NUMERIC_STORED = ("number", "money")
GROUPABLE_STORED = ("choice", "boolean", "member")
FIELDS = ("source", "measure", "dim1", "dim2", "from", "to", "chart")


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    agg: Agg
    unit: Unit
    number: Any = None  # registry.Number, for a source's own field
    field: FieldDefinition | None = None  # a custom field


@dataclass(frozen=True)
class Split:
    """One way to split the figures: a source's dimension, a date by month/quarter/year, or a custom field."""

    key: str
    label: str
    dimension: Dimension | None = None
    date: DateField | None = None
    grain: Grain | None = None
    field: FieldDefinition | None = None


@dataclass(frozen=True)
class Options:
    source: Source
    measures: dict[str, Measure]
    splits: dict[str, Split]


@dataclass(frozen=True)
class Definition:
    options: Options
    measure: Measure
    splits: tuple[Split, ...]
    start: date | None
    end: date | None
    chart: Kind

    @property
    def source(self) -> Source:
        return self.options.source

    def as_dict(self) -> dict[str, str]:
        return {
            "source": self.source.key,
            "measure": self.measure.key,
            "dim1": self.splits[0].key,
            "dim2": self.splits[1].key if len(self.splits) > 1 else "",
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "chart": self.chart,
        }


def chart_names() -> dict[str, str]:
    return {
        "bar": _("Bars"),
        "hbar": _("Horizontal bars"),
        "line": _("Line"),
        "pie": _("Pie"),
        "funnel": _("Funnel"),
        "table": _("Table"),
    }


GRAIN_WORDS = {
    "month": lazy_gettext("%(date)s by month"),
    "quarter": lazy_gettext("%(date)s by quarter"),
    "year": lazy_gettext("%(date)s by year"),
}


def sources_for(membership: Membership) -> list[Source]:
    return [s for s in SOURCES.values() if s.may_use(membership)]


def options_for(membership: Membership, source: Source, language: str) -> Options:
    fields = custom.visible(membership.role, source.custom_entity) if source.custom_entity else []
    return Options(source, _measures(source, fields, language), _splits(source, fields, language))


def _measures(source: Source, fields: list[FieldDefinition], language: str) -> dict[str, Measure]:
    found = {"count": Measure("count", _("Number of records"), "count", "count")}
    numbers = [(n.key, n.label(), n.unit, n, None) for n in source.numbers]
    numbers += [
        (CUSTOM + f.key, f.label(language), "money" if TYPES[f.type].stored == "money" else "number", None, f)
        for f in fields
        if TYPES[f.type].stored in NUMERIC_STORED
    ]
    for key, label, unit, number, field in numbers:
        found[f"sum:{key}"] = Measure(f"sum:{key}", _("Sum of %(field)s", field=label), "sum", unit, number, field)
        found[f"avg:{key}"] = Measure(f"avg:{key}", _("Average %(field)s", field=label), "avg", unit, number, field)
    return found


def _splits(source: Source, fields: list[FieldDefinition], language: str) -> dict[str, Split]:
    found = {d.key: Split(d.key, d.label(), dimension=d) for d in source.dimensions}
    for when in source.all_dates():
        for grain in GRAINS:
            key = f"{when.key}:{grain}"
            found[key] = Split(key, str(GRAIN_WORDS[grain]) % {"date": when.label()}, date=when, grain=grain)
    for f in fields:
        if TYPES[f.type].stored in GROUPABLE_STORED:
            found[CUSTOM + f.key] = Split(CUSTOM + f.key, f.label(language), field=f)
    return found


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ""


def _gone(key: str) -> str:
    """The words for a custom field named by a definition that this studio no longer offers this reader."""
    field = key.partition(CUSTOM)[2][:40]
    return _("This report uses a custom field that is no longer there (%(key)s): choose another.", key=field)


def check(membership: Membership, raw: Mapping[str, Any], language: str) -> Definition:
    """The definition `raw` names, when every part of it is offered to this person; ValidationFailed otherwise."""
    errors: dict[str, list[str]] = {}
    source = {s.key: s for s in sources_for(membership)}.get(_text(raw, "source"))
    if source is None:
        raise ValidationFailed({"source": [_("Choose one of the sources offered.")]})
    options = options_for(membership, source, language)
    measure = options.measures.get(_text(raw, "measure"))
    if measure is None:
        key = _text(raw, "measure")
        errors["measure"] = [_gone(key) if CUSTOM in key else _("Choose one of the measures offered.")]
    splits = _check_splits(options, raw, errors)
    start, end = _period(raw, errors)
    chart = _text(raw, "chart")
    if chart not in CHARTS:
        errors["chart"] = [_("Choose one of the charts offered.")]
    elif chart in ONE_DIMENSION and len(splits) > 1:
        errors["chart"] = [_("A pie or a funnel shows one dimension: remove the second one or choose another chart.")]
    if errors:
        raise ValidationFailed(errors)
    return Definition(options, measure, splits, start, end, chart)  # type: ignore[arg-type]


def _check_splits(options: Options, raw: Mapping[str, Any], errors: dict[str, list[str]]) -> tuple[Split, ...]:
    found: list[Split] = []
    for name in ("dim1", "dim2"):
        key = _text(raw, name)
        if not key and name == "dim2":
            continue
        split = options.splits.get(key)
        if split is None:
            errors[name] = [_gone(key) if key.startswith(CUSTOM) else _("Choose one of the dimensions offered.")]
        elif found and found[0].key == key:
            errors[name] = [_("Choose a second dimension different from the first.")]
        else:
            found.append(split)
    return tuple(found)


def _period(raw: Mapping[str, Any], errors: dict[str, list[str]]) -> tuple[date | None, date | None]:
    ends: list[date | None] = []
    for name in ("from", "to"):
        text = _text(raw, name)
        try:
            ends.append(date.fromisoformat(text) if text else None)
        except ValueError:
            errors[name] = [_("Enter a date like 2026-03-31.")]
            ends.append(None)
    start, end = ends
    if start and end and end < start:
        errors["to"] = [_("The period ends before it starts.")]
    return start, end


def with_defaults(membership: Membership, raw: Mapping[str, Any], language: str) -> dict[str, str]:
    """For the form while it is being filled in: a source chosen anew brings its own measures and dimensions, so
    a choice the new source does not offer falls back to its first option instead of being an error."""
    offered = sources_for(membership)
    if not offered:
        return {}
    source = {s.key: s for s in offered}.get(_text(raw, "source")) or offered[0]
    options = options_for(membership, source, language)
    form = {name: _text(raw, name)[:200] for name in FIELDS}
    form["source"] = source.key
    if form["measure"] not in options.measures:
        form["measure"] = "count"
    if form["dim1"] not in options.splits:
        form["dim1"] = next(iter(options.splits))
    if form["dim2"] and (form["dim2"] not in options.splits or form["dim2"] == form["dim1"]):
        form["dim2"] = ""
    if form["chart"] not in CHARTS:
        form["chart"] = "bar"
    return form
