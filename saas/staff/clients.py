"""Client hub pages: the list, the 360° page, forms for clients, contacts, follow-ups and shares, My follow-ups.
Thin: resolve the client through the record-level access helper, call a service, render or redirect."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.clients import queries, services
from saas.clients.access import can_edit, get_client, sees_relationship
from saas.clients.schemas import ClientSchema, ContactSchema, InteractionSchema, ShareSchema, TagRenameSchema
from saas.errors import ValidationFailed
from saas.portal_accounts import services as portal_accounts
from saas.portal_accounts.queries import portal_users_of
from saas.projects import queries as project_queries
from saas.projects.access import can_edit_project
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm

# The edit form shows what the service tracks, plus the version it checks.
CLIENT_FIELDS = (*services.TRACKED, "version")


def _today():
    return datetime.now(ZoneInfo(g.tenant.timezone)).date()


def _list_page(filters: queries.ClientFilters, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = queries.client_page(g.membership, filters, request.args.get("after"))
    return render_template(
        "staff/clients/list.html",
        page=page,
        team=queries.team(),
        today=_today(),
        views=queries.my_views(g.membership),
        errors=errors,
    ), status


@bp.get("/clients")
def clients() -> ResponseReturnValue:
    return _list_page(queries.ClientFilters.from_args(request.args), {})


@bp.post("/clients/views")
def save_view() -> ResponseReturnValue:
    filters = queries.ClientFilters.from_args(request.form)
    try:
        view = services.save_view(g.membership, request.form.get("view_name", ""), filters.as_args())
    except ValidationFailed as exc:
        return _list_page(filters, exc.errors, 422)
    flash(_("View %(name)s saved.", name=view.name), "success")
    return redirect(url_for("staff.clients", **view.filters))


@bp.post("/clients/views/<view_id>/delete")
def delete_view(view_id: str) -> ResponseReturnValue:
    view = queries.my_view(g.membership, view_id)
    if view is None:
        raise NotFound()
    services.delete_view(g.membership, view)
    flash(_("View %(name)s deleted.", name=view.name), "success")
    return redirect(url_for("staff.clients"))


def _client_form(form: dict, errors: dict, client=None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/clients/form.html", form=form, errors=errors, client=client, team=queries.team()
    ), status


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
def new_client() -> ResponseReturnValue:
    if request.method == "GET":
        return _client_form({"owner_id": str(g.membership.user_id)}, {})
    try:
        client = services.create_client(g.membership, load(ClientSchema(), request.form))
    except ValidationFailed as exc:
        return _client_form(request.form, exc.errors, status=422)
    flash(_("Client %(name)s created.", name=client.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


def _detail_page(
    found, only: str | None = None, errors: dict | None = None, form: dict | None = None, status: int = 200
) -> ResponseReturnValue:
    from saas.billing import queries as billing

    relationship = sees_relationship(g.membership)
    page = render_template(
        "staff/clients/detail.html",
        client=found,
        docs=billing.documents_of(client_id=found.id),
        profit=billing.client_profit(found.id),
        relationship=relationship,
        entries=queries.timeline(found, only) if relationship else [],
        only=only,
        next_action=queries.next_action(found) if relationship else None,
        shares=queries.shares_of(found),
        projects=project_queries.projects_of_client(g.membership, found.id),
        tasks=project_queries.tasks_of(g.membership, client_id=found.id) if relationship else [],
        projects_editable=can_edit_project(g.membership),
        portal_users={u.contact_id: u for u in portal_users_of(found)},
        team=queries.team(),
        editable=can_edit(g.membership, found),
        today=_today(),
        errors=errors or {},
        form=form or {},
    )
    return page, status


def _section_errors(found, section: str, exc: ValidationFailed) -> ResponseReturnValue:
    """Re-show the 360° page with one section's form errors (the page holds several forms)."""
    errors = {f"{section}.{field}": messages for field, messages in exc.errors.items()}
    return _detail_page(found, errors=errors, form=request.form, status=422)


@bp.get("/clients/<client_id>")
def client(client_id: str) -> ResponseReturnValue:
    return _detail_page(get_client(g.membership, client_id), request.args.get("only") or None)


@bp.route("/clients/<client_id>/edit", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
def edit_client(client_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    if request.method == "GET":
        form = {k: getattr(found, k) for k in CLIENT_FIELDS}
        form.update(tags=", ".join(found.tags), owner_id=str(found.owner_id or ""))
        return _client_form(form, {}, found)
    try:
        services.update_client(g.membership, found, load(ClientSchema(), request.form))
    except ValidationFailed as exc:
        return _client_form(request.form, exc.errors, found, 422)
    flash(_("Client saved."), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/<any(archive, restore):action>")
@requires(Perm.CLIENTS_EDIT)
def archive_client(client_id: str, action: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    services.set_archived(g.membership, found, action == "archive")
    flash(_("Client archived.") if action == "archive" else _("Client restored."), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/delete")
@requires(Perm.CLIENTS_DELETE)
def delete_client(client_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    try:
        services.delete_client(g.membership, found, request.form.get("confirm_name", ""))
    except ValidationFailed as exc:
        return _section_errors(found, "delete", exc)
    flash(_("Client %(name)s deleted for good.", name=found.name), "success")
    return redirect(url_for("staff.clients"))


@bp.post("/clients/<client_id>/contacts")
@requires(Perm.CLIENTS_EDIT)
def add_contact(client_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    try:
        contact = services.add_contact(g.membership, found, load(ContactSchema(), request.form))
    except ValidationFailed as exc:
        return _section_errors(found, "contact", exc)
    flash(_("Contact %(name)s added.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


def _contact_form(found, contact, form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = render_template("staff/clients/contact_form.html", client=found, contact=contact, form=form, errors=errors)
    return page, status


@bp.route("/clients/<client_id>/contacts/<contact_id>/edit", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
def edit_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    contact = queries.contact_of(found, contact_id)
    if request.method == "GET":
        form = {k: getattr(contact, k) for k in ContactSchema().fields}
        return _contact_form(found, contact, form, {})
    try:
        services.update_contact(g.membership, found, contact, load(ContactSchema(), request.form))
    except ValidationFailed as exc:
        return _contact_form(found, contact, request.form, exc.errors, 422)
    flash(_("Contact %(name)s saved.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/contacts/<contact_id>/remove")
@requires(Perm.CLIENTS_EDIT)
def remove_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    contact = queries.contact_of(found, contact_id)
    services.remove_contact(g.membership, found, contact)
    flash(_("Contact %(name)s removed.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/contacts/<contact_id>/portal")
@requires(Perm.CLIENTS_EDIT)
def invite_to_portal(client_id: str, contact_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    contact = queries.contact_of(found, contact_id)
    try:
        portal_accounts.invite_contact(g.membership, found, contact)
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return redirect(url_for("staff.client", client_id=found.id)), 303
    flash(_("%(name)s will get a sign-in link to the portal by e-mail.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/portal/<portal_user_id>/revoke")
@requires(Perm.CLIENTS_EDIT)
def revoke_portal(client_id: str, portal_user_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    user = next((u for u in portal_users_of(found) if str(u.id) == portal_user_id), None)
    if user is None:
        raise NotFound()
    portal_accounts.revoke(g.membership, user)
    flash(_("%(name)s can no longer open the portal.", name=user.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/interactions")
@requires(Perm.CLIENTS_EDIT)
def log_interaction(client_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    try:
        services.log_interaction(g.membership, found, load(InteractionSchema(), request.form))
    except ValidationFailed as exc:
        return _section_errors(found, "interaction", exc)
    flash(_("Follow-up logged."), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/interactions/<interaction_id>/done")
@requires(Perm.CLIENTS_EDIT)
def complete_next_action(client_id: str, interaction_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    interaction = queries.open_interaction(found, interaction_id)
    if interaction is None:
        raise NotFound()
    services.complete_next_action(g.membership, interaction)
    flash(_("Marked as done."), "success")
    target = request.form.get("back")
    return redirect(
        url_for("staff.follow_ups") if target == "follow-ups" else url_for("staff.client", client_id=found.id)
    )


@bp.post("/clients/<client_id>/shares")
@requires(Perm.CLIENTS_SHARE)
def share_client(client_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    try:
        share = services.share_client(g.membership, found, load(ShareSchema(), request.form), g.tenant.timezone)
    except ValidationFailed as exc:
        return _section_errors(found, "share", exc)
    flash(_("Shared with %(name)s.", name=share.user.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


@bp.post("/clients/<client_id>/shares/<share_id>/revoke")
@requires(Perm.CLIENTS_SHARE)
def revoke_share(client_id: str, share_id: str) -> ResponseReturnValue:
    found = get_client(g.membership, client_id)
    share = queries.share_of(found, share_id)
    services.revoke_share(g.membership, found, share)
    flash(_("No longer shared with %(name)s.", name=share.user.name), "success")
    return redirect(url_for("staff.client", client_id=found.id))


def _tags_page(errors: dict | None = None, form: dict | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/clients/tags.html", tags=queries.tag_counts(g.membership), errors=errors or {}, form=form or {}
    )
    return page, status


@bp.get("/clients/tags")
def client_tags() -> ResponseReturnValue:
    return _tags_page()


@bp.post("/clients/tags/<any(rename, remove):action>")
@requires(Perm.CLIENTS_ALL)
def change_tag(action: str) -> ResponseReturnValue:
    old = request.form.get("tag", "")
    try:
        if action == "rename":
            count = services.rename_tag(g.membership, old, load(TagRenameSchema(), request.form)["name"])
        else:
            count = services.remove_tag(g.membership, old)
    except ValidationFailed as exc:
        return _tags_page({f"{old}.{k}": v for k, v in exc.errors.items()}, request.form, 422)
    flash(_("Tag %(tag)s changed on %(n)d clients.", tag=old, n=count), "success")
    return redirect(url_for("staff.client_tags"))


@bp.get("/follow-ups")
def follow_ups() -> ResponseReturnValue:
    return render_template(
        "staff/clients/follow_ups.html", items=queries.follow_ups(g.membership, _today()), today=_today()
    )
