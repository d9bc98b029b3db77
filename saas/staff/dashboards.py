"""The dashboards: the studio's (/app/dashboard, owners, admins, managers) and everyone's own
(/app/dashboard/me). Filters travel in the query string, so a dashboard is a link; the figures are computed by
saas/reports over what the reader may see.

A board is sent in parts, in one response: its frame (title, period, filters) at once, then each widget as soon
as its figures are computed (saas/reports/boards.py computes each when the page reads it). The reader sees the
board and its first figures while the others are still being added up — the whole studio board is the sum of its
widgets, ~370 ms at 100,000 clients — and the page stays one plain HTML page: it works without script, prints,
and reads every widget in the same request, with the same access, as before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from zoneinfo import ZoneInfo

from flask import Response, g, request, stream_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup

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


FLUSH = "<!--atelier:part-->"  # where a part of the page ends (the template writes it between widgets)


def _page(board: boards.Board, endpoint: str) -> ResponseReturnValue:
    context = {
        "board": board,
        "endpoint": endpoint,
        "team": client_queries.team(),
        "types": project_queries.project_types(),
        "sources": filters.known_sources(),
        "today": _today(),
        "sees_studio": access.sees_studio_board(g.membership),
        "relationship": access.sees_relationship(g.membership),
        "FLUSH": Markup(FLUSH),
    }
    parts = _parts(stream_template("staff/dashboards/board.html", **context))
    frame = next(parts)  # rendered here, in the view: a problem with the frame is still an error page
    # Proxies pass each part on as it comes (nginx buffers a response whole unless told otherwise).
    return Response(chain([frame], parts), mimetype="text/html", headers={"X-Accel-Buffering": "no"})


def _parts(chunks: Iterator[str]) -> Iterator[str]:
    """The template's output in parts, each ended where it wrote FLUSH: a few writes instead of one per piece of
    template text, each sent as soon as the widget before it is done."""
    held: list[str] = []
    for chunk in chunks:
        if FLUSH not in chunk:
            held.append(chunk)
            continue
        *done, rest = chunk.split(FLUSH)
        for piece in done:
            held.append(piece)
            yield "".join(held)
            held = []
        held.append(rest)
    if held:
        yield "".join(held)


@bp.get("/dashboard")
@requires(Perm.REPORTS_STUDIO)
def studio_dashboard() -> ResponseReturnValue:
    return _page(boards.studio_board(g.membership, _filters(), _today()), "staff.studio_dashboard")


@bp.get("/dashboard/me")
def my_dashboard() -> ResponseReturnValue:
    return _page(boards.personal_board(g.membership, _filters(), _today()), "staff.my_dashboard")
