"""Who may open a draft. Staff: whoever may see its project (a 404 otherwise, as for the project). A client's
portal user: drafts of their own client's projects once submitted; a draft still being prepared, another
client's or another studio's reads as missing."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files.kinds import Kind
from saas.files.models import FileStatus, StoredFile
from saas.files.owners import Placement
from saas.ids import parse_uuid
from saas.portal_accounts.models import PortalUser
from saas.projects.access import can_edit_project, get_project, project_visible
from saas.projects.models import Project
from saas.proofing.models import Comment, Draft, DraftStatus
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require


def get_draft(membership: Membership, draft_id: str | uuid.UUID) -> Draft:
    """The project is checked (and loaded) once: the draft then finds it in the session, not in another join."""
    wanted = parse_uuid(draft_id)
    project_id = db.session.scalar(select(Draft.project_id).where(Draft.id == wanted))
    if project_id is None:
        raise NotFound()
    project = get_project(membership, project_id)
    draft = db.session.scalar(select(Draft).where(Draft.id == wanted).options(lazyload(Draft.project)))
    set_committed_value(draft, "project", project)  # as loaded, not as a change
    return draft


def portal_draft(user: PortalUser, draft_id: str | uuid.UUID) -> Draft:
    """The project comes with the draft, but none of what hangs off the project (its client with every contact,
    its team): the client's pages show the project's name, and anything else still loads when asked for."""
    found = db.session.scalar(
        select(Draft)
        .join(Project, Project.id == Draft.project_id)
        .options(joinedload(Draft.project).lazyload("*"))
        .where(
            Draft.id == parse_uuid(draft_id),
            Project.client_id == user.client_id,
            Draft.status != DraftStatus.PREPARING,
        )
    )
    if found is None:
        raise NotFound()
    return found


def draft_file(draft: Draft, file_id: str | uuid.UUID) -> StoredFile:
    found = db.session.get(StoredFile, parse_uuid(file_id))
    if found is None or not found.held_by("draft", draft.id) or found.status != FileStatus.READY:
        raise NotFound()
    return found


def draft_comment(draft: Draft, comment_id: str | uuid.UUID) -> Comment:
    found = db.session.get(Comment, parse_uuid(comment_id))
    if found is None or found.draft_id != draft.id:
        raise NotFound()
    return found


class DraftFiles:
    """A draft version holds its pages: images or PDFs, attached while the version is being prepared by whoever
    edits projects; opened by whoever sees the draft's project."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        from saas.proofing.services import check_preparing

        require(actor, Perm.PROJECTS_EDIT)
        try:
            draft = get_draft(actor, owner_id or "")
        except NotFound as exc:
            raise ValidationFailed({"draft_id": [_("Choose a draft version of one of your projects.")]}) from exc
        check_preparing(draft)
        if not kind.previewable:
            raise ValidationFailed({"name": [_("A draft is made of images or PDF files.")]})
        return Placement("draft", draft.id, client_id=draft.project.client_id, project_id=draft.project_id)

    # A draft's pages are visible exactly as its project's own files are.
    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        return project_visible(actor, stored.project_id)

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return can_edit_project(actor) and project_visible(actor, stored.project_id)
