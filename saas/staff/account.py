"""The signed-in person's own account: name, language, password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import renew_session
from saas.tenants import accounts
from saas.tenants.schemas import AccountSchema, PasswordChangeSchema
from saas.web.pages import on_invalid


def _page(form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    return render_template("staff/account.html", form=form, errors=errors), status


def _saved_values() -> dict:
    return {"name": current_user.name, "locale": current_user.locale or ""}


@bp.route("/account", methods=["GET", "POST"])
@on_invalid(lambda exc: _page(request.form, exc.errors, 422))
def account() -> ResponseReturnValue:
    user = current_user
    if request.method == "GET":
        return _page(_saved_values(), {})
    data = load(AccountSchema(), request.form)
    accounts.update_account(user, data["name"], data["locale"])
    refresh()
    flash(_("Your account is saved."), "success")
    return redirect(url_for("staff.account"))


@bp.post("/account/password")
@on_invalid(lambda exc: _page(_saved_values(), exc.errors, 422))
def change_password() -> ResponseReturnValue:
    user = current_user._get_current_object()
    data = load(PasswordChangeSchema(), request.form)
    accounts.change_password(user, data["current_password"], data["password"])
    # Every session ended, this one included: start a fresh one so the person stays signed in here.
    tenant_id = session.get("tenant_id")
    renew_session(user)
    session["tenant_id"] = tenant_id
    flash(_("Password changed. You have been signed out everywhere else."), "success")
    return redirect(url_for("staff.account"))
