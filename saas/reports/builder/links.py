"""Where a point of a builder chart leads: the list of the records it counts, filtered to the point's values and
the report's period, as the dashboards' figures link to theirs.

Each source names its list and, for every dimension and date the list can filter by, the argument that does it.
A point links only when every one of its values maps to a list filter: a value the list cannot filter by ("Not
set" of a plain dimension, the summed-up "Other") gives no link rather than a list that holds something else. The
studio's own fields link by their value (a choice, yes or no, a person) and "Not set" by the list's "has no value"
filter. Follow-ups open the follow-ups logged (by kind and author, the days logged), visits the visits as a list
(by status and assignee, the days scheduled).

Clients and projects are counted as the lists show them by default, current ones only (sources.py): a report
of clients by status is the studio's clients now, the figure and its list agree without an "archived" argument."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import url_for

from saas.fields.types import TYPES
from saas.reports.builder.definition import Definition, Split
from saas.tenants.roles import Perm, has_perm

Args = dict[str, str]


@dataclass(frozen=True)
class ListOf:
    """A source's list: its endpoint, arguments it always needs, its dimensions' arguments and its dates' from–to
    arguments (the source's main date first: the report's period applies to it)."""

    endpoint: str
    dimensions: dict[str, str]
    dates: dict[str, tuple[str, str]]
    fixed: Args = field(default_factory=dict)
    custom: bool = False  # the list filters by the studio's own fields: cf.<key>=<option>
    perm: Perm | None = None  # what the list asks of its reader beyond the source's own rule (payments, tickets)


def _range(stem: str) -> tuple[str, str]:
    return f"{stem}_from", f"{stem}_to"


LISTS: dict[str, ListOf] = {
    "clients": ListOf(
        "staff.clients",
        {d: d for d in ("status", "source", "owner", "industry", "region", "kind")},
        {"created": _range("created"), "last_contact": _range("last_contact")},
        custom=True,
    ),
    "projects": ListOf(
        "staff.project_list",
        {"stage": "stage", "type": "type", "owner": "owner"},
        {"created": _range("created"), "due": _range("due"), "closed": _range("closed")},
        custom=True,
    ),
    "follow_ups": ListOf(
        "staff.follow_up_log",
        {"kind": "kind", "owner": "author"},
        {"occurred": _range("logged")},
        perm=Perm.CLIENTS_RELATIONSHIP,
    ),
    "visits": ListOf(
        "staff.visit_list",
        {"status": "status", "owner": "assignee"},
        {"scheduled": _range("scheduled")},
        perm=Perm.CLIENTS_RELATIONSHIP,
    ),
    "invoices": ListOf(
        "staff.invoice_list",
        {"status": "status", "kind": "kind"},
        {"created": _range("issued"), "due": _range("due")},
    ),
    "payments": ListOf("staff.payment_list", {"method": "method"}, {"paid": ("from", "to")}, perm=Perm.PAYMENTS),
    "tickets": ListOf(
        "staff.tickets",
        {d: d for d in ("status", "priority", "category", "source")} | {"owner": "assignee"},
        {"created": _range("created"), "resolved": _range("resolved")},
        fixed={"status": "all"},
        custom=True,
        perm=Perm.TICKETS,
    ),
}
GRAIN_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def linker(definition: Definition, role: str | None) -> Callable[[tuple[Any, ...]], str | None]:
    """A function from a point's values (one per split, or the first alone) to its list's URL, or None. A reader
    whose role does not open the list (a member's payments report: the payments list is for those who handle
    money) gets no links rather than links to a refusal."""
    target = LISTS.get(definition.source.key)
    if target is not None and target.perm is not None and not has_perm(role, target.perm):
        target = None

    def link(values: tuple[Any, ...]) -> str | None:
        if target is None:
            return None
        args = {**target.fixed, **_period(definition, target)}
        for split, value in zip(definition.splits, values, strict=False):  # fewer values: the rest unfiltered
            found = _split_args(definition, target, split, value)
            if found is None:
                return None
            args |= found
        return url_for(target.endpoint, **args)

    return link


def _period(definition: Definition, target: ListOf) -> Args:
    start_arg, end_arg = target.dates[definition.source.main_date.key]
    found = {start_arg: definition.start.isoformat() if definition.start else ""}
    found[end_arg] = definition.end.isoformat() if definition.end else ""
    return {k: v for k, v in found.items() if v}


# The list filter of a custom field's grouped value (FieldValue.keyed), by how the type stores it: a choice by its
# option, yes/no as the list's own options ("yes", "no"), a person by their id. Several choices are grouped by
# their stored list, which no single filter matches.
CUSTOM_VALUE: dict[str, Callable[[str], str | None]] = {
    "choice": lambda keyed: keyed,
    "boolean": lambda keyed: {"true": "yes", "false": "no"}.get(keyed),
    "member": lambda keyed: keyed,
}


def _split_args(definition: Definition, target: ListOf, split: Split, value: Any) -> Args | None:
    if split.field is not None:
        return _custom_args(target, split, value)
    if value is None or not isinstance(value, str | date | uuid.UUID):
        return None  # not set, or the summed-up rest
    if split.dimension is not None:
        name = target.dimensions.get(split.dimension.key)
        return {name: str(value)} if name else None
    if split.date is not None and isinstance(value, date):
        return _bucket(definition, target, split, value)
    return None


def _custom_args(target: ListOf, split: Split, value: Any) -> Args | None:
    assert split.field is not None
    to_filter = CUSTOM_VALUE.get(TYPES[split.field.type].stored)
    if not target.custom or to_filter is None or not (value is None or isinstance(value, str)):
        return None  # a list without the studio's fields, a type no filter matches, or the summed-up rest
    if value is None:  # not set: the records without a value
        return {f"cf.{split.field.key}.empty": "1"}
    found = to_filter(value)
    return {f"cf.{split.field.key}": found} if found else None


def _bucket(definition: Definition, target: ListOf, split: Split, first: date) -> Args | None:
    """A month, quarter or year of a date the list filters by; for the main date, within the report's period."""
    assert split.date is not None
    names = target.dates.get(split.date.key)
    if names is None:
        return None
    index = first.year * 12 + first.month - 1 + GRAIN_MONTHS[split.grain or "month"]
    last = date(index // 12, index % 12 + 1, 1) - timedelta(days=1)
    if split.date is definition.source.main_date:
        first = max(first, definition.start) if definition.start else first
        last = min(last, definition.end) if definition.end else last
    return {names[0]: first.isoformat(), names[1]: last.isoformat()}
