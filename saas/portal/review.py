"""The client's side of proofing, in the portal: the review page (large pages, zoom, pins, comments, compare
with the version before), the decision, and the client's notifications. Routes attach to the portal blueprint;
everything is resolved through the signed-in portal user's client, so anything else reads as missing."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.files.models import StoredFile
from saas.files.serving import send_file_or_preview
from saas.notify import services as notes
from saas.portal.views import bp, signed_in
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_file, portal_draft
from saas.proofing.models import Draft
from saas.web.client_ip import client_ip
from saas.web.pages import ChildOf, Render, flash_and_return, on_invalid, resolves
from saas.web.urls import is_safe_redirect


def _draft_url(draft: Draft, anchor: str = "") -> str:
    return url_for("portal.draft", draft_id=draft.id) + anchor


def _back(draft: Draft, anchor: str = "") -> ResponseReturnValue:
    return redirect(_draft_url(draft, anchor))


def _to_draft(anchor: str) -> Render:
    """For `on_invalid`: flash the messages and go back to the review page's form at `anchor`, with 303."""
    return flash_and_return(lambda draft, **_records: _draft_url(draft, anchor))


@bp.get("/drafts/<draft_id>")
@resolves(actor=signed_in, draft=portal_draft)
def draft(draft: Draft) -> ResponseReturnValue:
    user = g.portal_user
    page = queries.review_page(draft, visible_to_client=True)
    reviewer = next((r for r in draft.reviewers if r.portal_user_id == user.id), None)
    return render_template(
        "portal/review.html",
        tenant=g.portal_tenant,
        user=user,
        page=page,
        draft=draft,
        reviewer=reviewer,
        can_pin=draft.open_for_review,
        compare=request.args.get("compare") == "1" and page.previous is not None,
        image_url=lambda file_id, preview: url_for(
            "portal.draft_image", draft_id=draft.id, file_id=file_id, preview=preview
        ),
        version_url=lambda v: url_for("portal.draft", draft_id=v.id),
        reply_to=request.args.get("reply"),
        resolve_action=None,
    )


@bp.get("/drafts/<draft_id>/files/<file_id>")
@resolves(actor=signed_in, draft=portal_draft, file=ChildOf("draft", draft_file))
def draft_image(draft: Draft, file: StoredFile) -> ResponseReturnValue:
    preview = request.args.get("preview") or "large"
    if preview != "large" and not preview.startswith("page-"):
        abort(404)  # the client sees the previews; the originals are the studio's
    return send_file_or_preview(file, preview)


@bp.post("/drafts/<draft_id>/comments")
@resolves(actor=signed_in, draft=portal_draft)
@on_invalid(_to_draft("#comments"))
def comment_on_draft(draft: Draft) -> ResponseReturnValue:
    body, pin, parent_id = forms.comment(request.form)
    made = services.client_comment(g.portal_user, draft, body, pin, parent_id)
    return _back(draft, f"#c-{made.parent_id or made.id}")


@bp.post("/drafts/<draft_id>/decision")
@resolves(actor=signed_in, draft=portal_draft)
@on_invalid(_to_draft("#decide"))
def decide_on_draft(draft: Draft) -> ResponseReturnValue:
    services.decide(g.portal_user, draft, forms.decision(request.form), client_ip())
    flash(_("Thank you. %(studio)s has your decision.", studio=g.portal_tenant.name), "success")
    return _back(draft)


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
