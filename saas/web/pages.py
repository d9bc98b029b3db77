"""One way to write a page handler (staff workspace, portal): the records a URL names are looked up once, through
their access helper, before the view runs; refused input is answered by the surface's one error handler, which
re-shows the page the view declared for it.

    @bp.route("/clients/<client_id>/edit", methods=["GET", "POST"])
    @requires(Perm.CLIENTS_EDIT)
    @resolves(client=get_client)
    @on_invalid(lambda exc, client: client_form(request.form, exc.errors, client, 422))
    def edit_client(client: Client) -> ResponseReturnValue:
        services.update_client(g.membership, client, load(ClientSchema(), request.form))
        ...

A view without `on_invalid` that refuses input flashes the messages and goes back where the form came from (the
same page), which suits the buttons and small forms of a page that holds several.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, flash, g, make_response, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from saas.errors import Conflict, ValidationFailed
from saas.web.urls import is_safe_redirect

Loader = Callable[[Any, str], Any]  # (the person asking, the id in the URL) -> the record, or NotFound
Render = Callable[..., ResponseReturnValue]  # (the refusal, **the records the URL named) -> the page again


@dataclass(frozen=True)
class ChildOf:
    """A record looked up through its parent, already resolved: `contact=ChildOf("client", contact_of)`."""

    parent: str
    load: Callable[[Any, str], Any]  # (the parent record, the id in the URL) -> the record, or NotFound


def resolves(actor: Callable[[], Any] | None = None, **loaders: Loader | ChildOf) -> Callable[[Callable], Callable]:
    """`@resolves(client=get_client)`: the URL's `<client_id>` reaches the view as `client`, loaded once through
    the access helper with the person asking (`g.membership` unless `actor` says otherwise); another studio's
    or an invisible record is a 404 before the view runs. Children come after their parent, through it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            who = actor() if actor is not None else g.membership
            for name, load in loaders.items():
                raw = kwargs.pop(f"{name}_id")
                kwargs[name] = load.load(kwargs[load.parent], raw) if isinstance(load, ChildOf) else load(who, raw)
            g.resolved = {name: kwargs[name] for name in loaders}
            return view(*args, **kwargs)

        return wrapped

    return decorator


def on_invalid(render: Render) -> Callable[[Callable], Callable]:
    """What the page answers when its input is refused: `render(exc, **records)`, typically the form again with
    the errors and status 422."""

    def decorator(view: Callable) -> Callable:
        view.on_invalid = render  # type: ignore[attr-defined]  # functools.wraps carries it to outer wrappers
        return view

    return decorator


def invalid_input(exc: ValidationFailed) -> ResponseReturnValue:
    """The error handler of a page surface for ValidationFailed (register it on the blueprint)."""
    view = current_app.view_functions.get(request.endpoint or "")
    render = getattr(view, "on_invalid", None)
    if render is not None:
        return render(exc, **g.get("resolved", {}))
    flash(exc.text, "error")
    return redirect(_back()), 303


def _back() -> str:
    """The page the form was on: the Referer when it is on this site, else the page itself."""
    referrer = request.referrer or ""
    root = request.host_url.rstrip("/")
    path = referrer[len(root) :] if referrer.startswith(root) else None
    return path if is_safe_redirect(path) else request.path


def flash_and_return(to: Callable[..., str]) -> Render:
    """For `on_invalid`: flash the messages and go to `to(**records)` (the page holding the form)."""

    def render(exc: ValidationFailed, **records: Any) -> ResponseReturnValue:
        flash(exc.text, "error")
        return redirect(to(**records)), 303

    return render


def conflicting_input(exc: Exception) -> ResponseReturnValue:
    """Someone saved first (a stale version, a unique key taken a moment ago): the page answers as for refused
    input — the form again, with what happened as its error — but with 409, after undoing what was half-done."""
    from saas.extensions import db
    from saas.web.errors import status_message
    from saas.web.transaction import conflict_for

    db.session.rollback()  # first: the words below may read the signed-in person's language from the database
    conflict = exc if isinstance(exc, Conflict) else conflict_for(exc)
    field = conflict.field if conflict is not None else "version"
    message = (conflict.message if conflict is not None else None) or status_message(409)
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "on_invalid", None) is not None:
        flash(message, "error")  # said at the top of the form too: a form may have no place for `field`
    response = make_response(invalid_input(ValidationFailed({field: [message]})))
    if response.status_code < 300 or response.status_code >= 400:
        response.status_code = 409  # a redirect with the flashed message stays a redirect
    return response


def register_page_errors(blueprint: Blueprint) -> None:
    """The one error path of a page surface: refused input and conflicts, answered by the page's declaration."""
    blueprint.register_error_handler(ValidationFailed, invalid_input)
    for conflict in (Conflict, StaleDataError, IntegrityError):
        blueprint.register_error_handler(conflict, conflicting_input)
