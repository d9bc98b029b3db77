"""The client's side of proofing, in the portal: the review page (large pages, zoom, pins, comments, compare
with the version before), the decision, and the client's notifications. Routes attach to the portal blueprint;
everything is resolved through the signed-in portal user's client, so anything else reads as missing."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.files.serving import send_file_or_preview
from saas.notify import services as notes
from saas.portal.views import bp, signed_in
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_file, portal_draft
from saas.web.client_ip import client_ip
from saas.web.urls import is_safe_redirect


def _back(draft, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("portal.draft", draft_id=draft.id) + anchor)


@bp.get("/drafts/<draft_id>")
def draft(draft_id: str) -> ResponseReturnValue:
    user = signed_in()
    found = portal_draft(user, draft_id)
    page = queries.review_page(found, visible_to_client=True)
    reviewer = next((r for r in found.reviewers if r.portal_user_id == user.id), None)
    return render_template(
        "portal/review.html",
        tenant=g.portal_tenant,
        user=user,
        page=page,
        draft=found,
        reviewer=reviewer,
        can_pin=found.open_for_review,
        compare=request.args.get("compare") == "1" and page.previous is not None,
        image_url=lambda file_id, preview: url_for(
            "portal.draft_image", draft_id=found.id, file_id=file_id, preview=preview
        ),
        version_url=lambda v: url_for("portal.draft", draft_id=v.id),
        reply_to=request.args.get("reply"),
        resolve_action=None,
    )


@bp.get("/drafts/<draft_id>/files/<file_id>")
def draft_image(draft_id: str, file_id: str) -> ResponseReturnValue:
    found = portal_draft(signed_in(), draft_id)
    preview = request.args.get("preview") or "large"
    if preview != "large" and not preview.startswith("page-"):
        abort(404)  # the client sees the previews; the originals are the studio's
    return send_file_or_preview(draft_file(found, file_id), preview)


@bp.post("/drafts/<draft_id>/comments")
def comment_on_draft(draft_id: str) -> ResponseReturnValue:
    user = signed_in()
    found = portal_draft(user, draft_id)
    try:
        body, pin, parent_id = forms.comment(request.form)
        made = services.client_comment(user, found, body, pin, parent_id)
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return _back(found, "#comments"), 303
    return _back(found, f"#c-{made.parent_id or made.id}")


@bp.post("/drafts/<draft_id>/decision")
def decide_on_draft(draft_id: str) -> ResponseReturnValue:
    user = signed_in()
    found = portal_draft(user, draft_id)
    try:
        services.decide(user, found, forms.decision(request.form), client_ip())
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return _back(found, "#decide"), 303
    flash(_("Thank you. %(studio)s has your decision.", studio=g.portal_tenant.name), "success")
    return _back(found)


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    user = signed_in()
    return render_template(
        "portal/notifications.html", tenant=g.portal_tenant, user=user, notes=notes.latest(portal_user_id=user.id)
    )


@bp.get("/notifications/<note_id>")
def open_notification(note_id: str) -> ResponseReturnValue:
    link = notes.open_one(note_id, portal_user_id=signed_in().id)
    if link is None:
        abort(404)
    return redirect(link if is_safe_redirect(link) else url_for("portal.home"))


@bp.post("/notifications/read")
def read_all_notifications() -> ResponseReturnValue:
    notes.mark_all_read(portal_user_id=signed_in().id)
    return redirect(url_for("portal.notifications"))
