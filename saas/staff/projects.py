"""Projects pages: the Kanban board, the list, a project's page with its brief, history and tasks, My tasks,
and the pipeline settings. Thin: resolve through the access helpers, call a service, render or redirect."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.clients import queries as client_queries
from saas.clients.access import get_client
from saas.clients.models import Client
from saas.errors import ValidationFailed
from saas.money import plain_amount
from saas.projects import pipeline, queries, services
from saas.projects.access import can_edit_project, get_project, get_task
from saas.projects.models import BRIEF_FIELDS, PipelineStage, Project, StageKind, Task
from saas.projects.schemas import MoveSchema, ProjectSchema, StageSchema, TaskSchema
from saas.proofing import services as proofing
from saas.schemas import load
from saas.staff import custom
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.staff.picker import pick_client
from saas.tenants.models import Membership
from saas.tenants.roles import Perm
from saas.web.errors import wants_json
from saas.web.pages import flash_and_return, on_invalid, resolves


def _today():
    return datetime.now(ZoneInfo(g.tenant.timezone)).date()


def _keyed(form: object, exc: ValidationFailed) -> dict[str, list[str]]:
    """A page holding several forms shows a refused one's errors under its name ("task.title")."""
    return {f"{form}.{k}": v for k, v in exc.errors.items()}


def _project_schema(**kwargs: Any) -> ProjectSchema:
    return ProjectSchema(currency=g.tenant.currency, **kwargs)


@bp.get("/projects")
def board() -> ResponseReturnValue:
    filters = queries.ProjectFilters.from_args(request.args)
    template = "staff/projects/_board.html" if request.args.get("fragment") == "board" else "staff/projects/board.html"
    return render_template(
        template,
        columns=queries.board(g.membership, filters, _today()),
        filters=filters,
        team=client_queries.team(),
        types=queries.project_types(),
        editable=can_edit_project(g.membership),
        today=_today(),
    )


@bp.get("/projects/list")
def project_list() -> ResponseReturnValue:
    filters = queries.ProjectFilters.from_args(request.args)
    return render_template(
        "staff/projects/list.html",
        page=queries.project_page(g.membership, filters, request.args.get("after")),
        editable=can_edit_project(g.membership),
        filters=filters,
        stages=pipeline.stages(),
        team=client_queries.team(),
        types=queries.project_types(),
        today=_today(),
    )


def _project_form(form: dict, errors: dict, project=None, client=None, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/projects/form.html",
        form=form,
        errors=errors,
        project=project,
        client=client or (project.client if project else None),
        stages=pipeline.stages(),
        team=client_queries.team(),
        brief_fields=BRIEF_FIELDS,
    )
    return page, status


def _named_client(client_id: str) -> Client:
    """The client a new project is for, named by ?client= or by the form (not by the URL's path): 404 unless
    this person sees it. Asked for again when a refused form is shown again."""
    return get_client(g.membership, client_id)


def _new_project_refused(exc: ValidationFailed) -> ResponseReturnValue:
    client = _named_client(request.form.get("client_id", ""))
    return _project_form(request.form, exc.errors, client=client, status=422)


@bp.route("/projects/new", methods=["GET", "POST"])
@requires(Perm.PROJECTS_EDIT)
@on_invalid(_new_project_refused)
def new_project() -> ResponseReturnValue:
    if request.method == "GET":
        if not request.args.get("client"):
            return pick_client("staff.new_project", _("New project"), "staff.board", _("Projects"))
        client = _named_client(request.args["client"])
        form = {"client_id": str(client.id), "owner_id": str(g.membership.user_id), **custom.defaults("project")}
        return _project_form(form, {}, client=client)
    _named_client(request.form.get("client_id", ""))  # another's client is a 404, before the form is read
    data = {**load(_project_schema(), request.form), "custom_fields": custom.sent("project", request.form)}
    project = services.create_project(g.membership, data)
    flash(_("Project %(name)s created.", name=project.name), "success")
    return redirect(url_for("staff.project", project_id=project.id))


@bp.get("/projects/<project_id>")
@resolves(project=get_project)
def project(project: Project) -> ResponseReturnValue:
    return _project_page(project)


def _project_page(found, errors: dict | None = None, form: dict | None = None, status: int = 200):
    from saas.billing import queries as billing
    from saas.files.uploads import files_of
    from saas.proofing.services import drafts_of

    page = render_template(
        "staff/projects/detail.html",
        project=found,
        drafts=drafts_of(found.id),
        files=files_of("project", found.id, newest_first=True),
        docs=billing.documents_of(project_id=found.id),
        profit=billing.project_profit(found),
        costs=billing.costs_of(found),
        stages=pipeline.stages(),
        history=queries.history(found),
        tasks=queries.tasks_of(g.membership, project_id=found.id),
        team=client_queries.team(),
        editable=can_edit_project(g.membership),
        today=_today(),
        errors=errors or {},
        form=form or {},
    )
    return page, status


def _form_values(project) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(project, k) for k in ("name", "type", "probability", "start_on", "due_on")}
    values.update(
        client_id=str(project.client_id),
        owner_id=str(project.owner_id or ""),
        stage_id=str(project.stage_id),
        version=project.version,
        budget=plain_amount(project.budget_minor, g.tenant.currency),
        value=plain_amount(project.value_minor, g.tenant.currency),
        team=[str(m.user_id) for m in project.team],
        **{f"brief_{k}": project.brief.get(k) for k in BRIEF_FIELDS},
        **custom.stored("project", project),
    )
    return values


@bp.route("/projects/<project_id>/edit", methods=["GET", "POST"])
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
@on_invalid(lambda exc, project: _project_form(request.form, exc.errors, project, status=422))
def edit_project(project: Project) -> ResponseReturnValue:
    if request.method == "GET":
        return _project_form(_form_values(project), {}, project)
    data = {**load(_project_schema(), request.form), "custom_fields": custom.sent("project", request.form)}
    data.pop("client_id", None)  # a project stays with its client; the form shows it read-only
    services.update_project(g.membership, project, data)
    flash(_("Project saved."), "success")
    return redirect(url_for("staff.project", project_id=project.id))


def _move_refused(exc: ValidationFailed, **_records: object) -> ResponseReturnValue:
    """Drag and drop gets the errors as JSON; the card's form, a flash and the page it came from."""
    if wants_json():
        return jsonify(errors=exc.errors), 422
    flash(exc.text, "error")
    return redirect(_safe_next(request.form.get("next")) or url_for("staff.board"))


@bp.post("/projects/<project_id>/move")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
@on_invalid(_move_refused)
def move_project(project: Project) -> ResponseReturnValue:
    """From the card's "Move to" form, or from drag and drop (which asks for JSON)."""
    data = load(MoveSchema(), request.form)
    services.move_project(g.membership, project, services.stage_for_form(data["stage_id"]), data.get("version"))
    if wants_json():
        return jsonify(id=str(project.id), stage_id=str(project.stage_id), version=project.version)
    flash(_("%(project)s moved to %(stage)s.", project=project.name, stage=project.stage.name), "success")
    return redirect(_safe_next(request.form.get("next")) or url_for("staff.board"))


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/app/") and "//" not in target else None


@bp.post("/projects/<project_id>/<any(archive, restore):action>")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
def archive_project(project: Project, action: str) -> ResponseReturnValue:
    services.set_archived(g.membership, project, action == "archive")
    flash(_("Project archived.") if action == "archive" else _("Project restored."), "success")
    return redirect(url_for("staff.project", project_id=project.id))


@bp.post("/projects/<project_id>/tasks")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
@on_invalid(lambda exc, project: _project_page(project, _keyed("task", exc), request.form, 422))
def add_project_task(project: Project) -> ResponseReturnValue:
    services.create_task(g.membership, load(TaskSchema(), request.form), project=project)
    flash(_("Task added."), "success")
    return redirect(url_for("staff.project", project_id=project.id))


def _to_client(client: Client, **_records: object) -> str:
    return url_for("staff.client", client_id=client.id)


@bp.post("/clients/<client_id>/tasks")
@requires(Perm.PROJECTS_EDIT)
@resolves(client=get_client)
@on_invalid(flash_and_return(_to_client))
def add_client_task(client: Client) -> ResponseReturnValue:
    services.create_task(g.membership, {**load(TaskSchema(), request.form), "client_id": client.id})
    flash(_("Task added."), "success")
    return redirect(url_for("staff.client", client_id=client.id))


@bp.get("/tasks")
def my_tasks() -> ResponseReturnValue:
    return render_template(
        "staff/projects/my_tasks.html", tasks=queries.my_tasks(g.membership, _today()), today=_today()
    )


def _task_back(task) -> str:
    return _safe_next(request.form.get("next")) or (
        url_for("staff.project", project_id=task.project_id)
        if task.project_id
        else url_for("staff.client", client_id=task.client_id)
    )


@bp.route("/tasks/<task_id>/edit", methods=["GET", "POST"])
@resolves(task=get_task)
@on_invalid(lambda exc, task: _task_form(task, request.form, exc.errors, 422))
def edit_task(task: Task) -> ResponseReturnValue:
    if request.method == "GET":
        form = {k: getattr(task, k) for k in ("title", "notes", "due_on", "status", "version")}
        form.update(assignee_id=str(task.assignee_id or ""), checklist="\n".join(i["text"] for i in task.checklist))
        return _task_form(task, form, {})
    services.update_task(g.membership, task, load(TaskSchema(partial=("client_id",)), request.form))
    flash(_("Task saved."), "success")
    return redirect(_task_back(task))


def _task_form(task, form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/projects/task_form.html", task=task, form=form, errors=errors, team=client_queries.team()
    )
    return page, status


@bp.post("/tasks/<task_id>/<any(done, reopen):action>")
@resolves(task=get_task)
def task_status(task: Task, action: str) -> ResponseReturnValue:
    services.set_task_status(g.membership, task, "done" if action == "done" else "open")
    return redirect(_task_back(task))


@bp.post("/tasks/<task_id>/checklist/<int:index>")
@resolves(task=get_task)
@on_invalid(lambda exc, task: (redirect(_task_back(task)), 303))  # an item gone meanwhile: back, nothing said
def tick_task(task: Task, index: int) -> ResponseReturnValue:
    services.tick(g.membership, task, index)
    return redirect(_task_back(task))


# Pipeline settings


def _pipeline_page(errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    durations = {sid: (n, days) for sid, n, days in queries.stage_durations()}
    page = render_template(
        "staff/projects/pipeline.html",
        stages=pipeline.stages(),
        durations=durations,
        open_kind=StageKind.OPEN,
        approved_stage=proofing.approved_stage(),
        revision_days=proofing.proofing_settings().revision_days,
        errors=errors or {},
    )
    return page, status


def _to_proofing_settings(**_records: object) -> str:
    return url_for("staff.pipeline_settings") + "#proofing"


@bp.post("/settings/pipeline/proofing")
@requires(Perm.PIPELINE)
@on_invalid(flash_and_return(_to_proofing_settings))
def proofing_settings() -> ResponseReturnValue:
    """Where a project goes when its client approves a draft."""
    stage = services.stage_for_form(request.form.get("approved_stage_id"), "approved_stage_id")
    days = request.form.get("revision_days", "").strip()
    if days and not days.isdigit():
        raise ValidationFailed({"revision_days": [_("Enter a number of working days from 0 to 60.")]})
    proofing.set_approved_stage(g.membership, stage, int(days) if days else None)
    flash(_("Saved."), "success")
    return redirect(url_for("staff.pipeline_settings") + "#proofing")


@bp.get("/settings/pipeline")
@requires(Perm.PIPELINE)
def pipeline_settings() -> ResponseReturnValue:
    return _pipeline_page()


def _stage(_membership: Membership, stage_id: str) -> PipelineStage:
    return pipeline.get_stage(stage_id)


@bp.post("/settings/pipeline")
@requires(Perm.PIPELINE)
@on_invalid(lambda exc: _pipeline_page(_keyed("new", exc), 422))
def add_stage() -> ResponseReturnValue:
    stage = pipeline.add_stage(g.membership, load(StageSchema(), request.form)["name"])
    flash(_("Stage %(name)s added.", name=stage.name), "success")
    return redirect(url_for("staff.pipeline_settings"))


@bp.post("/settings/pipeline/<stage_id>/<any(rename, left, right, remove):action>")
@requires(Perm.PIPELINE)
@resolves(stage=_stage)
@on_invalid(lambda exc, stage: _pipeline_page(_keyed(stage.id, exc), 422))
def change_stage(stage: PipelineStage, action: str) -> ResponseReturnValue:
    if action == "rename":
        pipeline.rename_stage(g.membership, stage, load(StageSchema(), request.form)["name"])
    elif action == "remove":
        pipeline.remove_stage(g.membership, stage)
    else:
        pipeline.move_stage(g.membership, stage, -1 if action == "left" else 1)
    flash(_("Pipeline saved."), "success")
    return redirect(url_for("staff.pipeline_settings"))
