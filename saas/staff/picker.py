"""Step one of a new project, quote, contract or invoice started from its list: find the client it is for (a studio
may have 100,000), then the form opens for that client. The same page for every kind of record."""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from saas.clients import queries as client_queries

RECENT = 8


def pick_client(endpoint: str, title: str, back_endpoint: str, back_label: str) -> ResponseReturnValue:
    """The picker: a search over the clients this person sees, and their most recently active ones to start with."""
    q = request.args.get("q", "").strip()[:100]
    filters = client_queries.ClientFilters(q=q) if q else client_queries.ClientFilters(sort="recent")
    found = client_queries.client_page(g.membership, filters, None).clients[: 20 if q else RECENT]
    return render_template(
        "staff/pick_client.html",
        q=q,
        found=found,
        endpoint=endpoint,
        title=title,
        back_endpoint=back_endpoint,
        back_label=back_label,
        extra={key: request.args[key] for key in ("project",) if request.args.get(key)},
    )
