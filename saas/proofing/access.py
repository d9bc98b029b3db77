"""Who may open a draft. Staff: whoever may see its project (a 404 otherwise, as for the project). A client's
portal user: drafts of their own client's projects once submitted; a draft still being prepared, another
client's or another studio's reads as missing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import NotFound

from saas.extensions import db
from saas.files.models import FileStatus, StoredFile
from saas.portal.models import PortalUser
from saas.projects.access import get_project
from saas.projects.models import Project
from saas.proofing.models import Comment, Draft, DraftStatus
from saas.tenants.access import parse_uuid
from saas.tenants.models import Membership


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
    if found is None or found.draft_id != draft.id or found.status != FileStatus.READY:
        raise NotFound()
    return found


def draft_comment(draft: Draft, comment_id: str | uuid.UUID) -> Comment:
    found = db.session.get(Comment, parse_uuid(comment_id))
    if found is None or found.draft_id != draft.id:
        raise NotFound()
    return found
