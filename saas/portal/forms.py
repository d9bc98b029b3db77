"""Forms the studio sent to the client (the requirements brief, feedback), filled in the portal: the same
questions and rules as the public page, with the signed-in contact known and the project the request names."""

from __future__ import annotations

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.files import direct
from saas.forms import access, guard
from saas.forms.answers import input_name, offer_for_question
from saas.forms.jobs import confirm_later
from saas.forms.models import FormRequest
from saas.forms.queries import member_choices
from saas.forms.requests import open_requests
from saas.forms.submit import Visit, submit
from saas.i18n import current_locale
from saas.portal.views import bp, signed_in
from saas.web.client_ip import client_ip
from saas.web.security import allow_direct_uploads


@bp.app_template_global("portal_form_requests")
def portal_form_requests() -> list[FormRequest]:
    user = g.get("portal_user")
    return open_requests(user.client_id) if user is not None else []


def _request(request_id: str) -> FormRequest:
    """An open request of the signed-in contact's own client; anything else reads as missing."""
    user = signed_in()
    found = next((r for r in open_requests(user.client_id) if str(r.id) == request_id), None)
    if found is None:
        raise NotFound()
    return found


def _page(found: FormRequest, errors: dict, values: dict, status: int = 200, notice: str = ""):
    form = found.form
    has_files = any(q.type == "file" for q in form.questions)
    direct_upload = has_files and allow_direct_uploads()
    body = render_template(
        "portal/form.html",
        tenant=g.portal_tenant,
        answer_request=found,
        form=form,
        errors=errors,
        values=values,
        language=current_locale(),
        started=guard.started_token(form.id),
        honeypot=guard.HONEYPOT,
        notice=notice,
        has_files=has_files,
        direct_upload=url_for("portal.offer_form_upload", request_id=found.id) if direct_upload else None,
        input_name=input_name,
        members=member_choices() if any(q.type == "member" for q in form.questions) else [],
    )
    return body, status


@bp.route("/forms/<request_id>", methods=["GET", "POST"])
def form_request(request_id: str) -> ResponseReturnValue:
    found = _request(request_id)
    if request.method == "GET":
        return _page(found, {}, {})
    values = request.form.to_dict(flat=False)
    try:
        guard.check(found.form_id, request.form)
    except guard.Refused as refused:
        return _page(found, {}, values, 422, refused.reason)
    visit = Visit(current_locale(), guard.ip_hash(client_ip()), found, g.portal_user.id)
    try:
        submission = submit(access.published_form(found.form.slug), g.portal_tenant, request.form, request.files, visit)
    except ValidationFailed as exc:
        return _page(found, exc.errors, values, 422)
    confirm_later(submission)
    return redirect(url_for("portal.form_answered", request_id=found.id), 303)


@bp.post("/forms/<request_id>/uploads")
def offer_form_upload(request_id: str) -> ResponseReturnValue:
    """With S3, the page's script asks here before a file answer goes straight to the bucket: a presigned POST
    reserved for that question of the form the request names (the same slot and checks as the public page's). The
    request must be an open one of the contact's own client; without S3 (404) the file goes with the form."""
    found = _request(request_id)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    if not allow_direct_uploads():
        raise NotFound()
    storage = current_app.extensions["atelier.storage"]
    try:
        offered = offer_for_question(storage, g.portal_tenant.id, found.form.questions, body)
    except ValidationFailed as exc:
        return jsonify(errors=exc.errors), 422
    if offered is None:
        raise NotFound()
    return jsonify(direct.described(offered)), 201


@bp.get("/forms/<request_id>/thanks")
def form_answered(request_id: str) -> ResponseReturnValue:
    user = signed_in()
    found = access.answered_request(request_id, user.client_id)
    language = current_locale()
    return render_template("portal/form_thanks.html", tenant=g.portal_tenant, form=found.form, language=language)
