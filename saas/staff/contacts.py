"""The contacts list: every contact of the clients this person may see, searched and filtered (the studio's contact
fields too), each linked to its client's 360° page. Thin: the query is saas.clients.contact_list."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from saas.clients.contact_list import ContactFilters, contact_page
from saas.staff.blueprint import bp


@bp.get("/contacts")
def contacts() -> ResponseReturnValue:
    page = contact_page(g.membership, ContactFilters.from_args(request.args), request.args.get("after"))
    return render_template("staff/clients/contacts.html", page=page)
