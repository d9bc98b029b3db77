"""Service tickets in the portal: the client's tickets, raising one (subject, description, category, files), and
a ticket's public thread with a reply box. Internal notes and their files never appear here: the thread is read
without them and a file is opened only when the ticket or a public reply holds it."""

from __future__ import annotations

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.files import direct
from saas.files.serving import send_file_or_preview
from saas.portal.views import bp, signed_in
from saas.schemas import load
from saas.tickets import attachments, queries, services
from saas.tickets import settings as desk
from saas.tickets.access import portal_attachment, portal_ticket
from saas.tickets.models import Ticket
from saas.tickets.schemas import PortalTicketSchema, ReplySchema
from saas.web.pages import on_invalid, resolves
from saas.web.security import allow_direct_uploads

UPLOADS = "files.upload"  # hidden inputs the page's script adds, one per file it sent to the bucket


def _page(template: str, status: int = 200, **context) -> ResponseReturnValue:
    page = render_template(
        template, tenant=g.portal_tenant, user=g.portal_user, category_label=desk.category_label, **context
    )
    return page, status


@bp.get("/tickets")
def tickets() -> ResponseReturnValue:
    return _page("portal/tickets.html", tickets=queries.portal_tickets(signed_in()))


def _new_form(form, errors: dict, status: int = 200) -> ResponseReturnValue:
    direct_upload = _direct_upload_url("portal.offer_ticket_upload")
    return _page(
        "portal/ticket_new.html",
        status,
        form=form,
        errors=errors,
        categories=desk.categories(),
        direct_upload=direct_upload,
    )


def _storage():
    return current_app.extensions["atelier.storage"]


def _store(files, owner_kind: str, owner_id, ticket: Ticket) -> None:
    attachments.store(_storage(), files, owner_kind, owner_id, ticket.client_id, ticket.tenant_id, None)


def _offer(waits_on) -> ResponseReturnValue:
    """A presigned POST for one attachment, reserved for `waits_on` (the ticket replied to, or the portal user
    about to raise one). Only with S3 (404 otherwise: the files go with the form, as without script)."""
    if not allow_direct_uploads():
        raise NotFound()
    body = request.get_json(silent=True)
    body = {k: v for k, v in body.items() if k != "input"} if isinstance(body, dict) else {}
    try:
        offered = attachments.offer(_storage(), g.portal_tenant.id, waits_on, load(direct.OfferSchema(), body))
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    return jsonify(direct.described(offered)), 201


@bp.post("/tickets/uploads")
def offer_ticket_upload() -> ResponseReturnValue:
    return _offer(signed_in().id)


@bp.post("/tickets/<ticket_id>/uploads")
@resolves(actor=signed_in, ticket=portal_ticket)
def offer_reply_upload(ticket: Ticket) -> ResponseReturnValue:
    return _offer(ticket.id)


def _direct_upload_url(endpoint: str, **values) -> str | None:
    """The page's script sends attachments to the bucket when there is one (and the CSP lets it there only)."""
    return url_for(endpoint, **values) if allow_direct_uploads() else None


@bp.route("/tickets/new", methods=["GET", "POST"])
@on_invalid(lambda exc: _new_form(request.form, exc.errors, 422))
def new_ticket() -> ResponseReturnValue:
    user = signed_in()
    if request.method == "GET":
        return _new_form({}, {})
    data = load(PortalTicketSchema(), request.form)
    files = attachments.read_uploads(request.files.getlist("files"))
    sent = attachments.claim_uploads(_storage(), request.form.getlist(UPLOADS), user.id, len(files))
    ticket = services.raise_in_portal(user, data)
    _store(files, "ticket", ticket.id, ticket)
    attachments.hand_over(sent, "ticket", ticket.id, ticket.client_id)
    flash(
        _(
            "Thank you. %(studio)s has your request as ticket %(number)s.",
            studio=g.portal_tenant.name,
            number=ticket.number,
        ),
        "success",
    )
    return redirect(url_for("portal.ticket", ticket_id=ticket.id))


def _ticket_page(ticket: Ticket, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    thread = queries.thread(ticket, with_notes=False)
    files = attachments.attachments_of(ticket.id, [m.id for m in thread])
    direct_upload = _direct_upload_url("portal.offer_reply_upload", ticket_id=ticket.id)
    return _page(
        "portal/ticket.html",
        status,
        ticket=ticket,
        thread=thread,
        files=files,
        errors=errors or {},
        direct_upload=direct_upload,
    )


@bp.get("/tickets/<ticket_id>")
@resolves(actor=signed_in, ticket=portal_ticket)
def ticket(ticket: Ticket) -> ResponseReturnValue:
    return _ticket_page(ticket)


@bp.post("/tickets/<ticket_id>/reply")
@resolves(actor=signed_in, ticket=portal_ticket)
@on_invalid(lambda exc, ticket: _ticket_page(ticket, exc.errors, 422))
def reply_ticket(ticket: Ticket) -> ResponseReturnValue:
    body = load(ReplySchema(), request.form)["body"]
    files = attachments.read_uploads(request.files.getlist("files"))
    sent = attachments.claim_uploads(_storage(), request.form.getlist(UPLOADS), ticket.id, len(files))
    message = services.client_reply(g.portal_user, ticket, body)
    _store(files, "ticket_reply", message.id, ticket)
    attachments.hand_over(sent, "ticket_reply", message.id, ticket.client_id)
    flash(_("Your reply is sent."), "success")
    return redirect(url_for("portal.ticket", ticket_id=ticket.id))


@bp.get("/tickets/<ticket_id>/files/<file_id>")
@resolves(actor=signed_in, ticket=portal_ticket)
def ticket_file(ticket: Ticket, file_id: str) -> ResponseReturnValue:
    preview = request.args.get("preview")
    stored = portal_attachment(ticket, file_id)
    return send_file_or_preview(stored, preview if preview in ("thumb", "large") else None)
