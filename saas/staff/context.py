"""Who is asking and in which studio: resolved once per request, before any staff view runs.

The studio comes from the signed session; the person's membership in it is re-read on every request, so a
deactivated member is signed out on their very next click.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from saas import origin
from saas.errors import NotAllowed
from saas.extensions import db, login_manager
from saas.isolation import set_tenant, set_user
from saas.tenants import accounts
from saas.tenants.access import membership_of, studios_of
from saas.tenants.models import Membership, User
from saas.tenants.roles import Perm, has_perm
from saas.web.client_ip import client_ip
from saas.web.inputs import clean


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    user = accounts.load_session(token)
    if user is not None:
        set_user(db.session(), user.id)
    return user


class Deactivated(Exception):
    def __init__(self, membership: Membership) -> None:
        self.membership = membership


def _wanted_tenant() -> uuid.UUID | None:
    try:
        return uuid.UUID(session["tenant_id"]) if session.get("tenant_id") else None
    except ValueError:
        return None


def choose_membership(user: User, wanted: uuid.UUID | None) -> Membership | None:
    """The active membership to work in: the one asked for, else the last used, else the first."""
    db_session = db.session()
    if wanted is not None:
        previous = db_session.info.get("tenant_id")
        set_tenant(db_session, wanted)
        membership = membership_of(user.id)
        if membership is not None and membership.active:
            return membership
        set_tenant(db_session, previous)  # never stay in a studio this person may not work in
        if membership is not None:
            raise Deactivated(membership)
    studios = studios_of(user.id)
    if not studios:
        set_tenant(db_session, None)
        return None
    membership = next((m for m in studios if m.tenant_id == user.last_tenant_id), studios[0])
    set_tenant(db_session, membership.tenant_id)
    return membership


def enter_workspace(membership: Membership) -> None:
    g.membership = membership
    g.tenant = membership.tenant
    session["tenant_id"] = str(membership.tenant_id)
    origin.set_origin(membership.user_id, client_ip())


def renew_session(user: User) -> None:
    """A fresh session (new cookie, new server-side row) at sign-in and after a password change; nothing from
    the previous cookie is carried over."""
    session.clear()
    accounts.start_session(user, client_ip(), clean(request.user_agent.string))  # a header, stored: cleaned
    login_user(user)


def sign_out(reason: str | None = None) -> None:
    if current_user.is_authenticated and current_user.session_token:
        accounts.end_session(current_user.session_token)
    logout_user()
    session.clear()
    if reason:
        flash(reason, "warning")


def require_workspace() -> ResponseReturnValue | None:
    """before_request of every /app page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    try:
        membership = choose_membership(current_user, _wanted_tenant())
    except Deactivated as exc:
        name = exc.membership.tenant.name
        sign_out(_("Your access to %(studio)s has been ended by its administrators.", studio=name))
        return redirect(url_for("staff_auth.login"))
    if membership is None:
        return render_template("staff/no_studio.html"), 403
    enter_workspace(membership)
    return None


def requires(perm: Perm) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_perm(g.membership.role, perm):
                raise NotAllowed()
            return view(*args, **kwargs)

        return wrapped

    return decorator


def my_studios() -> list[Membership]:
    """For the studio switcher: every studio the signed-in person may work in."""
    if not current_user.is_authenticated:
        return []
    if "my_studios" not in g:
        g.my_studios = studios_of(current_user.id)
    return g.my_studios


def next_url() -> str | None:
    return request.args.get("next") or request.form.get("next")
