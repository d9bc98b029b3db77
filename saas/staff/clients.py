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
from saas.clients.models import Client, Contact
from saas.clients.schemas import ClientSchema, ContactSchema, InteractionSchema, ShareSchema, TagRenameSchema
from saas.errors import ValidationFailed
from saas.portal_accounts import services as portal_accounts
from saas.portal_accounts.queries import portal_users_of
from saas.projects import queries as project_queries
from saas.projects.access import can_edit_project
from saas.schemas import load
from saas.staff import custom
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.pages import ChildOf, Render, flash_and_return, on_invalid, resolves

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
@on_invalid(lambda exc: _list_page(queries.ClientFilters.from_args(request.form), exc.errors, 422))
def save_view() -> ResponseReturnValue:
    filters = queries.ClientFilters.from_args(request.form)
    view = services.save_view(g.membership, request.form.get("view_name", ""), filters.as_args())
    flash(_("View %(name)s saved.", name=view.name), "success")
    return redirect(url_for("staff.clients", **view.filters))


@bp.post("/clients/views/<view_id>/delete")
def delete_view(view_id: str) -> ResponseReturnValue:
    view = queries.my_view(g.membership, view_id)
    if view is None:
        raise NotFound()
    services.delete_view(g.membership, view)
    flash(_("View %(name)s deleted.", name=view.name), "success")
    return redirect(url_for("staff.contacts" if view.page == "contacts" else "staff.clients"))


def _client_form(form: dict, errors: dict, client=None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/clients/form.html", form=form, errors=errors, client=client, team=queries.team()
    ), status


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
@on_invalid(lambda exc: _client_form(request.form, exc.errors, status=422))
def new_client() -> ResponseReturnValue:
    if request.method == "GET":
        return _client_form({"owner_id": str(g.membership.user_id), **custom.defaults("client")}, {})
    data = {**load(ClientSchema(), request.form), "custom_fields": custom.sent("client", request.form)}
    client = services.create_client(g.membership, data)
    flash(_("Client %(name)s created.", name=client.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


def _detail_page(
    found, only: str | None = None, errors: dict | None = None, form: dict | None = None, status: int = 200
) -> ResponseReturnValue:
    from saas.billing import queries as billing
    from saas.tickets import queries as ticket_queries
    from saas.tickets.access import sees_tickets
    from saas.tickets.settings import category_label

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
        tickets=ticket_queries.tickets_of_client(g.membership, found.id) if sees_tickets(g.membership) else None,
        clock=ticket_queries.clock,
        category_label=category_label,
    )
    return page, status


def _section_errors(section: str) -> Render:
    """Re-show the 360° page with one section's form errors (the page holds several forms)."""

    def render(exc: ValidationFailed, client: Client, **_records: object) -> ResponseReturnValue:
        errors = {f"{section}.{field}": messages for field, messages in exc.errors.items()}
        return _detail_page(client, errors=errors, form=request.form, status=422)

    return render


def _to_client(client: Client, **_records: object) -> str:
    return url_for("staff.client", client_id=client.id)


@bp.get("/clients/<client_id>")
@resolves(client=get_client)
def client(client: Client) -> ResponseReturnValue:
    return _detail_page(client, request.args.get("only") or None)


@bp.route("/clients/<client_id>/edit", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
@on_invalid(lambda exc, client: _client_form(request.form, exc.errors, client, 422))
def edit_client(client: Client) -> ResponseReturnValue:
    if request.method == "GET":
        form = {k: getattr(client, k) for k in CLIENT_FIELDS}
        form.update(tags=", ".join(client.tags), owner_id=str(client.owner_id or ""), **custom.stored("client", client))
        return _client_form(form, {}, client)
    data = {**load(ClientSchema(), request.form), "custom_fields": custom.sent("client", request.form)}
    services.update_client(g.membership, client, data)
    flash(_("Client saved."), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/<any(archive, restore):action>")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
def archive_client(client: Client, action: str) -> ResponseReturnValue:
    services.set_archived(g.membership, client, action == "archive")
    flash(_("Client archived.") if action == "archive" else _("Client restored."), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/delete")
@requires(Perm.CLIENTS_DELETE)
@resolves(client=get_client)
@on_invalid(_section_errors("delete"))
def delete_client(client: Client) -> ResponseReturnValue:
    services.delete_client(g.membership, client, request.form.get("confirm_name", ""))
    flash(_("Client %(name)s deleted for good.", name=client.name), "success")
    return redirect(url_for("staff.clients"))


@bp.post("/clients/<client_id>/contacts")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
@on_invalid(_section_errors("contact"))
def add_contact(client: Client) -> ResponseReturnValue:
    data = {**load(ContactSchema(), request.form), "custom_fields": custom.sent("contact", request.form)}
    contact = services.add_contact(g.membership, client, data)
    flash(_("Contact %(name)s added.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


def _contact_form(found, contact, form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = render_template("staff/clients/contact_form.html", client=found, contact=contact, form=form, errors=errors)
    return page, status


@bp.route("/clients/<client_id>/contacts/<contact_id>/edit", methods=["GET", "POST"])
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client, contact=ChildOf("client", queries.contact_of))
@on_invalid(lambda exc, client, contact: _contact_form(client, contact, request.form, exc.errors, 422))
def edit_contact(client: Client, contact: Contact) -> ResponseReturnValue:
    if request.method == "GET":
        form = {k: getattr(contact, k) for k in ContactSchema().fields if k != "custom_fields"}
        return _contact_form(client, contact, {**form, **custom.stored("contact", contact)}, {})
    data = {**load(ContactSchema(), request.form), "custom_fields": custom.sent("contact", request.form)}
    services.update_contact(g.membership, client, contact, data)
    flash(_("Contact %(name)s saved.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/contacts/<contact_id>/remove")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client, contact=ChildOf("client", queries.contact_of))
def remove_contact(client: Client, contact: Contact) -> ResponseReturnValue:
    services.remove_contact(g.membership, client, contact)
    flash(_("Contact %(name)s removed.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/contacts/<contact_id>/portal")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client, contact=ChildOf("client", queries.contact_of))
@on_invalid(flash_and_return(_to_client))
def invite_to_portal(client: Client, contact: Contact) -> ResponseReturnValue:
    portal_accounts.invite_contact(g.membership, client, contact)
    flash(_("%(name)s will get a sign-in link to the portal by e-mail.", name=contact.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/portal/<portal_user_id>/revoke")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
def revoke_portal(client: Client, portal_user_id: str) -> ResponseReturnValue:
    user = next((u for u in portal_users_of(client) if str(u.id) == portal_user_id), None)
    if user is None:
        raise NotFound()
    portal_accounts.revoke(g.membership, user)
    flash(_("%(name)s can no longer open the portal.", name=user.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/interactions")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
@on_invalid(_section_errors("interaction"))
def log_interaction(client: Client) -> ResponseReturnValue:
    services.log_interaction(g.membership, client, load(InteractionSchema(), request.form))
    flash(_("Follow-up logged."), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/interactions/<interaction_id>/done")
@requires(Perm.CLIENTS_EDIT)
@resolves(client=get_client)
def complete_next_action(client: Client, interaction_id: str) -> ResponseReturnValue:
    interaction = queries.open_interaction(client, interaction_id)
    if interaction is None:
        raise NotFound()
    services.complete_next_action(g.membership, interaction)
    flash(_("Marked as done."), "success")
    target = request.form.get("back")
    return redirect(
        url_for("staff.follow_ups") if target == "follow-ups" else url_for("staff.client", client_id=client.id)
    )


@bp.post("/clients/<client_id>/shares")
@requires(Perm.CLIENTS_SHARE)
@resolves(client=get_client)
@on_invalid(_section_errors("share"))
def share_client(client: Client) -> ResponseReturnValue:
    share = services.share_client(g.membership, client, load(ShareSchema(), request.form), g.tenant.timezone)
    flash(_("Shared with %(name)s.", name=share.user.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.post("/clients/<client_id>/shares/<share_id>/revoke")
@requires(Perm.CLIENTS_SHARE)
@resolves(client=get_client)
def revoke_share(client: Client, share_id: str) -> ResponseReturnValue:
    share = queries.share_of(client, share_id)
    services.revoke_share(g.membership, client, share)
    flash(_("No longer shared with %(name)s.", name=share.user.name), "success")
    return redirect(url_for("staff.client", client_id=client.id))


def _tags_page(errors: dict | None = None, form: dict | None = None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/clients/tags.html", tags=queries.tag_counts(g.membership), errors=errors or {}, form=form or {}
    )
    return page, status


def _tag_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    """Each tag's row has its own form: its errors are keyed by the tag."""
    return {f"{request.form.get('tag', '')}.{k}": v for k, v in exc.errors.items()}


@bp.get("/clients/tags")
def client_tags() -> ResponseReturnValue:
    return _tags_page()


@bp.post("/clients/tags/<any(rename, remove):action>")
@requires(Perm.CLIENTS_ALL)
@on_invalid(
    lambda exc: _tags_page({f"{request.form.get('tag', '')}.{k}": v for k, v in exc.errors.items()}, request.form, 422)
)
def change_tag(action: str) -> ResponseReturnValue:
    old = request.form.get("tag", "")
    if action == "rename":
        count = services.rename_tag(g.membership, old, load(TagRenameSchema(), request.form)["name"])
    else:
        count = services.remove_tag(g.membership, old)
    flash(_("Tag %(tag)s changed on %(n)d clients.", tag=old, n=count), "success")
    return redirect(url_for("staff.client_tags"))


@bp.get("/follow-ups")
def follow_ups() -> ResponseReturnValue:
    return render_template(
        "staff/clients/follow_ups.html", items=queries.follow_ups(g.membership, _today()), today=_today()
    )
