"""The follow-ups logged (/app/follow-ups/logged): every follow-up written on the clients one sees, newest first,
filtered by author, kind, the days logged and the client's owner and source — the list behind the dashboards'
"follow-ups per person" and the report builder's follow-up counts. Thin: the query is saas.clients.follow_up_list.
The relationship side: finance, who has none of it, is refused."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from saas.clients.follow_up_list import FollowUpFilters, follow_up_page
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.queries import members
from saas.tenants.roles import Perm


@bp.get("/follow-ups/logged")
@requires(Perm.CLIENTS_RELATIONSHIP)
def follow_up_log() -> ResponseReturnValue:
    people = members()  # the studio's people, those who left too: their follow-ups are still theirs
    filters = FollowUpFilters.from_args(request.args).among({str(m.user_id) for m in people})
    page = follow_up_page(g.membership, filters, request.args.get("after"))
    return render_template(
        "staff/clients/follow_up_log.html",
        page=page,
        people=[m.user for m in people],
        problems=dict(filters.problems),
    )
