"""/api/v1 for visits: the office's schedule (list by period and person, schedule, read, move or reassign with
If-Match, cancel). What a worker records on site comes from the field app's sync, not from here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from saas.api.http import api, check_version, principal
from saas.api.schemas import CANCEL_IN, VISIT_IN, VISIT_PATCH, VisitListQuery, VisitOut
from saas.extensions import db
from saas.tenants.models import Tenant
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm
from saas.visits import queries, services
from saas.visits.access import get_visit
from saas.visits.models import Visit

OF_VISIT = {"resolves": {"visit": get_visit}}


@api.get(
    "/visits",
    summary="Visits in a period (a week from today by default)",
    query=VisitListQuery,
    response=VisitOut,
    many=True,
)
def visits(query: dict[str, Any]) -> list[Visit]:
    """The token person's own visits, and those of the clients they see if they schedule visits."""
    timezone = db.session.get(Tenant, principal().tenant_id).timezone
    start = query["start"] or queries.day_bounds(studio_today(principal().tenant_id), timezone)[0]
    end = query["end"] or start + timedelta(days=7)
    return queries.visits_between(principal(), start, end, query["assignee"])


@api.post(
    "/visits",
    summary="Schedule a visit and assign it",
    perm=Perm.VISITS_SCHEDULE,
    body=VISIT_IN,
    response=VisitOut,
    status=201,
    location="api.visit",
)
def schedule_visit(body: dict[str, Any]) -> Visit:
    return services.schedule_visit(principal(), body)


@api.get("/visits/<visit_id>", summary="Read a visit, with what was recorded on site", **OF_VISIT, response=VisitOut)
def visit(visit: Visit) -> Visit:
    return visit


@api.patch(
    "/visits/<visit_id>",
    summary="Move, reassign or re-address a visit",
    **OF_VISIT,
    perm=Perm.VISITS_SCHEDULE,
    body=VISIT_PATCH,
    response=VisitOut,
    if_match="required",
)
def update_visit(visit: Visit, body: dict[str, Any]) -> Visit:
    check_version(visit.version)
    services.update_visit(principal(), visit, {**body, "version": visit.version})
    return visit


@api.post(
    "/visits/<visit_id>/cancel",
    summary="Cancel a visit, with a reason (not once the worker is on site)",
    **OF_VISIT,
    perm=Perm.VISITS_SCHEDULE,
    body=CANCEL_IN,
    response=VisitOut,
)
def cancel_visit(visit: Visit, body: dict[str, Any]) -> Visit:
    services.cancel_visit(principal(), visit, body["reason"])
    return visit
