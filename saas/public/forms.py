"""/f/<studio-slug>/<form-slug>: a studio's published form, phone-first, in its branding and the visitor's
language, embeddable in the studio's own site (CSP frame-ancestors opens for these pages only).

The studio comes from the URL and is set on the session before anything is read, so every id a submission
carries (a request in a hidden field, say) is looked up in that studio only. Robots meet a honeypot, a minimum
fill time and two rate limits: per address per form, and per form whoever sends. CSRF does not apply: there is
no session to ride on (and cookies do not reach a cross-site iframe); the signed start time plays its part.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.extensions import csrf, db, limiter
from saas.files import direct
from saas.forms import access, guard
from saas.forms.answers import FILE_BYTES, input_name, offer_for_question
from saas.forms.jobs import confirm_later
from saas.forms.models import Form, FormStatus
from saas.forms.queries import member_choices
from saas.forms.submit import Visit, submit
from saas.isolation import set_tenant
from saas.tenants.access import tenant_by_slug
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm
from saas.web.client_ip import client_ip
from saas.web.inputs import FORM_OVERHEAD, accepts_body
from saas.web.pages import register_page_errors
from saas.web.security import allow_direct_uploads

bp = Blueprint("public", __name__, url_prefix="/f/<slug>", template_folder="templates")
csrf.exempt(bp)
register_page_errors(bp)
TEXT_BODY = 256 * 1024  # a form without uploads: answers only
UPLOADS_PER_VISITOR = "30 per minute;300 per hour"  # offers of direct uploads: a few per submission


@bp.url_value_preprocessor
def _resolve_studio(_endpoint: str | None, values: dict | None) -> None:
    g.form_tenant = tenant_by_slug((values or {}).pop("slug", ""))
    set_tenant(db.session(), g.form_tenant.id)
    wanted = request.args.get("lang", "")
    if wanted in ("zh", "en"):
        g.visitor_locale = "zh_CN" if wanted == "zh" else "en"
    else:
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
        g.visitor_locale = "en" if best == "en" else "zh_CN"
    # saas/web/security.py: these pages may be framed by the sites the studio names (any site when it names none).
    g.frame_ancestors = g.form_tenant.embed_origins or "*"


@bp.context_processor
def _page_globals() -> dict:
    args = request.args.to_dict()
    links = {code: "?" + urlencode({**args, "lang": code}) for code in ("zh", "en")}
    return {"lang_links": links, "members": []}


@bp.url_defaults
def _add_slug(_endpoint: str, values: dict) -> None:
    if "form_tenant" in g:
        values.setdefault("slug", g.form_tenant.slug)


def _is_staff_preview() -> bool:
    if request.args.get("preview") != "1" or not current_user.is_authenticated:
        return False
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == current_user.id, Membership.active.is_(True))
    )
    return membership is not None and has_perm(membership.role, Perm.STUDIO_SETTINGS)


def _form(form_slug: str) -> tuple[Form, bool]:
    preview = _is_staff_preview()
    return (access.any_form(form_slug) if preview else access.published_form(form_slug)), preview


def _page(form: Form, errors: dict, values: dict, status: int = 200, preview: bool = False, notice: str = ""):
    answer_request = access.open_request(form, request.values.get("r"))
    body = render_template(
        "public/form.html",
        tenant=g.form_tenant,
        form=form,
        errors=errors,
        values=values,
        language=g.visitor_locale,
        started=guard.started_token(form.id),
        honeypot=guard.HONEYPOT,
        request_id=answer_request.id if answer_request else "",
        preview=preview,
        notice=notice,
        has_files=any(q.type == "file" for q in form.questions),
        direct_upload=_direct_upload_url(form),
        input_name=input_name,
        members=member_choices() if any(q.type == "member" for q in form.questions) else [],
    )
    return body, status


def _direct_upload_url(form: Form) -> str | None:
    """Where the page's script asks for a presigned POST: only with S3 and a published form with file questions
    (the page then lets the bucket's origin in its CSP connect-src)."""
    if form.status != FormStatus.PUBLISHED or not any(q.type == "file" for q in form.questions):
        return None
    if not allow_direct_uploads():
        return None
    return url_for("public.offer_upload", form_slug=form.slug)


def _body_limit() -> int:
    """A form with uploads takes their bytes too (each at most FILE_BYTES); others take answers only. Asked at
    the door, after the studio is set from the URL and before the body is read."""
    slug = (request.view_args or {}).get("form_slug", "")
    form = db.session.scalar(select(Form).where(Form.slug == slug)) if "form_tenant" in g else None
    g.public_form = form  # read once: the view takes it from here
    uploads = sum(q.type == "file" for q in form.questions) if form is not None else 0
    return TEXT_BODY + uploads * FILE_BYTES + (FORM_OVERHEAD if uploads else 0)


def _per_visitor() -> str:
    return current_app.extensions["atelier.settings"].form_rate_limit


def _per_form() -> str:
    return current_app.extensions["atelier.settings"].form_total_rate_limit


def _visitor_key() -> str:
    return f"form:{request.path}:{client_ip()}"


def _form_key() -> str:
    return f"form:{request.path}"


@bp.get("/<form_slug>")
def form(form_slug: str) -> ResponseReturnValue:
    found, preview = _form(form_slug)
    return _page(found, {}, {}, preview=preview)


@bp.post("/<form_slug>")
@limiter.limit(_per_visitor, key_func=_visitor_key)
@limiter.limit(_per_form, key_func=_form_key)
@accepts_body(_body_limit)
def send(form_slug: str) -> ResponseReturnValue:
    found = g.pop("public_form", None)
    if found is None or found.status != FormStatus.PUBLISHED:
        found = access.published_form(form_slug)  # 404 unless published
    values = request.form.to_dict(flat=False)
    try:
        guard.check(found.id, request.form)
    except guard.Refused as refused:
        return _page(found, {}, values, 422, notice=refused.reason)
    visit = Visit(
        language=g.visitor_locale,
        ip_hash=guard.ip_hash(client_ip()),
        request=access.open_request(found, request.form.get("r")),
    )
    try:
        submission = submit(found, g.form_tenant, request.form, request.files, visit)
    except ValidationFailed as exc:
        return _page(found, exc.errors, values, 422)
    confirm_later(submission)
    return redirect(url_for("public.thanks", form_slug=found.slug, lang=request.args.get("lang")), 303)


@bp.post("/<form_slug>/uploads")
@limiter.limit(UPLOADS_PER_VISITOR, key_func=lambda: f"form-upload:{request.path}:{client_ip()}")
@limiter.limit(_per_form, key_func=lambda: f"form-upload:{request.path}")
def offer_upload(form_slug: str) -> ResponseReturnValue:
    """With S3, the page's script asks here before a file question's answer goes straight to the bucket: a
    presigned POST for one key of this studio, reserved for this question of this published form (the submission
    then names the upload by its id). Without S3 (404 here) the file goes with the form, as without script."""
    found = access.published_form(form_slug)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    if not current_app.extensions["atelier.settings"].upload_origin:
        raise NotFound()
    storage = current_app.extensions["atelier.storage"]
    try:
        offered = offer_for_question(storage, g.form_tenant.id, found.questions, body)
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    if offered is None:
        raise NotFound()
    return jsonify(direct.described(offered)), 201


@bp.get("/<form_slug>/thanks")
def thanks(form_slug: str) -> ResponseReturnValue:
    found = access.published_form(form_slug)
    return render_template("public/thanks.html", tenant=g.form_tenant, form=found, language=g.visitor_locale)
