"""/api/v1 for the pipeline: stages (read), projects (list, create, read, PATCH with If-Match, archive, their
stage history), and tasks. Record-level access and studio isolation are the staff UI's, through the same
access helpers and services."""

from __future__ import annotations

from flask import request, url_for
from flask.typing import ResponseReturnValue

from saas.api.http import bp, invalid, json_body, listed, precondition_failed, principal, versioned
from saas.api.schemas import ProjectOut, StageChangeOut, StageOut, TaskOut, project_input, task_input
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.projects import pipeline, queries, services
from saas.projects.access import get_project, get_task
from saas.projects.models import Project, Task
from saas.schemas import load
from saas.tenants.models import Tenant


def _currency() -> str:
    return db.session.get(Tenant, principal().tenant_id).currency


def _project(project: Project, status: int = 200) -> ResponseReturnValue:
    location = url_for("api.project", project_id=project.id) if status == 201 else None
    return versioned(ProjectOut().dump(project), project.version, status, location)


def _task(task: Task, status: int = 200) -> ResponseReturnValue:
    location = url_for("api.task", task_id=task.id) if status == 201 else None
    return versioned(TaskOut().dump(task), task.version, status, location)


@bp.get("/stages")
def stages() -> ResponseReturnValue:
    return listed(StageOut(many=True), pipeline.stages())


@bp.get("/projects")
def projects() -> ResponseReturnValue:
    filters = queries.ProjectFilters.from_args(request.args)
    page = queries.project_page(principal(), filters, request.args.get("cursor"))
    return {"data": ProjectOut(many=True).dump(page.projects), "next_cursor": page.next_cursor}


@bp.post("/projects")
def create_project() -> ResponseReturnValue:
    try:
        project = services.create_project(principal(), load(project_input(_currency()), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return _project(project, 201)


@bp.get("/projects/<project_id>")
def project(project_id: str) -> ResponseReturnValue:
    return _project(get_project(principal(), project_id))


@bp.patch("/projects/<project_id>")
def update_project(project_id: str) -> ResponseReturnValue:
    """Changing stage_id moves the project and records the move, as dragging its card does."""
    found = get_project(principal(), project_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        data = load(project_input(_currency(), partial=True), json_body())
        services.update_project(principal(), found, data)
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return _project(found)


@bp.delete("/projects/<project_id>")
def archive_project(project_id: str) -> ResponseReturnValue:
    services.set_archived(principal(), get_project(principal(), project_id), True)
    return "", 204


@bp.get("/projects/<project_id>/stage-changes")
def stage_changes(project_id: str) -> ResponseReturnValue:
    return listed(StageChangeOut(many=True), queries.history(get_project(principal(), project_id)))


@bp.get("/projects/<project_id>/tasks")
def project_tasks(project_id: str) -> ResponseReturnValue:
    found = get_project(principal(), project_id)
    return listed(TaskOut(many=True), queries.tasks_of(principal(), project_id=found.id))


@bp.post("/projects/<project_id>/tasks")
def add_project_task(project_id: str) -> ResponseReturnValue:
    found = get_project(principal(), project_id)
    try:
        task = services.create_task(principal(), load(task_input(), json_body()), project=found)
    except ValidationFailed as exc:
        return invalid(exc)
    return _task(task, 201)


@bp.get("/tasks")
def tasks() -> ResponseReturnValue:
    """The token's own open tasks (assignee = the token's person), soonest first."""
    mine = queries.open_tasks_of(principal())
    return listed(TaskOut(many=True), mine)


@bp.post("/tasks")
def create_task() -> ResponseReturnValue:
    """A task on a client (client_id); tasks on a project go through /projects/{id}/tasks."""
    try:
        task = services.create_task(principal(), load(task_input(), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return _task(task, 201)


@bp.get("/tasks/<task_id>")
def task(task_id: str) -> ResponseReturnValue:
    return _task(get_task(principal(), task_id))


@bp.patch("/tasks/<task_id>")
def update_task(task_id: str) -> ResponseReturnValue:
    found = get_task(principal(), task_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        services.update_task(principal(), found, load(task_input(partial=True), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return _task(found)
