"""Proofing pages for staff: start a version, upload its pages, submit it to the client's reviewers, and the
review page itself (every pin and comment, threaded replies, resolve, decisions, compare with the version
before). Thin: resolve through the access helpers, call a service, render or redirect."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.files.models import StoredFile
from saas.portal_accounts.queries import portal_users_of
from saas.projects.access import can_edit_project, get_project
from saas.projects.models import Project
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_comment, draft_file, get_draft
from saas.proofing.models import Comment, Draft, DraftStatus
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.pages import ChildOf, Render, flash_and_return, on_invalid, resolves


def _draft_url(draft: Draft, anchor: str = "") -> str:
    return url_for("staff.draft", draft_id=draft.id, **request.args) + anchor


def _back(draft: Draft, anchor: str = "") -> ResponseReturnValue:
    return redirect(_draft_url(draft, anchor))


def _to_draft(anchor: str) -> Render:
    """For `on_invalid`: flash the messages and go back to the draft's form at `anchor`, with 303."""
    return flash_and_return(lambda draft, **_records: _draft_url(draft, anchor))


def _flash_and_back(exc: ValidationFailed, draft: Draft, **_records: object) -> ResponseReturnValue:
    """For `on_invalid`: flash the messages and go back to the draft (a plain redirect, as its buttons do)."""
    flash(exc.text, "error")
    return _back(draft)


def _pressed_comment(draft: Draft) -> Comment:
    """One form for the whole list: the button pressed names the thread (resolve=<id> or reopen=<id>)."""
    return draft_comment(draft, request.form.get("resolve") or request.form.get("reopen") or "")


def _resolve_refused(exc: ValidationFailed, draft: Draft) -> ResponseReturnValue:
    flash(exc.text, "error")
    return _back(draft, f"#c-{_pressed_comment(draft).id}")


@bp.post("/projects/<project_id>/drafts")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
def new_draft(project: Project) -> ResponseReturnValue:
    draft = services.new_version(g.membership, project, request.form.get("title"))
    return redirect(url_for("staff.draft", draft_id=draft.id))


@bp.get("/drafts/<draft_id>")
@resolves(draft=get_draft)
def draft(draft: Draft) -> ResponseReturnValue:
    page = queries.review_page(draft)
    editable = can_edit_project(g.membership)
    preparing = draft.status == DraftStatus.PREPARING  # the upload and submit forms are shown only then
    return render_template(
        "staff/proofing/review.html",
        page=page,
        draft=draft,
        project=draft.project,
        pending=[f for f in services.files_of(draft.id, ready_only=False) if f.status == "pending"]
        if preparing
        else [],
        contacts=[u for u in portal_users_of(draft.project.client) if u.active] if preparing else [],
        editable=editable,
        compare=request.args.get("compare") == "1" and page.previous is not None,
        image_url=lambda file_id, preview: url_for("staff.open_file", file_id=file_id, preview=preview),
        version_url=lambda v: url_for("staff.draft", draft_id=v.id),
        reply_to=request.args.get("reply"),
        resolve_action=url_for("staff.resolve_comment", draft_id=draft.id) if editable and not draft.locked else None,
    )


@bp.post("/drafts/<draft_id>/submit")
@requires(Perm.PROJECTS_EDIT)
@resolves(draft=get_draft)
@on_invalid(_to_draft("#submit"))
def submit_draft(draft: Draft) -> ResponseReturnValue:
    services.submit(g.membership, draft, forms.submission(request.form))
    flash(_("Version %(n)d was sent to the client for review.", n=draft.number), "success")
    return _back(draft)


@bp.post("/drafts/<draft_id>/files/<file_id>/remove")
@requires(Perm.PROJECTS_EDIT)
@resolves(draft=get_draft, file=ChildOf("draft", draft_file))
@on_invalid(_flash_and_back)
def remove_draft_file(draft: Draft, file: StoredFile) -> ResponseReturnValue:
    services.remove_file(g.membership, draft, file)
    return _back(draft)


@bp.post("/drafts/<draft_id>/comments")
@requires(Perm.PROJECTS_EDIT)
@resolves(draft=get_draft)
@on_invalid(_to_draft("#comments"))
def comment_on_draft(draft: Draft) -> ResponseReturnValue:
    body, pin, parent_id = forms.comment(request.form)
    made = services.staff_comment(g.membership, draft, body, pin, parent_id)
    return _back(draft, f"#c-{made.parent_id or made.id}")


@bp.post("/drafts/<draft_id>/resolve")
@requires(Perm.PROJECTS_EDIT)
@resolves(draft=get_draft)
@on_invalid(_resolve_refused)
def resolve_comment(draft: Draft) -> ResponseReturnValue:
    comment = _pressed_comment(draft)
    services.set_resolved(g.membership, draft, comment, bool(request.form.get("resolve")))
    return _back(draft, f"#c-{comment.id}")
