"""Client value (seed 000's 客户价值, seed 002's NPS, CSAT and churn): profit per client and per project type (money
received in the period minus the costs spent in it), the repeat rate (clients with a second project), NPS and
CSAT from the feedback forms' answers, and churn (clients who went from signed to past in the period, from their
timeline)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, String, Uuid, case, cast, func, literal, null, select, union_all

from saas.billing.rollups import MoneyDay
from saas.clients.models import Client, ClientEvent, ClientStatus
from saas.extensions import db
from saas.forms.models import Submission
from saas.projects.models import Project
from saas.reports import money_rows
from saas.reports.filters import Scope
from saas.reports.widgets import amount, ratio
from saas.web.charts import Chart, series

TOP = 8


@dataclass(frozen=True)
class Profit:
    key: str
    label: str
    profit_minor: int
    link: str | None


@dataclass(frozen=True)
class Value:
    by_client: list[Profit]
    by_type: list[Profit]
    clients_with_projects: int
    repeat_clients: int
    nps: float | None  # -100..100
    nps_answers: int
    csat: float | None  # share of 4 and 5
    csat_answers: int
    churned: int
    signed_now: int
    sees_feedback: bool
    repeat_link: str = ""  # the clients who came back (a second project)
    churn_link: str = ""  # the clients who became past in the period
    nps_link: str | None = None  # the submissions with an NPS answer in the period (every form's)
    csat_link: str | None = None  # the same with a CSAT answer

    @property
    def repeat_rate(self) -> float | None:
        return ratio(self.repeat_clients, self.clients_with_projects)

    @property
    def churn_rate(self) -> float | None:
        """Of the clients signed during the period (still signed now, or gone since), the share that left."""
        return ratio(self.churned, self.signed_now + self.churned)

    @staticmethod
    def _chart(rows: list[Profit]) -> Chart:
        return Chart(
            "hbar",
            [r.label for r in rows],
            [series(_("Profit"), [r.profit_minor for r in rows], amount)],
            unit="money",
            links=[r.link for r in rows],
            scale=100,
        )

    @property
    def client_chart(self) -> Chart:
        return self._chart(self.by_client)

    @property
    def type_chart(self) -> Chart:
        return self._chart(self.by_type)


def _money_moves(scope: Scope) -> tuple[Select, Select]:
    """Every amount in and out in the period, with its client and project: payments in, costs out (UNION ALL), from
    the money day rollup (saas/reports/money_rows.py): no join of the year's payments to 100,000 invoices."""
    client, project = MoneyDay.client_id.label("client_id"), money_rows.PROJECT.label("project_id")
    paid = money_rows.paid(scope, scope.period, client, project, MoneyDay.revenue.label("amount"))
    spent = money_rows.spent(scope, scope.period, client, project, -MoneyDay.costs)
    return paid, spent


def profits(scope: Scope) -> tuple[list[Profit], list[Profit]]:
    """The most profitable clients and project types, in one statement: the period's money moves are read once (a
    CTE both rankings share), each ranking is cut to TOP in SQL, and only then are the few clients named."""
    client, project = MoneyDay.client_id.label("client_id"), money_rows.PROJECT.label("project_id")
    whole = money_rows.both(scope, scope.period, client, project, (MoneyDay.revenue - MoneyDay.costs).label("amount"))
    moves = (whole if whole is not None else union_all(*_money_moves(scope))).cte("moves")
    by_client = _ranked(moves, moves.c.client_id, cast(null(), String), moves.c.client_id, None)
    kind = func.coalesce(Project.type, "")
    by_type = _ranked(moves, cast(null(), Uuid), kind, kind, Project)
    both = union_all(select(*by_client.c), select(*by_type.c)).subquery()
    query = select(both.c.client_id, both.c.kind, both.c.profit, Client.name).outerjoin(
        Client, Client.id == both.c.client_id
    )
    clients, types = [], []
    for client_id, kind_, profit, name in db.session.execute(query):
        if client_id is not None:
            clients.append(Profit(str(client_id), name, int(profit), url_for("staff.client", client_id=client_id)))
        else:
            # The projects of that type whose money it is: archived ones too (their money was received and spent).
            link = url_for("staff.project_list", type=kind_, archived="all") if kind_ else None
            types.append(Profit(kind_, kind_ or _("No type"), int(profit), link))
    order = lambda p: (-p.profit_minor, p.label)  # noqa: E731
    return sorted(clients, key=order), sorted(types, key=order)


def _ranked(moves, client_id, kind, by, joined):
    """The TOP groups of the money moves by `by` (a client, or a project type through the project joined)."""
    total = func.sum(moves.c.amount).label("profit")
    query = select(client_id.label("client_id"), kind.label("kind"), total).select_from(moves)
    if joined is not None:
        query = query.outerjoin(joined, joined.id == moves.c.project_id)
    return query.group_by(by).order_by(total.desc(), by).limit(TOP).subquery()


def repeat(scope: Scope) -> tuple[int, int]:
    """Clients in scope with at least one project, and those with two or more (any time: a repeat is a repeat).
    Archived clients and projects count: a client who came back and was archived since still came back (the
    link opens the client list with archived ones included)."""
    per_client = select(Project.client_id, func.count().label("n")).group_by(Project.client_id)
    if not scope.everything:
        per_client = per_client.where(Project.client_id.in_(select(Client.id).where(scope.clients())))
    per_client = per_client.subquery()
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((per_client.c.n >= 2, 1), else_=0)), 0))
    ).one()
    return int(row[0]), int(row[1])


def feedback(scope: Scope) -> tuple[float | None, int, float | None, int]:
    """NPS (promoters 9–10 minus detractors 0–6, in points) and CSAT (share answering 4 or 5) of the answers
    received in the period, from clients in scope."""
    score = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    query = select(
        func.count(Submission.nps),
        score(Submission.nps >= 9),
        score(Submission.nps <= 6),
        func.count(Submission.csat),
        score(Submission.csat >= 4),
    ).where(scope.period.holds(Submission.submitted_at), scope.of_clients(Submission.client_id))
    n, promoters, detractors, c, satisfied = (int(v) for v in db.session.execute(query).one())
    nps = 100 * (promoters - detractors) / n if n else None
    return nps, n, ratio(satisfied, c), c


def churn(scope: Scope) -> tuple[int, int]:
    """Clients whose status became past in the period (their timeline says so), and those signed now. Archived
    clients count: a client who left is often archived afterwards, and that does not undo the churn (the link
    includes archived clients too)."""
    gone = (
        select(func.count(func.distinct(ClientEvent.client_id)))
        .join(Client, Client.id == ClientEvent.client_id)
        .where(
            ClientEvent.kind == "client.status_changed",
            ClientEvent.data["new"].as_string() == literal(ClientStatus.PAST.value),
            scope.period.holds(ClientEvent.created_at),
            Client.status == ClientStatus.PAST,
            scope.clients(),
        )
    )
    signed = select(func.count()).select_from(Client).where(Client.status == ClientStatus.SIGNED, scope.clients())
    return int(db.session.scalar(gone) or 0), int(db.session.scalar(signed) or 0)


def value(scope: Scope, sees_feedback: bool) -> Value:
    with_projects, repeats = repeat(scope)
    nps, nps_n, csat, csat_n = feedback(scope) if sees_feedback else (None, 0, None, 0)
    churned, signed = churn(scope)
    by_client, by_type = profits(scope)
    f = scope.filters
    repeat_link = url_for("staff.clients", projects="repeat", archived="all", **f.on_clients())
    churn_link = url_for("staff.clients", archived="all", **f.on_clients(), **f.period_args("left"))
    return Value(
        by_client,
        by_type,
        with_projects,
        repeats,
        nps,
        nps_n,
        csat,
        csat_n,
        churned,
        signed,
        sees_feedback,
        repeat_link,
        churn_link,
        *(feedback_links(scope) if sees_feedback else (None, None)),
    )


def feedback_links(scope: Scope) -> tuple[str, str]:
    """Every form's submissions with that score in the period (the figures count across forms), of the board's
    owner and source as their client's."""
    args = {**scope.filters.on_clients(), **scope.filters.period_args("submitted")}
    return url_for("staff.all_submissions", score="nps", **args), url_for("staff.all_submissions", score="csat", **args)
