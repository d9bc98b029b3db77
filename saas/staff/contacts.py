"""The contacts list: every contact of the clients this person may see, searched and filtered (the studio's contact
fields too), each linked to its client's 360° page, with the person's saved views of it. Thin: the query is
saas.clients.contact_list, the views are the clients list's (saved with page="contacts")."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.clients import queries, services
from saas.clients.contact_list import ContactFilters, contact_page
from saas.staff.blueprint import bp
from saas.web.pages import on_invalid

PAGE = "contacts"


def _list_page(filters: ContactFilters, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = contact_page(g.membership, filters, request.args.get("after"))
    views = queries.my_views(g.membership, PAGE)
    return render_template("staff/clients/contacts.html", page=page, views=views, errors=errors), status


@bp.get("/contacts")
def contacts() -> ResponseReturnValue:
    return _list_page(ContactFilters.from_args(request.args), {})


@bp.post("/contacts/views")
@on_invalid(lambda exc: _list_page(ContactFilters.from_args(request.form), exc.errors, 422))
def save_contact_view() -> ResponseReturnValue:
    filters = ContactFilters.from_args(request.form)
    view = services.save_view(g.membership, request.form.get("view_name", ""), filters.as_args(), PAGE)
    flash(_("View %(name)s saved.", name=view.name), "success")
    return redirect(url_for("staff.contacts", **view.filters))
