"""A dashboard's filters, read from the query string (so a dashboard is a link), and the WHERE clauses they and
the reader's record-level access make on each source.

Garbage is ignored, never an error page: an owner that is not a member of this studio (another studio's id, a
made-up one) is dropped with a note, as is a custom period that does not parse or runs backwards. What a reader
counts is always what they may see (saas/clients/access.py and its equivalents for projects and tickets), and the
filters only narrow it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, select, true

from saas.clients.access import visible_to
from saas.clients.models import Client
from saas.extensions import db
from saas.projects.access import projects_visible_to
from saas.projects.models import Project
from saas.reports import periods
from saas.reports.periods import Period
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm
from saas.tickets.access import tickets_visible_to
from saas.tickets.models import Ticket


@dataclass(frozen=True)
class Filters:
    period: Period
    owner: uuid.UUID | None = None
    source: str = ""
    project_type: str = ""
    notes: tuple[str, ...] = field(default=())  # what was asked and ignored, told on the page

    def as_args(self) -> dict[str, str]:
        values = {
            **self.period.as_args(),
            "owner": str(self.owner) if self.owner else "",
            "source": self.source,
            "type": self.project_type,
        }
        return {k: v for k, v in values.items() if v}

    # Where a figure links: the list of its records with the board's filters as that list spells them. A list that
    # cannot express one of them gives None (the figure does not link) rather than a list holding something else.

    def period_args(self, stem: str) -> dict[str, str]:
        """The period as a list's from–to filter named `stem` (created → created_from, created_to)."""
        return {f"{stem}_from": self.period.start.isoformat(), f"{stem}_to": self.period.last.isoformat()}

    def on_clients(self) -> dict[str, str]:
        """The client list: its owner and source."""
        values = {"owner": str(self.owner) if self.owner else "", "source": self.source}
        return {k: v for k, v in values.items() if v}

    def on_projects(self) -> dict[str, str]:
        """The project list: the project's owner and type, its client's source."""
        values = {"owner": str(self.owner) if self.owner else "", "type": self.project_type, "source": self.source}
        return {k: v for k, v in values.items() if v}

    def on_money(self) -> dict[str, str]:
        """The invoice and payment lists: the client's owner and source, the project's type (an invoice without a
        project is of no type: the figures narrowed by type leave it out, and so does the list)."""
        values = {"owner": str(self.owner) if self.owner else "", "source": self.source, "type": self.project_type}
        return {k: v for k, v in values.items() if v}

    def on_contracts(self) -> dict[str, str]:
        """The contract list: the client's owner and source. Signed amounts are per client (the leaderboard ranks
        the client's owner), and the board's project type does not narrow them, so the link does not pass it."""
        return self.on_clients()

    def on_tickets(self) -> dict[str, str]:
        """The ticket list: the client's owner (`owner`, as the widget narrows tickets by their client, not their
        assignee) and source (`client_source`: the list's `source` is how a ticket came in)."""
        values = {"owner": str(self.owner) if self.owner else "", "client_source": self.source}
        return {k: v for k, v in values.items() if v}


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "")[:10])
    except ValueError:
        return None


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID((raw or "")[:36]) if raw else None
    except ValueError:
        return None


def _period(args: Any, today: date, timezone: str) -> tuple[Period, list[str]]:
    key = args.get("period") if args.get("period") in periods.PERIOD_KEYS else "month"
    if key != "custom":
        return periods.current(key, today, timezone), []
    start, last = _day(args.get("from")), _day(args.get("to"))
    found = periods.custom(start, last, timezone) if start and last else None
    if found is None:
        note = _("The custom period was not understood (from–to, at most three years): showing this month.")
        return periods.current("month", today, timezone), [note]
    return found, []


def studio_member_ids() -> set[uuid.UUID]:
    """The people of the current studio (the ORM scope keeps it to this one)."""
    return set(db.session.scalars(select(Membership.user_id)))


def read(args: Any, today: date, timezone: str, people: set[uuid.UUID]) -> Filters:
    """The filters a query string asks for, among `people` (the studio's members) for the owner."""
    period, notes = _period(args, today, timezone)
    owner = _uuid(args.get("owner"))
    if args.get("owner") and owner not in people:
        owner = None
        notes.append(_("That owner is not a member of this studio: showing everyone."))
    return Filters(
        period=period,
        owner=owner,
        source=(args.get("source") or "").strip()[:80],
        project_type=(args.get("type") or "").strip()[:60],
        notes=tuple(notes),
    )


def personal(filters: Filters, membership: Membership) -> Filters:
    """The personal board: the same period, always the reader's own records."""
    return replace(filters, owner=membership.user_id)


@dataclass(frozen=True)
class Scope:
    """Who reads (their record-level access) and the filters: a WHERE clause per source."""

    membership: Membership
    filters: Filters

    @property
    def period(self) -> Period:
        return self.filters.period

    @property
    def everything(self) -> bool:
        """The reader sees every client and nothing narrows them: a widget need not join a row to its client or
        project at all (the plans skip a scan of 100,000 invoices or 20,000 projects)."""
        f = self.filters
        return has_perm(self.membership.role, Perm.CLIENTS_ALL) and not (f.owner or f.source or f.project_type)

    def clients(self) -> ColumnElement[bool]:
        """On Client: visible to the reader, of the owner and source asked for."""
        clauses = [visible_to(self.membership)]
        if self.filters.owner:
            clauses.append(Client.owner_id == self.filters.owner)
        if self.filters.source:
            clauses.append(Client.source == self.filters.source)
        return and_(*clauses)

    def of_clients(self, client_id: Any) -> ColumnElement[bool]:
        """On any row with a client: its client is in scope (no condition at all for a reader who sees every
        client and nothing narrowing them)."""
        if not (self.filters.owner or self.filters.source) and has_perm(self.membership.role, Perm.CLIENTS_ALL):
            return true()
        # Its own Client, even when the query around it joins clients (a list of invoices with their names).
        return exists(select(Client.id).where(Client.id == client_id, self.clients()).correlate_except(Client))

    def projects(self) -> ColumnElement[bool]:
        """On Project: visible, of the owner (the project's) and type asked for, the client's source."""
        clauses = [projects_visible_to(self.membership)]
        if self.filters.owner:
            clauses.append(Project.owner_id == self.filters.owner)
        if self.filters.project_type:
            clauses.append(Project.type == self.filters.project_type)
        if self.filters.source:
            of_source = select(Client.id).where(Client.id == Project.client_id, Client.source == self.filters.source)
            clauses.append(exists(of_source.correlate_except(Client)))
        return and_(*clauses)

    def of_projects(self, project_id: Any) -> ColumnElement[bool]:
        """On rows with a project (costs, invoices): only when a type is asked for does the project matter."""
        if not self.filters.project_type:
            return true()
        return exists(select(Project.id).where(Project.id == project_id, Project.type == self.filters.project_type))

    def tickets(self) -> ColumnElement[bool]:
        return and_(tickets_visible_to(self.membership), self.of_clients(Ticket.client_id))


def known_sources(limit: int = 50) -> list[str]:
    """The source channels the studio's clients came by, for the filter's choices."""
    query = select(Client.source).where(Client.source.is_not(None)).group_by(Client.source).order_by(Client.source)
    return [s for s in db.session.scalars(query.limit(limit)) if s]
