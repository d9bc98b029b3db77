"""The dashboards: the studio's (/app/dashboard, owners, admins, managers) and everyone's own
(/app/dashboard/me). Filters travel in the query string, so a dashboard is a link; the figures are computed by
saas/reports over what the reader may see."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from saas.clients import queries as client_queries
from saas.projects import queries as project_queries
from saas.reports import access, boards, filters
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm


def _today():
    return datetime.now(ZoneInfo(g.tenant.timezone)).date()


def _filters() -> filters.Filters:
    return filters.read(request.args, _today(), g.tenant.timezone, filters.studio_member_ids())


def _page(board: boards.Board, endpoint: str) -> ResponseReturnValue:
    return render_template(
        "staff/dashboards/board.html",
        board=board,
        endpoint=endpoint,
        team=client_queries.team(),
        types=project_queries.project_types(),
        sources=filters.known_sources(),
        today=_today(),
        sees_studio=access.sees_studio_board(g.membership),
        relationship=access.sees_relationship(g.membership),
    )


@bp.get("/dashboard")
@requires(Perm.REPORTS_STUDIO)
def studio_dashboard() -> ResponseReturnValue:
    return _page(boards.studio_board(g.membership, _filters(), _today()), "staff.studio_dashboard")


@bp.get("/dashboard/me")
def my_dashboard() -> ResponseReturnValue:
    return _page(boards.personal_board(g.membership, _filters(), _today()), "staff.my_dashboard")
