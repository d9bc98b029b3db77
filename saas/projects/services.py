"""Project and task rules: create and edit projects, move them between stages (every move recorded), tasks
with checklists. Services flush, never commit; changes that matter to the client show on its timeline."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _

from saas.clients.access import client_for_form
from saas.db import lock_row, utcnow
from saas.errors import Conflict, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.fields import values as custom
from saas.i18n import current_locale
from saas.projects.models import PipelineStage, Project, ProjectMember, StageChange, StageKind, Task, TaskStatus
from saas.projects.pipeline import first_open_stage, get_stage
from saas.tenants.access import team_member
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require

PROJECT_FIELDS = (
    "name",
    "type",
    "budget_minor",
    "value_minor",
    "probability",
    "start_on",
    "due_on",
    "brief",
)


def _check_version(data: dict[str, Any], current: int) -> None:
    """The version the form or the request's If-Match was read at, compared once the row is locked."""
    if "version" in data and data.pop("version") != current:
        raise Conflict()


def stage_for_form(stage_id: Any, field: str = "stage_id") -> PipelineStage:
    try:
        return get_stage(stage_id)
    except Exception as exc:  # NotFound or a malformed id: for a form field, a message, not a 404 page
        raise ValidationFailed({field: [_("Choose a stage of this studio's pipeline.")]}) from exc


def _set_team(project: Project, user_ids: list[uuid.UUID]) -> None:
    wanted = {team_member(uid, "team") for uid in user_ids}
    project.team = [m for m in project.team if m.user_id in wanted] + [
        ProjectMember(user_id=uid) for uid in wanted - {m.user_id for m in project.team}
    ]


def create_project(membership: Membership, data: dict[str, Any]) -> Project:
    require(membership, Perm.PROJECTS_EDIT)
    client = client_for_form(membership, data.pop("client_id"))
    stage = stage_for_form(data.pop("stage_id")) if data.get("stage_id") else first_open_stage()
    data.pop("stage_id", None)
    data.pop("version", None)
    team = data.pop("team", [])
    owner_id = team_member(data.pop("owner_id", None) or membership.user_id, "owner_id")
    values = custom.clean(membership, "project", data.pop("custom_fields", None), creating=True)
    project = Project(**data, client_id=client.id, stage_id=stage.id, owner_id=owner_id)
    project.brief = {k: v for k, v in (data.get("brief") or {}).items() if v}
    if stage.kind != StageKind.OPEN:
        project.closed_at = utcnow()
    db.session.add(project)
    _set_team(project, team)
    db.session.flush()
    custom.write("project", project, values)
    db.session.add(StageChange(project_id=project.id, to_stage_id=stage.id, actor_id=membership.user_id))
    emit("project.created", subject=project, client=client, actor_id=membership.user_id, project=project.name)
    return project


def update_project(membership: Membership, project: Project, data: dict[str, Any]) -> None:
    require(membership, Perm.PROJECTS_EDIT)
    lock_row(db.session, project)  # then the version read is compared with what the last writer left
    _check_version(data, project.version)
    if "brief" in data:
        data["brief"] = {k: v for k, v in (data["brief"] or {}).items() if v}
    values = custom.clean(membership, "project", data.pop("custom_fields", None), project.custom_fields)
    changed = [k for k in PROJECT_FIELDS if k in data and getattr(project, k) != data[k]]
    for key in changed:
        setattr(project, key, data[key])
    if changes := custom.write("project", project, values, current_locale()):
        changed.append("custom_fields")
        emit(
            "project.updated",
            subject=project,
            client=project.client,
            actor_id=membership.user_id,
            project=project.name,
            changes=changes,
        )
    if "client_id" in data and data["client_id"] != project.client_id:
        project.client_id = client_for_form(membership, data["client_id"]).id
        changed.append("client_id")
    if data.get("owner_id") and data["owner_id"] != project.owner_id:
        project.owner_id = team_member(data["owner_id"], "owner_id")
        changed.append("owner_id")
    if "team" in data:
        _set_team(project, data["team"])
    if data.get("stage_id") and data["stage_id"] != project.stage_id:
        move_to(project, stage_for_form(data["stage_id"]), membership.user_id)
    if changed:
        project.updated_at = utcnow()


def fill_brief(project: Project, sections: dict[str, str], actor_id: uuid.UUID | None = None) -> None:
    """The client's own answers (the requirements form) into the brief: each section given replaces the one
    there, others stay. Nobody on the staff acts, so no permission is asked; the caller found the project
    through a request the studio sent."""
    lock_row(db.session, project)
    project.brief = {**(project.brief or {}), **{k: v for k, v in sections.items() if v}}
    project.updated_at = utcnow()
    emit(
        "project.brief_filled",
        subject=project,
        client=project.client,
        actor_id=actor_id,
        project=project.name,
        sections=sorted(k for k, v in sections.items() if v),
    )


def move_project(membership: Membership, project: Project, stage: PipelineStage, version: int | None = None) -> bool:
    """Into another stage, recording who moved it, when, and how long it sat in the stage it left. Moving
    into won or lost closes the project; moving back out reopens it. Returns False if it was already there."""
    require(membership, Perm.PROJECTS_EDIT)
    lock_row(db.session, project)  # two moves of one card: the second starts from where the first left it
    if version is not None and version != project.version:
        raise Conflict()
    return move_to(project, stage, membership.user_id)


def move_to(project: Project, stage: PipelineStage, actor_id: uuid.UUID | None) -> bool:
    """The move itself, for people and for rules (a client's approval moves a project with no staff actor)."""
    if stage.id == project.stage_id:
        return False
    now = utcnow()
    left = project.stage
    db.session.add(
        StageChange(
            project_id=project.id,
            from_stage_id=left.id,
            to_stage_id=stage.id,
            actor_id=actor_id,
            seconds_in_from=int((now - project.stage_entered_at).total_seconds()),
        )
    )
    project.stage_id = stage.id
    project.stage = stage
    project.stage_entered_at = project.updated_at = now
    project.closed_at = now if stage.kind != StageKind.OPEN else None
    emit(
        "project.stage_changed",
        subject=project,
        client=project.client,
        actor_id=actor_id,
        project=project.name,
        old=left.name,
        new=stage.name,
    )
    db.session.flush()
    return True


def set_archived(membership: Membership, project: Project, archived: bool) -> None:
    require(membership, Perm.PROJECTS_EDIT)
    if (project.archived_at is not None) != archived:
        project.archived_at = utcnow() if archived else None
        project.updated_at = utcnow()


# Tasks


def _checklist(items: list[dict], previous: list[dict]) -> list[dict]:
    """Editing the checklist as lines keeps the ticks of lines that stayed."""
    done_before = {item["text"] for item in previous if item.get("done")}
    return [{"text": i["text"], "done": bool(i.get("done")) or i["text"] in done_before} for i in items]


def create_task(membership: Membership, data: dict[str, Any], project: Project | None = None) -> Task:
    require(membership, Perm.PROJECTS_EDIT)
    data.pop("version", None)
    data.pop("project_id", None)
    client_id = data.pop("client_id", None)
    if project is not None:
        client_id = project.client_id
    elif client_id is None:
        raise ValidationFailed({"client_id": [_("A task belongs to a project or a client.")]})
    else:
        client_id = client_for_form(membership, client_id).id
    assignee = data.pop("assignee_id", None) or membership.user_id
    task = Task(
        **{k: v for k, v in data.items() if k != "checklist"},
        checklist=_checklist(data.get("checklist") or [], []),
        client_id=client_id,
        project_id=project.id if project else None,
        assignee_id=team_member(assignee, "assignee_id"),
        created_by_id=membership.user_id,
    )
    if task.status == TaskStatus.DONE:
        task.done_at = utcnow()
    db.session.add(task)
    db.session.flush()
    return task


def _may_work_on(membership: Membership, task: Task) -> None:
    """Assignees (and followers) may tick off and update their own tasks whatever their role (field staff too)."""
    if membership.user_id not in (task.assignee_id, task.follower_id):
        require(membership, Perm.PROJECTS_EDIT)


def update_task(membership: Membership, task: Task, data: dict[str, Any]) -> None:
    _may_work_on(membership, task)
    _check_version(data, task.version)
    data.pop("client_id", None)
    data.pop("project_id", None)
    if "assignee_id" in data:
        assignee = data.pop("assignee_id")
        if assignee and assignee != task.assignee_id:
            require(membership, Perm.PROJECTS_EDIT)
            task.assignee_id = team_member(assignee, "assignee_id")
    if "checklist" in data:
        task.checklist = _checklist(data.pop("checklist") or [], task.checklist)
    if "status" in data:
        set_task_status(membership, task, data.pop("status"))
    for key, value in data.items():
        setattr(task, key, value)


def set_task_status(membership: Membership, task: Task, status: str) -> None:
    _may_work_on(membership, task)
    if status == task.status:
        return
    task.status = status
    task.done_at = utcnow() if status == TaskStatus.DONE else None


def tick(membership: Membership, task: Task, index: int) -> None:
    """Toggle one checklist item."""
    _may_work_on(membership, task)
    lock_row(db.session, task)  # two people ticking two items of one list: both ticks stay
    if not 0 <= index < len(task.checklist):
        raise ValidationFailed({"checklist": [_("No such checklist item.")]})
    items = [dict(item) for item in task.checklist]
    items[index]["done"] = not items[index].get("done")
    task.checklist = items
