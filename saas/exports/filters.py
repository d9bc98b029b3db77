"""The filters an export is asked for, checked strictly before they reach the lists' builders.

A list page quietly drops a filter value it cannot use (an unknown status, an owner that is not a person) and
shows the rest; a file that leaves the studio must not silently hold something other than what was asked for, so
an export refuses such a value with a message naming it (422 on the form), and writes nothing. Control
characters and broken UTF-8 never get this far: the door refuses them for every request (saas.web.inputs).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask_babel import gettext as _

from saas.billing.models import InvoiceKind, PaymentMethod
from saas.billing.queries import INVOICE_STATUSES
from saas.clients.models import ClientKind, ClientStatus
from saas.clients.queries import PROJECTS, REACHED, SORTS
from saas.days import DayRange
from saas.errors import ValidationFailed
from saas.fields.queries import FILTERS_MAX, OPS, PREFIX, VALUE_MAX, split
from saas.projects.queries import DEALS, STATES

# The from–to periods of each list, in the studio's days (saas/days.py): created_from, created_to…
RANGES = {
    "clients": ("created", "last_contact", "left"),
    "projects": ("created", "due", "closed", "left_stage"),
    "invoices": ("issued", "due"),
}
# Every argument each list understands (custom-field filters, `cf.…`, are checked on their own).
KNOWN = {
    "clients": {
        "q",
        "status",
        "owner",
        "tag",
        "source",
        "no_source",
        "industry",
        "region",
        "kind",
        "reached",
        "projects",
        "created_from",
        "created_to",
        "last_contact_from",
        "last_contact_to",
        "left_from",
        "left_to",
        "quiet_days",
        "archived",
        "sort",
        "cols",
    },
    "projects": {
        "owner",
        "client",
        "type",
        "stage",
        "state",
        "deal",
        "source",
        "archived",
        "cols",
        "created_from",
        "created_to",
        "due_from",
        "due_to",
        "closed_from",
        "closed_to",
        "left_stage",
        "left_stage_from",
        "left_stage_to",
    },
    "invoices": {"status", "kind", "owner", "source", "type", "issued_from", "issued_to", "due_from", "due_to"},
    "payments": {"from", "to", "method", "client", "owner", "source", "type"},
}
CUSTOM_FILTERS = ("clients", "projects")  # the lists that filter by the studio's own fields
LONGEST = {"q": 100, "tag": 40, "source": 80, "industry": 80, "region": 80, "type": 60, "cols": 400}


def check(list_name: str, args: dict[str, str]) -> None:
    """ValidationFailed naming each argument the list cannot honour exactly."""
    errors: dict[str, list[str]] = {}
    custom = [name for name in args if name.startswith(PREFIX)]
    for name, value in args.items():
        problem = _custom_problem(name, value) if name.startswith(PREFIX) else _problem(list_name, name, value)
        if problem:
            errors[name[:60]] = [problem]
    for stem in RANGES.get(list_name, ()):
        _range, problems = DayRange.read(stem, args)
        for name, message in problems.items():
            errors.setdefault(name, [message])
    if list_name not in CUSTOM_FILTERS and custom:
        errors["cf"] = [_("This list has no custom-field filters.")]
    elif len(custom) > FILTERS_MAX:
        errors["cf"] = [_("At most %(n)d custom-field filters at once.", n=FILTERS_MAX)]
    if errors:
        raise ValidationFailed(errors)


def _problem(list_name: str, name: str, value: str) -> str | None:
    if name not in KNOWN[list_name]:
        return _("Not a filter of this list.")
    if len(value) > LONGEST.get(name, 40):
        return _("Too long.")
    if not value:
        return None
    return _VALUE_CHECKS.get((list_name, name), _VALUE_CHECKS.get(("*", name), _fine))(value)


def _custom_problem(name: str, value: str) -> str | None:
    _key, op = split(name)
    if op not in OPS:
        return _("Not a filter of this list.")
    if len(value) > VALUE_MAX:
        return _("Too long.")
    return None


def _fine(_value: str) -> str | None:
    return None


def _one_of(choices: tuple[str, ...]) -> Any:
    return lambda value: None if value in choices else _("Choose one of the list's values.")


def _person(value: str) -> str | None:
    return None if value == "me" or _is_uuid(value) else _("Choose a person of the studio.")


def _record(value: str) -> str | None:
    return None if _is_uuid(value) else _("Choose one of the list's values.")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _day(value: str) -> str | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return _("Enter a date as YYYY-MM-DD.")
    return None


def _days(value: str) -> str | None:
    return None if value.isdigit() and 0 < int(value) < 3650 else _("Enter a number of days.")


_VALUE_CHECKS: dict[tuple[str, str], Any] = {
    ("clients", "status"): _one_of(tuple(ClientStatus)),
    ("clients", "sort"): _one_of(SORTS),
    ("clients", "quiet_days"): _days,
    ("clients", "kind"): _one_of(tuple(ClientKind)),
    ("clients", "no_source"): _one_of(("1",)),
    ("invoices", "kind"): _one_of(tuple(InvoiceKind)),
    ("*", "archived"): _one_of(("1", "0", "all")),
    ("clients", "reached"): _one_of(tuple(REACHED)),
    ("clients", "projects"): _one_of(PROJECTS),
    ("projects", "state"): _one_of(STATES),
    ("projects", "deal"): _one_of(DEALS),
    ("*", "owner"): _person,
    ("*", "client"): _record,
    ("projects", "stage"): _record,
    ("projects", "left_stage"): _record,
    ("invoices", "status"): _one_of(INVOICE_STATUSES),
    ("payments", "method"): _one_of(tuple(PaymentMethod)),
    ("payments", "from"): _day,
    ("payments", "to"): _day,
}
