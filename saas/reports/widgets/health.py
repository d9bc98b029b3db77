"""Project health (seed 000's 项目健康度): how long a project takes from inquiry to won, how long it sits in each
stage (from the recorded stage moves), the stage that is the time sink, the delay rate — projects delivered (won)
after their due date — and the open projects already past due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from saas.extensions import db
from saas.projects.models import PipelineStage, Project, StageChange, StageKind
from saas.reports.filters import Scope
from saas.reports.sql import days_between, local_date
from saas.reports.widgets import days, ratio
from saas.web.charts import Chart, series

LATE_SHOWN = 10


@dataclass(frozen=True)
class StageTime:
    name: str
    days: float
    moves: int
    link: str | None = None  # the projects whose moves out of the stage in the period were averaged


@dataclass(frozen=True)
class LateProject:
    id: str
    name: str
    due_on: date
    days_late: int


@dataclass(frozen=True)
class Health:
    average_cycle: float | None  # days, projects won in the period
    won: int
    delivered_late: int
    stages: list[StageTime]
    late: list[LateProject]  # open and past due, the longest overdue first
    late_total: int
    won_link: str = ""  # the projects won in the period (the cycle and the delay rate are computed over them)
    late_link: str = ""  # the open projects past due

    @property
    def delay_rate(self) -> float | None:
        return ratio(self.delivered_late, self.won)

    @property
    def time_sink(self) -> StageTime | None:
        return max(self.stages, key=lambda s: s.days, default=None)

    @property
    def stages_chart(self) -> Chart:
        # Averages over the stage moves recorded in the period: each bar opens the projects that made them.
        return Chart(
            "hbar",
            [s.name for s in self.stages],
            [series(_("Average days"), [round(s.days, 1) for s in self.stages], days)],
            unit="days",
            links=[s.link for s in self.stages],
        )


def _won(scope: Scope) -> tuple[float | None, int, int]:
    """Projects won in the period: their average cycle (opened → won) and how many were won after the due date
    (the studio's local day of the win later than the due day). Archived projects count: a project delivered
    and then archived to tidy the board was still delivered, and its cycle is the studio's history."""
    won_stage = select(PipelineStage.id).where(PipelineStage.kind == StageKind.WON)
    late = case((local_date(Project.closed_at, scope.period.timezone) > Project.due_on, 1), else_=0)
    query = select(
        func.avg(days_between(Project.created_at, Project.closed_at)), func.count(), func.coalesce(func.sum(late), 0)
    ).where(scope.projects(), Project.stage_id.in_(won_stage), scope.period.holds(Project.closed_at))
    average, won, delivered_late = db.session.execute(query).one()
    return (float(average) if average is not None else None), int(won), int(delivered_late)


def stage_times(scope: Scope) -> list[StageTime]:
    """Average time spent in each stage, over the moves out of it recorded in the period, in board order. Archived
    projects' moves count (history), and each bar's list includes them."""
    seconds = func.avg(StageChange.seconds_in_from)
    query = (
        select(PipelineStage.id, PipelineStage.name, seconds, func.count())
        .join(PipelineStage, PipelineStage.id == StageChange.from_stage_id)
        .where(scope.period.holds(StageChange.created_at), StageChange.seconds_in_from.is_not(None))
        .group_by(PipelineStage.id, PipelineStage.name, PipelineStage.position)
        .order_by(PipelineStage.position)
    )
    if not scope.everything:  # only then does each move's project matter
        query = query.join(Project, Project.id == StageChange.project_id).where(scope.projects())
    f = scope.filters

    def link(stage_id: Any) -> str:  # the projects with a move out of that stage in the period
        moved = {"left_stage": str(stage_id), **f.period_args("left_stage")}
        return url_for("staff.project_list", archived="all", **f.on_projects(), **moved)

    return [StageTime(name, float(s) / 86400, int(n), link(i)) for i, name, s, n in db.session.execute(query)]


def late_projects(scope: Scope, today: date) -> tuple[list[LateProject], int]:
    late = (scope.projects(), Project.closed_at.is_(None), Project.archived_at.is_(None), Project.due_on < today)
    shown = select(Project.id, Project.name, Project.due_on).where(*late).order_by(Project.due_on, Project.id)
    rows = db.session.execute(shown.limit(LATE_SHOWN)).all()
    total = int(db.session.scalar(select(func.count()).select_from(Project).where(*late)) or 0)
    return [LateProject(str(i), n, d, (today - d).days) for i, n, d in rows], total


def late_projects_args(today: date) -> dict[str, str]:
    """The project list's filters for the open projects past due (due yesterday or earlier), current ones only."""
    return {"state": StageKind.OPEN.value, "due_to": (today - timedelta(days=1)).isoformat()}


def health(scope: Scope, today: date) -> Health:
    average, won, delivered_late = _won(scope)
    late, late_total = late_projects(scope, today)
    f = scope.filters
    won_link = url_for(
        "staff.project_list", state=StageKind.WON.value, archived="all", **f.on_projects(), **f.period_args("closed")
    )
    late_link = url_for("staff.project_list", **late_projects_args(today), **f.on_projects())
    return Health(average, won, delivered_late, stage_times(scope), late, late_total, won_link, late_link)
