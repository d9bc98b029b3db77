"""/api/v1 for proofing and the bell: a project's draft versions, one version with its files and comment threads,
staff comments and replies, resolving threads, and the token person's notifications. Who may see or do what is
the staff pages' rule, through the same access helpers and services."""

from __future__ import annotations

from typing import Any

from saas.api.http import api, principal
from saas.api.operations import json_body
from saas.api.schemas import (
    DRAFT_COMMENT_IN,
    DraftCommentOut,
    DraftDetailOut,
    DraftOut,
    DraftThreadOut,
    NotificationsOut,
)
from saas.notify import services as notes
from saas.projects.access import get_project
from saas.projects.models import Project
from saas.proofing import queries, services
from saas.proofing import schemas as forms
from saas.proofing.access import draft_comment, get_draft
from saas.proofing.models import Comment, Draft
from saas.tenants.roles import Perm
from saas.web.pages import ChildOf

OF_DRAFT = {"resolves": {"draft": get_draft}}
OF_COMMENT = {"resolves": {"draft": get_draft, "comment": ChildOf("draft", draft_comment)}}


@api.get(
    "/projects/<project_id>/drafts",
    summary="A project's draft versions, newest first",
    resolves={"project": get_project},
    response=DraftOut,
    many=True,
)
def project_drafts(project: Project) -> list[Draft]:
    return services.drafts_of(project.id)


@api.get(
    "/drafts/<draft_id>",
    **OF_DRAFT,
    summary="A draft version with its reviewers, files and every comment thread (pins numbered)",
    response=DraftDetailOut,
)
def draft(draft: Draft) -> dict[str, Any]:
    return {**_fields_of(draft), "files": services.files_of(draft.id), "comments": queries.threads_of(draft.id)}


def _fields_of(found: Draft) -> dict[str, Any]:
    return {name: getattr(found, name) for name in DraftOut._declared_fields}


@api.post(
    "/drafts/<draft_id>/comments",
    **OF_DRAFT,
    perm=Perm.PROJECTS_EDIT,
    summary="Comment on a draft version: a pin, a general comment, or a reply",
    body=DRAFT_COMMENT_IN,
    response=DraftCommentOut,
    status=201,
)
def comment_on_draft(draft: Draft, body: dict[str, Any]) -> Comment:
    """A pin (file_id, page, x, y), a general comment, or a reply (parent_id), as the staff review page writes."""
    text, pin, parent_id = forms.comment(json_body())  # the proofing rules read the body as the page sends it
    return services.staff_comment(principal(), draft, text, pin, parent_id)


@api.post(
    "/drafts/<draft_id>/comments/<comment_id>/resolve",
    **OF_COMMENT,
    perm=Perm.PROJECTS_EDIT,
    summary="Resolve a comment's thread",
    response=DraftThreadOut,
    defaults={"resolved": True},
    endpoint="resolve_comment",
)
@api.post(
    "/drafts/<draft_id>/comments/<comment_id>/reopen",
    **OF_COMMENT,
    perm=Perm.PROJECTS_EDIT,
    summary="Reopen a resolved thread",
    response=DraftThreadOut,
    defaults={"resolved": False},
    endpoint="reopen_comment",
)
def set_resolved(draft: Draft, comment: Comment, resolved: bool) -> Any:
    services.set_resolved(principal(), draft, comment, resolved)
    return next(t for t in queries.threads_of(draft.id) if t.comment.id == comment.id)


@api.get(
    "/notifications",
    summary="The token person's latest notifications in this studio, newest first, and how many are unread",
    response=NotificationsOut,
)
def notifications() -> dict[str, Any]:
    me = principal().user_id
    return {"data": notes.latest(user_id=me), "unread": notes.unread_count(user_id=me)}


@api.post("/notifications/read", summary="Mark every notification of the token person read")
def read_notifications() -> None:
    notes.mark_all_read(user_id=principal().user_id)
