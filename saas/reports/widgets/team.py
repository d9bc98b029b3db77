"""The team (seed 001's 业绩龙虎榜 and growth trend, seed 002's service times): signed amount per person (the
leaderboard, by the signed client's owner), follow-ups per person (logged, and next actions done), tickets' first
response and resolution times, and new clients per month in the studio's months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.billing.models import Contract, ContractStatus
from saas.clients.models import Client, Interaction
from saas.clients.rollups import FollowUpDay
from saas.extensions import db
from saas.reports import periods
from saas.reports.filters import Scope
from saas.reports.sql import hours_between
from saas.reports.widgets import amount, count
from saas.tenants.models import User
from saas.tickets.models import Ticket
from saas.web.charts import Chart, series

TOP = 10


@dataclass(frozen=True)
class PersonFigure:
    name: str
    value: int
    link: str | None


@dataclass(frozen=True)
class ServiceTimes:
    tickets: int
    first_response_hours: float | None
    resolution_hours: float | None


@dataclass(frozen=True)
class Team:
    leaderboard: list[PersonFigure] | None  # None: not for this reader
    follow_ups: list[PersonFigure] | None
    service: ServiceTimes | None
    growth: list[tuple[str, int, str]]  # (month, new clients, link)
    tickets_link: str | None = None  # the tickets raised in the period
    resolved_link: str | None = None  # those of them resolved (the resolution time's tickets)

    @property
    def leaderboard_chart(self) -> Chart:
        rows = self.leaderboard or []
        return Chart(
            "hbar",
            [r.name for r in rows],
            [series(_("Signed amount"), [r.value for r in rows], amount)],
            unit="money",
            links=[r.link for r in rows],
            scale=100,
        )

    @property
    def follow_ups_chart(self) -> Chart:
        rows = self.follow_ups or []
        return Chart(
            "hbar",
            [r.name for r in rows],
            [series(_("Follow-ups"), [r.value for r in rows], count)],
            links=[r.link for r in rows],
        )

    @property
    def growth_chart(self) -> Chart:
        return Chart(
            "line",
            [m for m, _n, _l in self.growth],
            [series(_("New clients"), [n for _m, n, _l in self.growth], count)],
            links=[link for _m, _n, link in self.growth],
        )


def signed_contracts_link(scope: Scope, owner: Any) -> str:
    """The contracts signed in the period of clients owned by `owner` (a user id) and of the board's source: the
    signed amount's records. Clients archived since count, in the figure and the contract list alike: the sale was
    made."""
    args = {**scope.filters.on_contracts(), "owner": str(owner), **scope.filters.period_args("signed")}
    return url_for("staff.contract_list", status=ContractStatus.SIGNED.value, **args)


def leaderboard(scope: Scope) -> list[PersonFigure]:
    amount = func.sum(Contract.amount_minor)
    query = (
        select(User.id, User.name, amount)
        .select_from(Contract)
        .join(Client, Client.id == Contract.client_id)
        .join(User, User.id == Client.owner_id)
        .where(
            Contract.status == ContractStatus.SIGNED,
            scope.period.holds(Contract.signed_on, is_date=True),
            scope.clients(),
        )
        .group_by(User.id, User.name)
        .order_by(amount.desc(), User.name)
        .limit(TOP)
    )
    return [PersonFigure(n, int(a), signed_contracts_link(scope, i)) for i, n, a in db.session.execute(query)]


def follow_ups(scope: Scope) -> list[PersonFigure]:
    """Follow-ups logged in the period per author, on clients in scope: from the day rollup when the reader sees
    every client unfiltered (half a million follow-ups a year become a few thousand day rows), else counted."""
    if scope.everything:
        return _rolled_follow_ups(scope)
    logged = func.count()
    query = (
        select(User.id, User.name, logged)
        .select_from(Interaction)
        .join(User, User.id == Interaction.author_id)
        .where(scope.period.holds(Interaction.occurred_at), scope.of_clients(Interaction.client_id))
        .group_by(User.id, User.name)
        .order_by(logged.desc(), User.name)
        .limit(TOP)
    )
    if scope.filters.owner:
        query = query.where(Interaction.author_id == scope.filters.owner)
    return [PersonFigure(n, int(c), follow_ups_link(scope, i)) for i, n, c in db.session.execute(query)]


def follow_ups_link(scope: Scope, author: Any) -> str:
    """The follow-ups logged by `author` in the period on the clients in scope (the list keeps archived clients'
    follow-ups, as the figure does): the board's owner and source are the list's client owner and source."""
    args = {**scope.filters.on_clients(), "author": str(author), **scope.filters.period_args("logged")}
    return url_for("staff.follow_up_log", **args)


def _rolled_follow_ups(scope: Scope) -> list[PersonFigure]:
    logged = func.sum(FollowUpDay.logged)
    query = (
        select(User.id, User.name, logged)
        .select_from(FollowUpDay)
        .join(User, User.id == FollowUpDay.author_id)
        .where(scope.period.holds(FollowUpDay.day, is_date=True))
        .group_by(User.id, User.name)
        .having(logged > 0)  # days whose follow-ups were all deleted since
        .order_by(logged.desc(), User.name)
        .limit(TOP)
    )
    return [PersonFigure(n, int(c), follow_ups_link(scope, i)) for i, n, c in db.session.execute(query)]


def service_times(scope: Scope) -> ServiceTimes:
    """Tickets raised in the period: average hours to the first public answer and to resolution (wall-clock)."""
    query = select(
        func.count(),
        func.avg(hours_between(Ticket.created_at, Ticket.first_response_at)),
        func.avg(hours_between(Ticket.created_at, Ticket.resolved_at)),
    ).where(scope.tickets(), scope.period.holds(Ticket.created_at))
    n, first, resolved = db.session.execute(query).one()
    return ServiceTimes(
        int(n), float(first) if first is not None else None, float(resolved) if resolved is not None else None
    )


def growth(scope: Scope) -> list[tuple[str, int, str]]:
    """New clients per studio month over the trend months (a client made at 23:30 on 31 January in Shanghai is
    January's): the month edges are local midnights, compared with the stored UTC instants in SQL. Archived
    clients count — the growth trend is the studio's history: a client who came in in March came in, whatever
    became of it — and each month links to the client list with archived clients included."""
    trend = scope.period.trend()
    edges = periods.bucket_edges(trend)
    month = periods.bucket(Client.created_at, trend, edges)
    query = select(month, func.count()).where(scope.clients(), trend.holds(Client.created_at)).group_by(month)
    found = {int(n): int(c) for n, c in db.session.execute(query)}
    f = scope.filters

    def link(n: int) -> str:  # the clients made that month, with the same owner and source
        first, last = edges[n], edges[n + 1] - timedelta(days=1)
        made = {"created_from": first.isoformat(), "created_to": last.isoformat()}
        return url_for("staff.clients", archived="all", **f.on_clients(), **made)

    return [(format_date(day, "yyyy-MM"), found.get(n, 0), link(n)) for n, day in enumerate(edges[:-1])]


def ticket_links(scope: Scope) -> tuple[str, str]:
    """The tickets raised in the period (every status), and those of them resolved: a ticket is resolved after it
    was raised, so "resolved since the period began" is every resolved one of them, as the average counts them.
    The board's owner and source are the tickets' client's."""
    raised = {"status": "all", **scope.filters.on_tickets(), **scope.filters.period_args("created")}
    resolved = {**raised, "resolved_from": scope.period.start.isoformat()}
    return url_for("staff.tickets", **raised), url_for("staff.tickets", **resolved)


def team(scope: Scope, relationship: bool) -> Team:
    """Finance (no relationship side) gets the leaderboard and growth, not follow-ups nor tickets."""
    tickets_link, resolved_link = ticket_links(scope) if relationship else (None, None)
    return Team(
        leaderboard(scope),
        follow_ups(scope) if relationship else None,
        service_times(scope) if relationship else None,
        growth(scope),
        tickets_link,
        resolved_link,
    )
