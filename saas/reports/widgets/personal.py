"""The personal board's own widgets (everyone's, field staff included): my pipeline (my open projects by stage),
my follow-ups due and done, my numbers for the period, and my visits today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from saas.billing.models import Contract, ContractStatus
from saas.clients.access import visible_to
from saas.clients.models import Client, Interaction
from saas.clients.rollups import FollowUpDay
from saas.extensions import db
from saas.projects.models import PipelineStage, Project, StageKind
from saas.reports.filters import Scope
from saas.reports.widgets import count
from saas.visits.access import visits_visible_to
from saas.visits.models import Visit, VisitStatus
from saas.web.charts import Chart, series


@dataclass(frozen=True)
class StageCount:
    name: str
    projects: int
    value_minor: int
    link: str


@dataclass(frozen=True)
class VisitToday:
    id: str
    client: str
    start: datetime
    address: str
    status: str


@dataclass(frozen=True)
class Mine:
    follow_ups_due: int  # next actions due today or earlier, not done
    follow_ups_done: int  # next actions done in the period
    follow_ups_logged: int  # follow-ups written in the period
    new_clients: int
    signed_minor: int
    due_link: str = ""  # My follow-ups
    new_clients_link: str = ""  # my clients made in the period, archived ones too
    signed_link: str = ""  # my clients' contracts signed in the period


@dataclass(frozen=True)
class Pipeline:
    stages: list[StageCount]
    link: str = ""  # my open projects (current ones)

    @property
    def open_projects(self) -> int:
        return sum(s.projects for s in self.stages)

    @property
    def value_minor(self) -> int:
        return sum(s.value_minor for s in self.stages)

    @property
    def chart(self) -> Chart:
        return Chart(
            "bar",
            [s.name for s in self.stages],
            [series(_("Projects"), [s.projects for s in self.stages], count)],
            links=[s.link for s in self.stages],
        )


def pipeline(scope: Scope) -> Pipeline:
    """My open projects per open stage, in board order (every open stage, empty ones as 0)."""
    me = scope.membership.user_id
    query = (
        select(
            PipelineStage.id,
            PipelineStage.name,
            func.count(Project.id),
            func.coalesce(func.sum(Project.value_minor), 0),
        )
        .outerjoin(
            Project,
            (Project.stage_id == PipelineStage.id) & (Project.owner_id == me) & Project.archived_at.is_(None),
        )
        .where(PipelineStage.kind == StageKind.OPEN)
        .group_by(PipelineStage.id, PipelineStage.name, PipelineStage.position)
        .order_by(PipelineStage.position)
    )
    # Each stage's bar opens my current projects in it (the list leaves archived ones out, as the count does).
    return Pipeline(
        [
            StageCount(name, int(n), int(v), url_for("staff.project_list", owner=str(me), stage=str(stage_id)))
            for stage_id, name, n, v in db.session.execute(query)
        ],
        url_for("staff.project_list", owner=str(me), state=StageKind.OPEN.value),
    )


def mine(scope: Scope, today: date) -> Mine:
    me = scope.membership.user_id
    period = scope.period
    # My follow-ups on any client I still see (a shared one too), whoever owns it; not on an archived client: an
    # archived client does not wait for a call, and My follow-ups (the figure's list) leaves them out too.
    # One probe of the client answers both (visible, current): a second EXISTS doubled the member's count's time.
    mine_ = Interaction.author_id == me
    client = select(Client.id).where(
        Client.id == Interaction.client_id, Client.archived_at.is_(None), visible_to(scope.membership)
    )
    due = select(func.count()).where(
        mine_,
        Interaction.next_action.is_not(None),  # an action to do, as My follow-ups lists them
        Interaction.next_action_due <= today,
        Interaction.next_action_done_at.is_(None),
        exists(client.correlate_except(Client)),
    )
    # Done and logged in the period count every follow-up of mine, whatever its client: the day rollup's figures.
    my_days = (FollowUpDay.author_id == me, period.holds(FollowUpDay.day, is_date=True))
    done = select(func.coalesce(func.sum(FollowUpDay.done), 0)).where(*my_days)
    logged = select(func.coalesce(func.sum(FollowUpDay.logged), 0)).where(*my_days)
    # New clients of the period: archived ones too, as on the growth trend (history); the link includes them.
    new = select(func.count()).select_from(Client).where(Client.owner_id == me, period.holds(Client.created_at))
    signed = (
        select(func.coalesce(func.sum(Contract.amount_minor), 0))
        .join(Client, Client.id == Contract.client_id)
        .where(
            Client.owner_id == me,
            Contract.status == ContractStatus.SIGNED,
            period.holds(Contract.signed_on, is_date=True),
        )
    )
    row = db.session.execute(select(*(q.scalar_subquery() for q in (due, done, logged, new, signed)))).one()
    links = (
        url_for("staff.follow_ups"),
        url_for("staff.clients", owner="me", archived="all", **scope.filters.period_args("created")),
        url_for(
            "staff.contract_list", status=ContractStatus.SIGNED.value, owner="me", **scope.filters.period_args("signed")
        ),
    )
    return Mine(*(int(v or 0) for v in row), *links)


def visits_today(scope: Scope, today: date) -> list[VisitToday]:
    """My visits of the studio's today, in order."""
    zone = ZoneInfo(scope.period.timezone)
    start = datetime.combine(today, time(0), zone)
    end = start + timedelta(days=1)
    query = (
        select(Visit.id, Client.name, Visit.scheduled_start, Visit.site_address, Visit.status)
        .join(Client, Client.id == Visit.client_id)
        .where(
            Visit.assignee_id == scope.membership.user_id,
            visits_visible_to(scope.membership),
            Visit.scheduled_start >= start,
            Visit.scheduled_start < end,
            Visit.status != VisitStatus.CANCELLED,
        )
        .order_by(Visit.scheduled_start)
    )
    return [VisitToday(str(i), c, s, a, st) for i, c, s, a, st in db.session.execute(query)]
