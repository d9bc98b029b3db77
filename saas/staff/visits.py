"""The office's side of visits: a day or a week of visits per person and for the team, scheduling and
assigning (pick the client, then the form), moving or cancelling, and a visit's page with everything recorded on
site — photos large, positions with a link that opens a maps app, the client's signature."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.clients import queries as client_queries
from saas.clients.access import get_client
from saas.clients.models import Client
from saas.errors import ValidationFailed
from saas.projects import queries as project_queries
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.queries import members, studio_today
from saas.tenants.roles import Perm
from saas.visits import queries, services
from saas.visits.access import can_schedule, get_visit
from saas.visits.models import Visit, VisitStatus
from saas.visits.schemas import CancelSchema, VisitFormSchema
from saas.visits.visit_list import VisitFilters, visit_page
from saas.web.pages import flash_and_return, on_invalid, resolves

WEEK = 7


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else studio_today(g.tenant.id)
    except ValueError:
        return studio_today(g.tenant.id)


def _person(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@bp.get("/visits")
def visits() -> ResponseReturnValue:
    """A day (default) or a week, per person; `person` narrows to one, field staff see their own."""
    view = "week" if request.args.get("view") == "week" else "day"
    day = _day(request.args.get("day"))
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    person = _person(request.args.get("person"))
    if not can_schedule(g.membership):
        person = g.membership.user_id
    laid_out = queries.schedule(g.membership, first, WEEK if view == "week" else 1, g.tenant.timezone, person)
    step = timedelta(days=WEEK if view == "week" else 1)
    return render_template(
        "staff/visits/schedule.html",
        view=view,
        day=day,
        first=first,
        previous=first - step,
        following=first + step,
        person=person,
        schedule=laid_out,
        people=queries.field_staff() if can_schedule(g.membership) else [],
        today=studio_today(g.tenant.id),
        schedulable=can_schedule(g.membership),
    )


@bp.get("/visits/list")
@requires(Perm.CLIENTS_RELATIONSHIP)
def visit_list() -> ResponseReturnValue:
    """The visits one sees as a list, by status, assignee and the days scheduled: the report builder's visit points
    open it (the schedule is a calendar)."""
    people = members()
    filters = VisitFilters.from_args(request.args).among({str(m.user_id) for m in people})
    return render_template(
        "staff/visits/list.html",
        page=visit_page(g.membership, filters, request.args.get("after")),
        people=[m.user for m in people if m.active],
        problems=dict(filters.problems),
    )


def _pick_client() -> ResponseReturnValue:
    """Step one of a new visit: find the client (a studio may have 100,000)."""
    q = request.args.get("q", "").strip()
    found = []
    if q:
        filters = client_queries.ClientFilters(q=q[:100])
        found = client_queries.client_page(g.membership, filters, None).clients[:20]
    return render_template("staff/visits/pick_client.html", q=q, found=found)


def _visit_form(form: Any, errors: dict, client: Client, visit: Visit | None = None, status: int = 200):
    page = render_template(
        "staff/visits/form.html",
        form=form,
        errors=errors,
        client=client,
        visit=visit,
        people=queries.field_staff(),
        projects=project_queries.projects_of_client(g.membership, client.id),
    )
    return page, status


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form's day and times as the studio reads them, turned into the visit's instants."""
    timezone = g.tenant.timezone
    day, start, end = data.pop("day"), data.pop("start_time"), data.pop("end_time")
    data["scheduled_start"] = services.in_studio_time(day, start, timezone)
    data["scheduled_end"] = services.in_studio_time(day, end, timezone)
    return data


def _new_visit_refused(exc: ValidationFailed) -> ResponseReturnValue:
    client = get_client(g.membership, request.form.get("client_id", ""))
    return _visit_form(request.form, exc.errors, client, status=422)


@bp.route("/visits/new", methods=["GET", "POST"])
@requires(Perm.VISITS_SCHEDULE)
@on_invalid(_new_visit_refused)
def new_visit() -> ResponseReturnValue:
    if request.method == "GET":
        if not request.args.get("client"):
            return _pick_client()
        client = get_client(g.membership, request.args["client"])
        day = _day(request.args.get("day"))
        defaults = {"client_id": str(client.id), "day": day.isoformat(), "start_time": "10:00", "end_time": "11:00"}
        return _visit_form(defaults, {}, client)
    get_client(g.membership, request.form.get("client_id", ""))  # another's client is a 404 before the form
    visit = services.schedule_visit(g.membership, _form_values(load(VisitFormSchema(), request.form)))
    flash(_("Visit scheduled for %(name)s.", name=visit.assignee.name), "success")
    return redirect(url_for("staff.visit", visit_id=visit.id))


@bp.get("/visits/<visit_id>")
@resolves(visit=get_visit)
def visit(visit: Visit) -> ResponseReturnValue:
    return _visit_page(visit)


def _visit_page(visit: Visit, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/visits/detail.html",
        visit=visit,
        photos=services.photos_of(visit),
        contact=next((c for c in visit.client.contacts if c.id == visit.contact_id), None),
        schedulable=can_schedule(g.membership) and visit.status not in (VisitStatus.CHECKED_OUT, VisitStatus.CANCELLED),
        errors=errors or {},
    )
    return page, status


def _values_of(visit: Visit) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(g.tenant.timezone)
    start, end = visit.scheduled_start.astimezone(zone), visit.scheduled_end.astimezone(zone)
    return {
        "client_id": str(visit.client_id),
        "contact_id": str(visit.contact_id or ""),
        "project_id": str(visit.project_id or ""),
        "assignee_id": str(visit.assignee_id),
        "day": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "site_address": visit.site_address,
        "site_lat": visit.site_lat,
        "site_lng": visit.site_lng,
        "purpose": visit.purpose,
        "version": visit.version,
    }


@bp.route("/visits/<visit_id>/edit", methods=["GET", "POST"])
@requires(Perm.VISITS_SCHEDULE)
@resolves(visit=get_visit)
@on_invalid(lambda exc, visit: _visit_form(request.form, exc.errors, visit.client, visit, 422))
def edit_visit(visit: Visit) -> ResponseReturnValue:
    if request.method == "GET":
        return _visit_form(_values_of(visit), {}, visit.client, visit)
    data = _form_values(load(VisitFormSchema(), request.form))
    data["client_id"] = visit.client_id  # a visit stays with its client; schedule another for someone else
    services.update_visit(g.membership, visit, data)
    flash(_("Visit saved."), "success")
    return redirect(url_for("staff.visit", visit_id=visit.id))


@bp.post("/visits/<visit_id>/cancel")
@requires(Perm.VISITS_SCHEDULE)
@resolves(visit=get_visit)
@on_invalid(flash_and_return(lambda visit, **_records: url_for("staff.visit", visit_id=visit.id)))
def cancel_visit(visit: Visit) -> ResponseReturnValue:
    services.cancel_visit(g.membership, visit, load(CancelSchema(), request.form)["reason"])
    flash(_("Visit cancelled; %(name)s sees it on their phone.", name=visit.assignee.name), "success")
    return redirect(url_for("staff.visit", visit_id=visit.id))
