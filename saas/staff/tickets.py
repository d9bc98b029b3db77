"""The office's side of service tickets: the list (filters, "mine", overdue first), raising one for a client (from
the list through the client picker, or from the client's page), a ticket's page (the thread with internal notes
set apart, status, priority, assignee and category, the SLA clock) and the service desk settings (admins)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.clients.access import get_client
from saas.clients.models import Client
from saas.days import DayRange
from saas.errors import ValidationFailed
from saas.fields import queries as custom_filters
from saas.files import direct
from saas.projects import queries as project_queries
from saas.schemas import load
from saas.staff import custom
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.staff.picker import pick_client
from saas.tenants.queries import members, person_arg, strangers
from saas.tenants.roles import Perm
from saas.tickets import attachments, queries, services
from saas.tickets import settings as desk
from saas.tickets.access import get_ticket
from saas.tickets.models import Priority, Source, Ticket
from saas.tickets.schemas import ReplySchema, SettingsSchema, TicketChangeSchema, TicketSchema
from saas.web.pages import flash_and_return, on_invalid, resolves
from saas.web.security import allow_direct_uploads

UPLOADS = "files.upload"  # hidden inputs the page's script adds, one per file it sent to the bucket


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _page(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, category_label=desk.category_label, clock=queries.clock, **context), status


def _list_filters(args: Any, people: set[str]) -> tuple[queries.TicketFilters, dict[str, str]]:
    """The list's filters and what was asked for and left out (a day that does not exist, a client owner who is not
    of this studio), told beside its field."""
    created, problems = DayRange.read("created", args)
    resolved, resolved_problems = DayRange.read("resolved", args)
    owner = person_arg(args.get("owner"))
    strange = strangers({"owner": owner}, people)
    filters = queries.TicketFilters(
        status=args.get("status") or queries.ACTIVE,
        priority=args.get("priority") if args.get("priority") in tuple(Priority) else None,
        assignee=_uuid(args.get("assignee")),
        category=(args.get("category") or "")[:60] or None,
        mine=args.get("mine") == "1",
        source=args.get("source") if args.get("source") in tuple(Source) else None,
        owner="" if strange else owner,
        client_source=(args.get("client_source") or "").strip()[:80],
        created=created,
        resolved=resolved,
        custom=custom_filters.filter_args(args),
    )
    return filters, {**problems, **resolved_problems, **strange}


@bp.get("/tickets")
@requires(Perm.TICKETS)
def tickets() -> ResponseReturnValue:
    studio = members()
    filters, problems = _list_filters(request.args, {str(m.user_id) for m in studio})
    return _page(
        "staff/tickets/list.html",
        tickets=queries.ticket_list(g.membership, filters),
        filters=filters,
        problems=problems,
        sources=tuple(Source),
        people=queries.ticket_workers(),
        team=[m.user for m in studio if m.active],
        categories=desk.categories(),
    )


def _ticket_form(form: Any, errors: dict, client: Client, status: int = 200) -> ResponseReturnValue:
    return _page(
        "staff/tickets/form.html",
        status,
        form=form,
        errors=errors,
        client=client,
        people=queries.ticket_workers(),
        projects=project_queries.projects_of_client(g.membership, client.id),
        categories=desk.categories(),
        direct_upload=_direct_upload_url("staff.offer_ticket_upload"),
    )


def _direct_upload_url(endpoint: str, **values: Any) -> str | None:
    """With S3 the page's script sends attachments to the bucket (saas/static/js/app.js); else they go with it."""
    return url_for(endpoint, **values) if allow_direct_uploads() else None


def _offer(waits_on: uuid.UUID) -> ResponseReturnValue:
    """A presigned POST for one attachment, reserved for `waits_on` (the ticket replied to, or the member about to
    raise one) on the staff's side. Only with S3 (404 otherwise: the files go with the form, as without script)."""
    if not allow_direct_uploads():
        raise NotFound()
    body = request.get_json(silent=True)
    body = {k: v for k, v in body.items() if k != "input"} if isinstance(body, dict) else {}
    try:
        data = load(direct.OfferSchema(), body)
        offered = attachments.offer(_storage(), g.membership.tenant_id, waits_on, data, attachments.STAFF_SLOT)
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    return jsonify(direct.described(offered)), 201


@bp.post("/tickets/uploads")
@requires(Perm.TICKETS)
def offer_ticket_upload() -> ResponseReturnValue:
    return _offer(g.membership.user_id)


@bp.post("/tickets/<ticket_id>/uploads")
@requires(Perm.TICKETS)
@resolves(ticket=get_ticket)
def offer_reply_upload(ticket: Ticket) -> ResponseReturnValue:
    return _offer(ticket.id)


def _claim(waits_on: uuid.UUID, with_form: int) -> list:
    sent = request.form.getlist(UPLOADS)
    return attachments.claim_uploads(_storage(), sent, waits_on, with_form, attachments.STAFF_SLOT)


def _new_ticket_refused(exc: ValidationFailed) -> ResponseReturnValue:
    return _ticket_form(request.form, exc.errors, get_client(g.membership, request.form.get("client_id", "")), 422)


def _storage():
    return current_app.extensions["atelier.storage"]


@bp.route("/tickets/new", methods=["GET", "POST"])
@requires(Perm.TICKETS)
@on_invalid(_new_ticket_refused)
def new_ticket() -> ResponseReturnValue:
    if request.method == "GET":
        if not request.args.get("client"):
            return pick_client("staff.new_ticket", _("New ticket"), "staff.tickets", _("Tickets"))
        client = get_client(g.membership, request.args["client"])
        defaults = {"client_id": str(client.id), "priority": "normal", "source": request.args.get("source", "phone")}
        defaults |= custom.defaults("ticket")
        return _ticket_form(defaults, {}, client)
    get_client(g.membership, request.form.get("client_id", ""))  # another's client is a 404 before the form
    data = {**load(TicketSchema(), request.form), "custom_fields": custom.sent("ticket", request.form)}
    files = attachments.read_uploads(request.files.getlist("files"))
    sent = _claim(g.membership.user_id, len(files))
    ticket = services.create_ticket(g.membership, data)
    attachments.store(_storage(), files, "ticket", ticket.id, ticket.client_id, ticket.tenant_id, g.membership.user_id)
    attachments.hand_over(sent, "ticket", ticket.id, ticket.client_id, g.membership.user_id)
    flash(_("Ticket %(number)s raised for %(client)s.", number=ticket.number, client=ticket.client.name), "success")
    return redirect(url_for("staff.ticket", ticket_id=ticket.id))


def _ticket_page(ticket: Ticket, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    thread = queries.thread(ticket, with_notes=True)
    files = attachments.attachments_of(ticket.id, [m.id for m in thread])
    contact = next((c for c in ticket.client.contacts if c.id == ticket.contact_id), None)
    return _page(
        "staff/tickets/detail.html",
        status,
        ticket=ticket,
        thread=thread,
        files=files,
        contact=contact,
        people=queries.ticket_workers(),
        categories=desk.categories(),
        details=custom.stored("ticket", ticket),
        errors=errors or {},
        direct_upload=_direct_upload_url("staff.offer_reply_upload", ticket_id=ticket.id),
    )


@bp.get("/tickets/<ticket_id>")
@resolves(ticket=get_ticket)
def ticket(ticket: Ticket) -> ResponseReturnValue:
    return _ticket_page(ticket)


def _to_ticket(ticket: Ticket, **_records: object) -> str:
    return url_for("staff.ticket", ticket_id=ticket.id)


@bp.post("/tickets/<ticket_id>/reply")
@requires(Perm.TICKETS)
@resolves(ticket=get_ticket)
@on_invalid(lambda exc, ticket: _ticket_page(ticket, exc.errors, 422))
def reply_ticket(ticket: Ticket) -> ResponseReturnValue:
    """A reply the client sees, or (`internal`) a note for the studio alone; either may carry files."""
    body = load(ReplySchema(), request.form)["body"]
    internal = request.form.get("internal") == "1"
    files = attachments.read_uploads(request.files.getlist("files"))
    sent = _claim(ticket.id, len(files))
    message = services.reply(g.membership, ticket, body, internal=internal, wait=request.form.get("wait") == "1")
    attachments.store(
        _storage(), files, "ticket_reply", message.id, ticket.client_id, ticket.tenant_id, g.membership.user_id
    )
    attachments.hand_over(sent, "ticket_reply", message.id, ticket.client_id, g.membership.user_id)
    flash(_("Internal note added.") if internal else _("Reply sent to the client."), "success")
    return redirect(_to_ticket(ticket))


@bp.post("/tickets/<ticket_id>/change")
@requires(Perm.TICKETS)
@resolves(ticket=get_ticket)
@on_invalid(flash_and_return(_to_ticket))
def change_ticket(ticket: Ticket) -> ResponseReturnValue:
    """Status, priority, assignee, category: the page's controls, with the version it showed."""
    data = load(TicketChangeSchema(), request.form)
    data = {k: v for k, v in data.items() if k in request.form}
    if request.form.get("with_details") == "1":  # the page showed the studio's own fields: what they hold now
        data["custom_fields"] = custom.sent("ticket", request.form)
    services.change_ticket(g.membership, ticket, data)
    flash(_("Ticket %(number)s saved.", number=ticket.number), "success")
    return redirect(_to_ticket(ticket))


# The studio's service desk: business hours, SLA targets per priority, categories (admins).


def _settings_values(row) -> dict[str, Any]:
    values: dict[str, Any] = {
        "work_days": row.work_days,
        "day_start": row.day_start.strftime("%H:%M"),
        "day_end": row.day_end.strftime("%H:%M"),
        "categories": "\n".join(desk.categories(row)),
        "version": row.version,
    }
    for priority, target in desk.sla_targets(row).items():
        values[f"{priority}_first_response"] = target["first_response"]
        values[f"{priority}_resolution"] = target["resolution"]
    return values


def _settings_page(form: Any, errors: dict, status: int = 200) -> ResponseReturnValue:
    return _page("staff/tickets/settings.html", status, form=form, errors=errors, priorities=tuple(Priority))


def _settings_input() -> dict[str, Any]:
    raw = request.form.to_dict()
    raw["work_days"] = request.form.getlist("work_days")
    raw["categories"] = [line for line in request.form.get("categories", "").splitlines() if line.strip()]
    return raw


def _settings_refused(exc: ValidationFailed) -> ResponseReturnValue:
    form = request.form.to_dict() | {"work_days": [int(d) for d in request.form.getlist("work_days") if d.isdigit()]}
    return _settings_page(form, exc.errors, 422)


@bp.route("/settings/tickets", methods=["GET", "POST"])
@requires(Perm.STUDIO_SETTINGS)
@on_invalid(_settings_refused)
def ticket_settings() -> ResponseReturnValue:
    row = desk.ticket_settings()
    if request.method == "GET":
        return _settings_page(_settings_values(row), {})
    desk.update_settings(g.membership, row, load(SettingsSchema(), _settings_input()))
    flash(_("Service desk settings saved. New tickets follow them."), "success")
    return redirect(url_for("staff.ticket_settings"))
