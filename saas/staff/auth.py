"""Public staff pages: landing, studio sign-up, log in and out, password reset, joining by invitation."""

from __future__ import annotations

import secrets
import uuid

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from saas import origin
from saas.config import LOCALES
from saas.errors import ValidationFailed
from saas.extensions import db, limiter
from saas.i18n import current_locale
from saas.isolation import set_tenant, set_user
from saas.schemas import load
from saas.staff.context import Deactivated, choose_membership, next_url, renew_session, sign_out
from saas.tenants import accounts, audit, services
from saas.tenants.access import tenant_by_slug
from saas.tenants.models import User
from saas.tenants.schemas import (
    AcceptInviteSchema,
    LoginSchema,
    ResetRequestSchema,
    ResetSchema,
    SignupSchema,
)
from saas.web.client_ip import client_ip
from saas.web.pages import on_invalid, register_page_errors
from saas.web.transaction import keep_changes_on_error
from saas.web.urls import is_safe_redirect

bp = Blueprint("staff_auth", __name__, template_folder="templates")
register_page_errors(bp)


def _limit(name: str) -> str:
    return getattr(current_app.extensions["atelier.settings"], name)


def _begin_session(user: User) -> None:
    """A fresh session at every sign-in (nothing carried over from before), in the person's studio."""
    locale = session.get("locale")
    renew_session(user)
    if locale and not user.locale:
        user.locale = locale
    set_user(db.session(), user.id)
    origin.set_origin(user.id, client_ip())
    try:
        membership = choose_membership(user, user.last_tenant_id)
    except Deactivated:  # their last studio let them go; open another one they still belong to, if any
        membership = choose_membership(user, None)
    if membership is not None:
        session["tenant_id"] = str(membership.tenant_id)
        user.last_tenant_id = membership.tenant_id
        audit.record("login.succeeded", user)


def _after_login() -> Response:
    target = next_url()
    return redirect(target if is_safe_redirect(target) else url_for("staff.home"))


@bp.get("/")
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    return render_template("auth/index.html")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("signup_rate_limit"), methods=["POST"])
@on_invalid(lambda exc: (render_template("auth/signup.html", form=request.form, errors=exc.errors), 422))
def signup() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("auth/signup.html", form={}, errors={})
    data = load(SignupSchema(), request.form)
    membership = services.create_studio(**data, locale=current_locale())
    _begin_session(membership.user)
    flash(_("Welcome to Atelier! Your studio %(name)s is ready.", name=membership.tenant.name), "success")
    return redirect(url_for("staff.home"))


def _login_page(form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    return render_template("auth/login.html", form=form, errors=errors, next=next_url()), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("login_rate_limit"), methods=["POST"])
@on_invalid(lambda exc: _login_page(request.form, exc.errors, 422))
def login() -> ResponseReturnValue:
    if request.method == "GET":
        if current_user.is_authenticated:
            return _after_login()
        return _login_page({}, {})
    data = load(LoginSchema(), request.form)
    try:
        user = accounts.authenticate(data["email"], data["password"], _attempt())
    except accounts.LoginRefused as exc:
        keep_changes_on_error()  # the failure count must survive this error response
        return _login_page(request.form, {"_schema": [exc.message]}, 429 if exc.locked_until else 401)
    _begin_session(user)
    return remember_device(_after_login(), user)


# A browser the person signed in with before carries a signed cookie naming them and the browser: guesses from
# anywhere else never lock them out of it (accounts.authenticate).
DEVICE_COOKIE = "atelier_device"
DEVICE_DAYS = 400


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _attempt() -> accounts.Attempt:
    try:
        known = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_DAYS * 86400)
        return accounts.Attempt(client_ip(), uuid.UUID(known["u"]), str(known["d"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return accounts.Attempt(client_ip())


def remember_device(response: Response, user: User) -> Response:
    attempt = _attempt()
    device = attempt.device if attempt.known(user) else secrets.token_urlsafe(12)
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps({"u": str(user.id), "d": device}),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("staff_auth.login"))


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    """The language switcher for people not signed in (signed-in people set it on their account)."""
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("staff_auth.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("reset_rate_limit"), methods=["POST"])
@on_invalid(lambda exc: (render_template("auth/forgot.html", form=request.form, errors=exc.errors), 422))
def forgot_password() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("auth/forgot.html", form={}, errors={})
    data = load(ResetRequestSchema(), request.form)
    accounts.request_password_reset(data["email"])
    return render_template("auth/forgot_sent.html", email=data["email"])


def _reset_refused(exc: ValidationFailed) -> ResponseReturnValue:
    token = (request.view_args or {})["token"]
    return render_template("auth/reset.html", token=token, errors=exc.errors), 422


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("reset_rate_limit"), methods=["POST"])
@on_invalid(_reset_refused)
def reset_password(token: str) -> ResponseReturnValue:
    if accounts.find_reset(token) is None:
        return render_template("auth/link_invalid.html"), 404
    if request.method == "GET":
        return render_template("auth/reset.html", token=token, errors={})
    data = load(ResetSchema(), request.form)
    user = accounts.reset_password(token, data["password"])
    _begin_session(user)
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("staff.home"))


def _join_page(errors: dict, form: dict, status: int = 200) -> ResponseReturnValue:
    """The invitation as it was when the request began (`g.join`): a refusal shows the same page again, even
    when the invitation was used by a parallel request in the meantime."""
    return render_template("auth/join.html", errors=errors, form=form, **g.join), status


@bp.route("/join/<slug>/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("login_rate_limit"), methods=["POST"])
@on_invalid(lambda exc: _join_page(exc.errors, request.form, 422))
def join(slug: str, token: str) -> ResponseReturnValue:
    tenant = tenant_by_slug(slug)
    set_tenant(db.session(), tenant.id)
    invitation = services.open_invitation(token)
    if invitation is None:
        return render_template("auth/link_invalid.html", tenant=tenant), 404
    existing = accounts.find_user(invitation.email)
    g.join = {"tenant": tenant, "invitation": invitation, "existing": existing, "token": token}
    if request.method == "GET":
        return _join_page({}, {})
    data = load(AcceptInviteSchema(), request.form)
    membership = services.accept_invitation(token, data.get("name"), data["password"])
    db.session.flush()
    _begin_session(membership.user)
    flash(_("Welcome to %(studio)s!", studio=tenant.name), "success")
    return redirect(url_for("staff.home"))
