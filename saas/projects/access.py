"""Who sees which project and task: the rule of the client hub, extended to the people on a project.

A project is visible to whoever may see its client, and to its owner and team (a designer put on a project
sees it and its tasks even when the client belongs to a salesperson). Anything else reads as 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, or_, select, true
from werkzeug.exceptions import NotFound

from saas.clients.access import client_id_visible_to
from saas.errors import NotAllowed, ValidationFailed
from saas.extensions import db
from saas.files.kinds import Kind
from saas.files.models import StoredFile
from saas.files.owners import Placement
from saas.ids import parse_uuid
from saas.projects.models import Project, ProjectMember, Task
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm


def projects_visible_to(membership: Membership) -> ColumnElement[bool]:
    if has_perm(membership.role, Perm.CLIENTS_ALL):
        return true()
    on_team = exists(
        select(ProjectMember.id).where(
            ProjectMember.project_id == Project.id, ProjectMember.user_id == membership.user_id
        )
    )
    return or_(Project.owner_id == membership.user_id, on_team, client_id_visible_to(membership, Project.client_id))


def tasks_visible_to(membership: Membership) -> ColumnElement[bool]:
    """Tasks of visible projects or clients, and always one's own (assigned or followed)."""
    if has_perm(membership.role, Perm.CLIENTS_ALL):
        return true()
    of_project = exists(select(Project.id).where(Project.id == Task.project_id, projects_visible_to(membership)))
    mine = or_(Task.assignee_id == membership.user_id, Task.follower_id == membership.user_id)
    return or_(mine, of_project, client_id_visible_to(membership, Task.client_id))


def get_project(membership: Membership, project_id: str | uuid.UUID) -> Project:
    found = db.session.scalar(
        select(Project).where(Project.id == parse_uuid(project_id), projects_visible_to(membership))
    )
    if found is None:
        raise NotFound()
    return found


def get_task(membership: Membership, task_id: str | uuid.UUID) -> Task:
    found = db.session.scalar(select(Task).where(Task.id == parse_uuid(task_id), tasks_visible_to(membership)))
    if found is None:
        raise NotFound()
    return found


def can_edit_project(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.PROJECTS_EDIT)


class ProjectFiles:
    """A project holds files (attachments, delivery packages): whoever sees the project opens them, whoever
    edits projects attaches and shares them."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        if not can_edit_project(actor):
            raise NotAllowed()
        try:
            project = get_project(actor, owner_id or "")
        except NotFound as exc:
            raise ValidationFailed({"project_id": [_("Choose one of your projects.")]}) from exc
        return Placement("project", project.id, client_id=project.client_id, project_id=project.id)

    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        return project_visible(actor, stored.owner_id)

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return can_edit_project(actor) and project_visible(actor, stored.owner_id)


def project_visible(membership: Membership, project_id: uuid.UUID | None) -> bool:
    query = select(Project.id).where(Project.id == project_id, projects_visible_to(membership))
    return db.session.scalar(query) is not None


def project_id_for_form(membership: Membership, project_id: Any, client_id: uuid.UUID) -> uuid.UUID | None:
    """The id of the project a form names, when this person sees it and it is the given client's; None when the
    form names none; otherwise an error on `project_id` (the same for a project that does not exist)."""
    if not project_id:
        return None
    try:
        project = get_project(membership, project_id)
    except NotFound as exc:
        raise ValidationFailed({"project_id": [_("Choose a project of this client.")]}) from exc
    if project.client_id != client_id:
        raise ValidationFailed({"project_id": [_("Choose a project of this client.")]})
    return project.id
