"""/api/v1 for proofing and the bell: a project's draft versions, one version with its files and comment threads,
staff comments and replies, resolving threads, and the token person's notifications. Who may see or do what is
the staff pages' rule, through the same access helpers and services."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from saas.api.http import bp, invalid, json_body, listed, principal
from saas.api.schemas import (
    DraftCommentOut,
    DraftDetailOut,
    DraftOut,
    DraftThreadOut,
    NotificationOut,
    draft_comment_input,
)
from saas.errors import NotAllowed, ValidationFailed
from saas.notify import services as notes
from saas.projects.access import can_edit_project, get_project
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_comment, get_draft
from saas.proofing.models import Comment, Draft
from saas.schemas import load

DETAIL_EXTRAS = ("files", "comments")


def _thread(draft: Draft, comment: Comment) -> dict:
    return DraftThreadOut().dump(next(t for t in queries.threads_of(draft.id) if t.comment.id == comment.id))


def _editable_draft(draft_id: str) -> Draft:
    """The draft, when the token may see it (404 otherwise), and its role may work on it (403 otherwise)."""
    found = get_draft(principal(), draft_id)
    if not can_edit_project(principal()):
        raise NotAllowed()
    return found


@bp.get("/projects/<project_id>/drafts")
def project_drafts(project_id: str) -> ResponseReturnValue:
    found = get_project(principal(), project_id)
    return listed(DraftOut(many=True), services.drafts_of(found.id))


@bp.get("/drafts/<draft_id>")
def draft(draft_id: str) -> ResponseReturnValue:
    found = get_draft(principal(), draft_id)
    extras = {"files": services.files_of(found.id), "comments": queries.threads_of(found.id)}
    return DraftDetailOut(exclude=DETAIL_EXTRAS).dump(found) | DraftDetailOut(only=DETAIL_EXTRAS).dump(extras)


@bp.post("/drafts/<draft_id>/comments")
def comment_on_draft(draft_id: str) -> ResponseReturnValue:
    """A pin (file_id, page, x, y), a general comment, or a reply (parent_id), as the staff review page writes."""
    found = _editable_draft(draft_id)
    try:
        data = json_body()
        load(draft_comment_input(), data)  # refuses unknown fields, as everywhere in the API
        body, pin, parent_id = forms.comment(data)
        made = services.staff_comment(principal(), found, body, pin, parent_id)
    except ValidationFailed as exc:
        return invalid(exc)
    return DraftCommentOut().dump(made), 201


@bp.post("/drafts/<draft_id>/comments/<comment_id>/resolve")
def resolve_comment(draft_id: str, comment_id: str) -> ResponseReturnValue:
    return _set_resolved(draft_id, comment_id, True)


@bp.post("/drafts/<draft_id>/comments/<comment_id>/reopen")
def reopen_comment(draft_id: str, comment_id: str) -> ResponseReturnValue:
    return _set_resolved(draft_id, comment_id, False)


def _set_resolved(draft_id: str, comment_id: str, resolved: bool) -> ResponseReturnValue:
    found = _editable_draft(draft_id)
    comment = draft_comment(found, comment_id)
    try:
        services.set_resolved(principal(), found, comment, resolved)
    except ValidationFailed as exc:
        return invalid(exc)
    return _thread(found, comment)


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    """The token person's latest notifications in this studio, newest first, and how many are unread."""
    me = principal().user_id
    return {"data": NotificationOut(many=True).dump(notes.latest(user_id=me)), "unread": notes.unread_count(user_id=me)}


@bp.post("/notifications/read")
def read_notifications() -> ResponseReturnValue:
    notes.mark_all_read(user_id=principal().user_id)
    return "", 204
