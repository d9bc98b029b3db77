"""Proofing pages for staff: start a version, upload its pages, submit it to the client's reviewers, and the
review page itself (every pin and comment, threaded replies, resolve, decisions, compare with the version
before). Thin: resolve through the access helpers, call a service, render or redirect."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.portal_accounts.queries import portal_users_of
from saas.projects.access import can_edit_project, get_project
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_comment, draft_file, get_draft
from saas.proofing.models import DraftStatus
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm


def _back(draft, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for("staff.draft", draft_id=draft.id, **request.args) + anchor)


@bp.post("/projects/<project_id>/drafts")
@requires(Perm.PROJECTS_EDIT)
def new_draft(project_id: str) -> ResponseReturnValue:
    project = get_project(g.membership, project_id)
    draft = services.new_version(g.membership, project, request.form.get("title"))
    return redirect(url_for("staff.draft", draft_id=draft.id))


@bp.get("/drafts/<draft_id>")
def draft(draft_id: str) -> ResponseReturnValue:
    found = get_draft(g.membership, draft_id)
    page = queries.review_page(found)
    editable = can_edit_project(g.membership)
    preparing = found.status == DraftStatus.PREPARING  # the upload and submit forms are shown only then
    return render_template(
        "staff/proofing/review.html",
        page=page,
        draft=found,
        project=found.project,
        pending=[f for f in services.files_of(found.id, ready_only=False) if f.status == "pending"]
        if preparing
        else [],
        contacts=[u for u in portal_users_of(found.project.client) if u.active] if preparing else [],
        editable=editable,
        compare=request.args.get("compare") == "1" and page.previous is not None,
        image_url=lambda file_id, preview: url_for("staff.open_file", file_id=file_id, preview=preview),
        version_url=lambda v: url_for("staff.draft", draft_id=v.id),
        reply_to=request.args.get("reply"),
        resolve_action=url_for("staff.resolve_comment", draft_id=found.id) if editable and not found.locked else None,
    )


@bp.post("/drafts/<draft_id>/submit")
@requires(Perm.PROJECTS_EDIT)
def submit_draft(draft_id: str) -> ResponseReturnValue:
    found = get_draft(g.membership, draft_id)
    try:
        services.submit(g.membership, found, forms.submission(request.form))
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return _back(found, "#submit"), 303
    flash(_("Version %(n)d was sent to the client for review.", n=found.number), "success")
    return _back(found)


@bp.post("/drafts/<draft_id>/files/<file_id>/remove")
@requires(Perm.PROJECTS_EDIT)
def remove_draft_file(draft_id: str, file_id: str) -> ResponseReturnValue:
    found = get_draft(g.membership, draft_id)
    try:
        services.remove_file(g.membership, found, draft_file(found, file_id))
    except ValidationFailed as exc:
        flash(exc.text, "error")
    return _back(found)


@bp.post("/drafts/<draft_id>/comments")
@requires(Perm.PROJECTS_EDIT)
def comment_on_draft(draft_id: str) -> ResponseReturnValue:
    found = get_draft(g.membership, draft_id)
    try:
        body, pin, parent_id = forms.comment(request.form)
        made = services.staff_comment(g.membership, found, body, pin, parent_id)
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return _back(found, "#comments"), 303
    return _back(found, f"#c-{made.parent_id or made.id}")


@bp.post("/drafts/<draft_id>/resolve")
@requires(Perm.PROJECTS_EDIT)
def resolve_comment(draft_id: str) -> ResponseReturnValue:
    """One form for the whole list: the button pressed names the thread (resolve=<id> or reopen=<id>)."""
    found = get_draft(g.membership, draft_id)
    comment = draft_comment(found, request.form.get("resolve") or request.form.get("reopen") or "")
    try:
        services.set_resolved(g.membership, found, comment, bool(request.form.get("resolve")))
    except ValidationFailed as exc:
        flash(exc.text, "error")
    return _back(found, f"#c-{comment.id}")
