"""The visits as a list (the schedule is a calendar of a day or a week): the records behind the report builder's
visit counts, filtered by status, who it is assigned to and the studio's days it was scheduled for
(`scheduled_from`, `scheduled_to`), within who sees which visit (saas/visits/access.py). Latest first, in keyset
pages on (scheduled start, id), one query a page (each visit with its client and assignee)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from saas.clients.models import Client
from saas.days import DayRange
from saas.extensions import db
from saas.keyset import newest_first
from saas.tenants.models import Membership
from saas.tenants.queries import person_arg, strangers, studio_timezone
from saas.visits.access import visits_visible_to
from saas.visits.models import Visit, VisitStatus

PAGE_SIZE = 50


@dataclass(frozen=True)
class VisitFilters:
    status: str = ""  # a VisitStatus
    assignee: str = ""  # a user id or "me"
    scheduled: DayRange = field(default_factory=lambda: DayRange("scheduled"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page

    @classmethod
    def from_args(cls, args: Any) -> VisitFilters:
        scheduled, problems = DayRange.read("scheduled", args)
        status = str(args.get("status") or "")
        if status and status not in tuple(VisitStatus):
            problems["status"] = _("Choose one of the statuses offered.")
        return cls(
            status=status if status in tuple(VisitStatus) else "",
            assignee=person_arg(args.get("assignee")),
            scheduled=scheduled,
            problems=tuple(problems.items()),
        )

    def among(self, people: set[str]) -> VisitFilters:
        """An assignee who is not of this studio is said beside the field and left out."""
        found = strangers({"assignee": self.assignee}, people)
        return replace(self, assignee="", problems=tuple({**dict(self.problems), **found}.items())) if found else self

    def as_args(self) -> dict[str, str]:
        values = {"status": self.status, "assignee": self.assignee}
        return {**{k: v for k, v in values.items() if v}, **self.scheduled.as_args()}


@dataclass
class VisitPage:
    visits: list[Visit]
    next_cursor: str | None
    filters: VisitFilters = field(default_factory=VisitFilters)


def visits_filtered(membership: Membership, f: VisitFilters) -> Select:
    """The visits the list shows for these filters, with their clients, unordered."""
    query = (
        select(Visit)
        .join(Visit.client)
        .options(contains_eager(Visit.client).lazyload(Client.owner))  # the page names the client alone
        .where(visits_visible_to(membership))
    )
    if f.status:
        query = query.where(Visit.status == f.status)
    if f.assignee:
        try:
            person = membership.user_id if f.assignee == "me" else uuid.UUID(f.assignee)
        except ValueError:
            person = None  # not a person: no one's
        query = query.where(Visit.assignee_id == person)
    if f.scheduled:
        query = query.where(*f.scheduled.holds(Visit.scheduled_start, studio_timezone(membership.tenant_id)))
    return query


def visit_page(membership: Membership, f: VisitFilters, cursor: str | None = None) -> VisitPage:
    """Latest scheduled first, PAGE_SIZE at a time: no OFFSET, no COUNT."""
    rows, next_cursor = newest_first(
        visits_filtered(membership, f),
        Visit.scheduled_start,
        Visit.id,
        cursor,
        PAGE_SIZE,
        read=lambda query: db.session.scalars(query).unique().all(),
        key=lambda row: (row.scheduled_start, row.id),
    )
    return VisitPage(rows, next_cursor, f)
