"""The sales funnel (seed 000's 销售漏斗): clients potential → intent → signed, projects inquiry → quote →
contract, with the conversion and the drop-off of every step, and which source channel converts best.

Clients are the cohort that came in during the period (created in it); a client counts at every step it has
reached (a signed client has been potential and intent; a past one was signed). Projects likewise: the ones
opened in the period, quoted once a quote went out for them (or a contract was signed: it went through its quote),
contracted once a contract was signed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import case, func, select

from saas.billing.models import Contract, ContractStatus, Quote, QuoteStatus
from saas.clients.models import Client, ClientStatus
from saas.extensions import db
from saas.projects.models import Project
from saas.reports.filters import Scope
from saas.reports.widgets import count, percent, ratio
from saas.web.charts import Chart, series

REACHED = {  # the statuses that have passed each step
    ClientStatus.POTENTIAL: (ClientStatus.POTENTIAL, ClientStatus.INTENT, ClientStatus.SIGNED, ClientStatus.PAST),
    ClientStatus.INTENT: (ClientStatus.INTENT, ClientStatus.SIGNED, ClientStatus.PAST),
    ClientStatus.SIGNED: (ClientStatus.SIGNED, ClientStatus.PAST),
}
SENT_QUOTE = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED)
SOURCES_SHOWN = 8


@dataclass(frozen=True)
class Step:
    label: str
    reached: int
    conversion: float | None  # from the step before
    link: str | None

    @property
    def drop_off(self) -> float | None:
        return None if self.conversion is None else 1 - self.conversion


@dataclass(frozen=True)
class SourceRow:
    source: str
    clients: int
    signed: int
    link: str | None  # the cohort of that source (the row's clients)

    @property
    def conversion(self) -> float | None:
        return ratio(self.signed, self.clients)


@dataclass(frozen=True)
class Funnel:
    clients: list[Step]
    projects: list[Step]
    sources: list[SourceRow]

    def chart(self, steps: list[Step]) -> Chart:
        return Chart(
            "funnel",
            [s.label for s in steps],
            [series(_("Reached"), [s.reached for s in steps], count)],
            links=[s.link for s in steps],
        )

    @property
    def clients_chart(self) -> Chart:
        return self.chart(self.clients)

    @property
    def projects_chart(self) -> Chart:
        return self.chart(self.projects)

    @property
    def sources_chart(self) -> Chart:
        rows = self.sources
        return Chart(
            "hbar",
            [r.source for r in rows],
            [series(_("Signed rate"), [r.conversion for r in rows], percent)],
            unit="percent",
            links=[r.link for r in rows],
        )


def _steps(labels: list[str], reached: list[int], links: list[str | None]) -> list[Step]:
    return [
        Step(label, n, ratio(n, reached[i - 1]) if i else None, links[i])
        for i, (label, n) in enumerate(zip(labels, reached, strict=True))
    ]


def _client_link(scope: Scope, reached: str = "", source: str | None = None, no_source: str | None = None) -> str:
    """The client list with the same filters: the period's cohort (made in it), the owner, the source, and how far
    they got (the list's `reached`: that status or a later one, as the step counts them). Archived clients are left
    out of the funnel, as the list leaves them out: it is the funnel of the studio's current clients (a client
    archived as a dead lead would otherwise count, and the funnel and its list would disagree)."""
    f = scope.filters
    args = {**f.on_clients(), **f.period_args("created")}
    if source is not None:
        args["source"] = source
    return url_for("staff.clients", reached=reached or None, no_source=no_source, **args)


def _reached(status: ClientStatus):
    return func.coalesce(func.sum(case((Client.status.in_(REACHED[status]), 1), else_=0)), 0)


def client_steps(scope: Scope) -> list[Step]:
    cohort = (Client.archived_at.is_(None), scope.clients(), scope.period.holds(Client.created_at))
    row = db.session.execute(select(*(_reached(s) for s in REACHED)).where(*cohort)).one()
    labels = [_("Potential"), _("Interested"), pgettext("client status", "Signed")]
    links = [_client_link(scope), _client_link(scope, "intent"), _client_link(scope, "signed")]
    return _steps(labels, [int(v) for v in row], links)


def project_steps(scope: Scope) -> list[Step]:
    # IN over a plain subquery: PostgreSQL hashes the quoted and the contracted projects once, where a correlated
    # EXISTS probed two indexes per project opened in the period.
    quoted = Project.id.in_(select(Quote.project_id).where(Quote.status.in_(SENT_QUOTE), Quote.project_id.is_not(None)))
    signed = Project.id.in_(
        select(Contract.project_id).where(Contract.status == ContractStatus.SIGNED, Contract.project_id.is_not(None))
    )
    flag = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    # A signed contract means the project went through its quote, whether or not the quote was sent from Atelier.
    # Current projects only, as for the clients (and the project list's default): an archived project is out.
    query = select(func.count(), flag(quoted | signed), flag(signed)).where(
        scope.projects(), scope.period.holds(Project.created_at), Project.archived_at.is_(None)
    )
    row = db.session.execute(query).one()
    f = scope.filters
    opened = {**f.on_projects(), **f.period_args("created")}  # the projects opened in the period, as counted
    links = [url_for("staff.project_list", deal=deal, **opened) for deal in (None, "quoted", "signed")]
    labels = [_("Inquiry"), _("Quoted"), _("Contract signed")]
    return _steps(labels, [int(v) for v in row], links)


def by_source(scope: Scope) -> list[SourceRow]:
    """Clients come in by channel; the channels that bring most, each with its share signed."""
    source = func.coalesce(Client.source, "")
    signed = func.coalesce(func.sum(case((Client.status.in_(REACHED[ClientStatus.SIGNED]), 1), else_=0)), 0)
    query = (
        select(source, func.count(), signed)
        .where(Client.archived_at.is_(None), scope.clients(), scope.period.holds(Client.created_at))
        .group_by(source)
        .order_by(func.count().desc(), source)
        .limit(SOURCES_SHOWN)
    )
    # Clients without a source (none, or an empty one): the list's "No source" (no_source=1).
    return [
        SourceRow(name or _("No source"), int(n), int(s), _source_link(scope, name))
        for name, n, s in db.session.execute(query)
    ]


def _source_link(scope: Scope, name: str) -> str:
    return _client_link(scope, source=name) if name else _client_link(scope, no_source="1")


def funnel(scope: Scope) -> Funnel:
    return Funnel(client_steps(scope), project_steps(scope), by_source(scope))
