"""/api/v1 for the pipeline: stages (read), projects (list, create, read, PATCH with If-Match, archive, their
stage history), and tasks. Record-level access and studio isolation are the staff UI's, through the same
access helpers and services."""

from __future__ import annotations

from typing import Any

from saas.api.http import api, check_version, principal
from saas.api.operations import Page
from saas.api.schemas import (
    PROJECT_IN,
    PROJECT_PATCH,
    TASK_IN,
    TASK_PATCH,
    ProjectListQuery,
    ProjectOut,
    StageChangeOut,
    StageOut,
    TaskOut,
    refuse_problems,
)
from saas.projects import pipeline, queries, services
from saas.projects.access import get_project, get_task
from saas.projects.models import PipelineStage, Project, StageChange, Task

OF_PROJECT = {"resolves": {"project": get_project}}
OF_TASK = {"resolves": {"task": get_task}}


@api.get("/stages", summary="The pipeline: open stages in board order, then won and lost", response=StageOut, many=True)
def stages() -> list[PipelineStage]:
    return pipeline.stages()


@api.get(
    "/projects",
    summary="List projects, most recently updated first (cursor pages of 50)",
    query=ProjectListQuery,
    response=ProjectOut,
    paged=True,
)
def projects(query: dict[str, Any]) -> Page:
    filters = queries.ProjectFilters.from_args(query)
    refuse_problems(filters.problems)
    page = queries.project_page(principal(), filters, query["cursor"] or None)
    return Page(page.projects, page.next_cursor)


@api.post(
    "/projects",
    summary="Create a project for a client (in the first open stage unless stage_id)",
    body=PROJECT_IN,
    response=ProjectOut,
    status=201,
    location="api.project",
)
def create_project(body: dict[str, Any]) -> Project:
    return services.create_project(principal(), body)


@api.get("/projects/<project_id>", **OF_PROJECT, summary="Read a project", response=ProjectOut)
def project(project: Project) -> Project:
    return project


@api.patch(
    "/projects/<project_id>",
    **OF_PROJECT,
    summary="Change some fields of a project; a new stage_id moves it and records the move",
    body=PROJECT_PATCH,
    response=ProjectOut,
    if_match="required",
)
def update_project(project: Project, body: dict[str, Any]) -> Project:
    """Changing stage_id moves the project and records the move, as dragging its card does."""
    check_version(project.version)
    services.update_project(principal(), project, {**body, "version": project.version})
    return project


@api.delete("/projects/<project_id>", **OF_PROJECT, summary="Archive a project")
def archive_project(project: Project) -> None:
    services.set_archived(principal(), project, True)


@api.get(
    "/projects/<project_id>/stage-changes",
    **OF_PROJECT,
    summary="Every move of the project, newest first, with the time spent in the stage left",
    response=StageChangeOut,
    many=True,
)
def stage_changes(project: Project) -> list[StageChange]:
    return queries.history(project)


@api.get("/projects/<project_id>/tasks", **OF_PROJECT, summary="The project's tasks", response=TaskOut, many=True)
def project_tasks(project: Project) -> list[Task]:
    return queries.tasks_of(principal(), project_id=project.id)


@api.post(
    "/projects/<project_id>/tasks",
    **OF_PROJECT,
    summary="Add a task to the project",
    body=TASK_IN,
    response=TaskOut,
    status=201,
    location="api.task",
)
def add_project_task(project: Project, body: dict[str, Any]) -> Task:
    return services.create_task(principal(), body, project=project)


@api.get("/tasks", summary="The token person's open tasks, soonest first", response=TaskOut, many=True)
def tasks() -> list[Task]:
    return queries.open_tasks_of(principal())


@api.post(
    "/tasks",
    summary="Add a task to a client (client_id)",
    body=TASK_IN,
    response=TaskOut,
    status=201,
    location="api.task",
)
def create_task(body: dict[str, Any]) -> Task:
    """Tasks on a project go through /projects/{project_id}/tasks."""
    return services.create_task(principal(), body)


@api.get("/tasks/<task_id>", **OF_TASK, summary="Read a task", response=TaskOut)
def task(task: Task) -> Task:
    return task


@api.patch(
    "/tasks/<task_id>",
    **OF_TASK,
    summary="Change some fields of a task",
    body=TASK_PATCH,
    response=TaskOut,
    if_match="required",
)
def update_task(task: Task, body: dict[str, Any]) -> Task:
    check_version(task.version)
    services.update_task(principal(), task, body)
    return task
