"""The client portal at /portal/<studio-slug>/: the studio's branding, sign-in by one-time link, and the
client's projects, quotes and invoices. The studio is resolved from the URL once per request (an unknown
slug is a 404); the portal user from their own cookie, scoped to this studio's path."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.billing.models import Quote
from saas.billing.services import quotes as quote_rules
from saas.billing.services.common import settings as billing_settings
from saas.config import LOCALES
from saas.extensions import db, limiter
from saas.files.models import StoredFile
from saas.files.serving import send_file_or_preview
from saas.files.uploads import shared_with
from saas.isolation import set_tenant
from saas.portal import progress, queries
from saas.portal_accounts import queries as accounts
from saas.portal_accounts import services as access
from saas.portal_accounts.models import PortalUser
from saas.projects.models import Project
from saas.projects.pipeline import stages
from saas.proofing import queries as proofing_queries
from saas.tenants.access import tenant_by_slug
from saas.tenants.queries import studio_today
from saas.web.client_ip import client_ip
from saas.web.pages import flash_and_return, on_invalid, register_page_errors, resolves
from saas.web.urls import is_safe_redirect

bp = Blueprint("portal", __name__, url_prefix="/portal/<slug>", template_folder="templates")
register_page_errors(bp)
COOKIE = "atelier_portal"


@bp.url_value_preprocessor
def _resolve_studio(_endpoint: str | None, values: dict | None) -> None:
    g.portal_tenant = tenant_by_slug((values or {}).pop("slug", ""))
    g.tenant = g.portal_tenant  # branding and amounts on portal pages follow the studio
    set_tenant(db.session(), g.portal_tenant.id)
    g.portal_user = accounts.session_user(request.cookies.get(COOKIE))


@bp.url_defaults
def _add_slug(_endpoint: str, values: dict) -> None:
    if "portal_tenant" in g:
        values.setdefault("slug", g.portal_tenant.slug)


def _cookie_path() -> str:
    return f"/portal/{g.portal_tenant.slug}/"


def signed_in() -> PortalUser:
    """The signed-in portal user, or off to sign in. The `actor` of the portal's `resolves`: the records a URL
    names are looked up through this person's client."""
    if g.portal_user is None:
        # Back to the page asked for after signing in (a review link from an e-mail, say).
        wanted = request.path if request.method == "GET" else None
        abort(redirect(url_for("portal.login", next=wanted)))
    return g.portal_user


def _next() -> str | None:
    """Where to go after signing in: a page of this studio's portal, nothing else."""
    wanted = request.values.get("next")
    return wanted if is_safe_redirect(wanted) and wanted.startswith(_cookie_path()) else None


@bp.get("/")
def landing() -> ResponseReturnValue:
    """The studio-branded front door clients reach from their e-mails."""
    if g.portal_user is not None:
        return redirect(url_for("portal.home"))
    return render_template("portal/landing.html", tenant=g.portal_tenant)


def _limit() -> str:
    return current_app.extensions["atelier.settings"].reset_rate_limit


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("portal/login.html", tenant=g.portal_tenant)
    email = request.form.get("email", "").strip()
    if "@" not in email or len(email) > 254:
        return render_template("portal/login.html", tenant=g.portal_tenant, error=True, email=email), 422
    access.request_link(email, _next())
    return render_template("portal/link_sent.html", tenant=g.portal_tenant, email=email)


@bp.get("/signin/<token>")
def confirm(token: str) -> ResponseReturnValue:
    """Opening the link changes nothing (mail scanners open links); the button on this page signs in."""
    link = accounts.find_link(token)
    if link is None:
        return render_template("portal/link_invalid.html", tenant=g.portal_tenant), 410
    return render_template(
        "portal/confirm.html", tenant=g.portal_tenant, user=link.portal_user, token=token, next=_next()
    )


@bp.post("/signin/<token>")
def sign_in(token: str) -> ResponseReturnValue:
    link = accounts.find_link(token)
    if link is None:
        return render_template("portal/link_invalid.html", tenant=g.portal_tenant), 410
    return _with_session_cookie(access.sign_in(link, client_ip(), session.get("locale")))


@bp.post("/login/password")
@limiter.limit(_limit, methods=["POST"])
def password_login() -> ResponseReturnValue:
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    session_token = access.password_sign_in(email, password, client_ip(), session.get("locale"))
    if session_token is None:
        # One message for an unknown address, a wrong password or no password set: none of them is revealed.
        return render_template(
            "portal/login.html", tenant=g.portal_tenant, password_email=email, password_error=True
        ), 422
    return _with_session_cookie(session_token)


def _with_session_cookie(session_token: str) -> Response:
    """The portal cookie, set the same way however the person signed in."""
    response = redirect(_next() or url_for("portal.home"))
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    max_age = access.SESSION_DAYS * 86400
    response.set_cookie(
        COOKIE, session_token, max_age=max_age, path=_cookie_path(), httponly=True, samesite="Lax", secure=secure
    )
    return response


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    access.sign_out(request.cookies.get(COOKIE))
    response = redirect(url_for("portal.landing"))
    response.delete_cookie(COOKIE, path=_cookie_path())
    return response


def _after_language(**_records: object) -> str:
    return _next() or url_for("portal.landing")


@bp.post("/language")
@on_invalid(flash_and_return(_after_language))
def set_language() -> ResponseReturnValue:
    """Signed in: the person's own language (pages and e-mails). Signed out: this browser's, until they sign in."""
    locale = request.form.get("locale", "")
    if g.portal_user is not None:
        access.set_locale(g.portal_user, locale)
    elif locale in LOCALES:
        session["locale"] = locale
    return redirect(_after_language(), 303)


def _account_page(errors: dict, status: int = 200) -> ResponseReturnValue:
    return render_template("portal/account.html", tenant=g.portal_tenant, user=g.portal_user, errors=errors), status


@bp.route("/account", methods=["GET", "POST"])
@on_invalid(lambda exc: _account_page(exc.errors, 422))
def account() -> ResponseReturnValue:
    """Set, change or remove the optional password; every other session of the person ends."""
    user = signed_in()
    if request.method == "GET":
        return _account_page({})
    current = request.cookies.get(COOKIE)
    if request.form.get("remove"):
        access.remove_password(user, current)
        flash(_("Your password is removed. Sign in with an e-mail link from now on."), "success")
        return redirect(url_for("portal.account"))
    access.set_password(user, request.form.get("password", ""), request.form.get("confirm", ""), current)
    flash(_("Your password is saved. You have been signed out everywhere else."), "success")
    return redirect(url_for("portal.account"))


@bp.get("/home")
def home() -> ResponseReturnValue:
    user = signed_in()
    return render_template(
        "portal/home.html",
        tenant=g.portal_tenant,
        user=user,
        projects=queries.projects(user),
        quotes=queries.quotes(user),
        invoices=queries.invoices(user),
        files=shared_with(user.client_id),
        drafts=proofing_queries.submitted_of_client(user.client_id),
        drafts_awaiting=proofing_queries.awaiting(user.id),
        stages=[s for s in stages() if s.kind == "open"],
        payment_instructions=billing_settings().payment_instructions,
        today=studio_today(g.portal_tenant.id),
    )


@bp.get("/projects/<project_id>")
@resolves(actor=signed_in, project=queries.project_for)
def project(project: Project) -> ResponseReturnValue:
    """One project: where it stands, its drafts, invoices and shared files, and the timeline of what happened."""
    user = g.portal_user
    awaiting = {d.id for d in proofing_queries.awaiting(user.id)}
    return render_template(
        "portal/project.html",
        tenant=g.portal_tenant,
        user=user,
        project=project,
        steps=progress.timeline(project),
        drafts=proofing_queries.submitted_of_client(user.client_id, project.id),
        awaiting=awaiting,
        invoices=queries.invoices(user, project.id),
        files=shared_with(user.client_id, project.id),
        stages=[s for s in stages() if s.kind == "open"],
        today=studio_today(g.portal_tenant.id),
    )


def _to_quote(quote: Quote, **_records: object) -> str:
    return url_for("portal.quote", quote_id=quote.id)


@bp.get("/quotes/<quote_id>")
@resolves(actor=signed_in, quote=queries.quote_for)
def quote(quote: Quote) -> ResponseReturnValue:
    """A quote sent to the client: its lines and totals, the PDF, and the answer. Opening it is kept for the studio."""
    quote_rules.opened_in_portal(quote, g.portal_user.name)
    return render_template(
        "portal/quote.html",
        tenant=g.portal_tenant,
        user=g.portal_user,
        quote=quote,
        today=studio_today(g.portal_tenant.id),
    )


@bp.get("/quotes/<quote_id>/pdf")
@resolves(actor=signed_in, quote=queries.quote_for)
def quote_pdf(quote: Quote) -> ResponseReturnValue:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import quote_document

    pdf = render_quote_pdf(quote_document(quote, g.portal_tenant, current_app.extensions["atelier.storage"]))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@bp.post("/quotes/<quote_id>/<any(accept, decline):decision>")
@resolves(actor=signed_in, quote=queries.quote_for)
@on_invalid(flash_and_return(_to_quote))
def decide(quote: Quote, decision: str) -> ResponseReturnValue:
    """The client's own answer: their name as typed, the time and their IP are kept with the quote."""
    name = request.form.get("name", "").strip() or g.portal_user.name
    quote_rules.decide(None, quote, decision == "accept", name, client_ip())
    flash(_("Thank you. %(studio)s has your answer.", studio=g.portal_tenant.name), "success")
    return redirect(_to_quote(quote))


def _shared_file(user: PortalUser, file_id: str) -> StoredFile:
    """A file the studio shared with this person's client; anything else reads as missing."""
    from saas.ids import parse_uuid

    stored = db.session.get(StoredFile, parse_uuid(file_id))
    if stored is None or stored.client_id != user.client_id or stored.shared_at is None:
        abort(404)
    return stored


@bp.get("/files/<file_id>")
@resolves(actor=signed_in, file=_shared_file)
def shared_file(file: StoredFile) -> ResponseReturnValue:
    preview = request.args.get("preview")
    return send_file_or_preview(file, preview if preview in ("thumb", "large") else None)
