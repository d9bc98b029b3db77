"""The Forms section: the list with submission counts, the builder (words in both languages, questions of the
field types, reordering by drag and drop or keyboard, publish and close, link and embed snippet, a live
preview at phone width), each form's submissions and a submission's page; and, on a project's page, sending
the requirements form to the client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.fields.types import TYPES
from saas.forms import queries, requests, services, targets
from saas.forms.access import get_form, may_read, question_of, submission_of
from saas.forms.answer_list import AnswerFilters, answer_page
from saas.forms.models import Form, FormRequest, Submission
from saas.forms.presets import PRESETS
from saas.forms.schemas import FormSettingsSchema, NewFormSchema, QuestionSchema, choices_text
from saas.projects.access import get_project
from saas.projects.models import Project
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.queries import members
from saas.tenants.roles import Perm, has_perm
from saas.web.pages import flash_and_return, on_invalid, resolves

SETTINGS = ("slug", "title_en", "title_zh", "intro_en", "intro_zh", "thanks_en", "thanks_zh", "channel", "version")


def _builder_url(form: Form, **_records: Any) -> str:
    return url_for("staff.form_builder", form_id=form.id)


@bp.get("/forms")
@requires(Perm.CLIENTS_ALL)
def forms() -> ResponseReturnValue:
    return render_template(
        "staff/forms/list.html",
        rows=queries.form_list(),
        presets=PRESETS.values(),
        may_build=has_perm(g.membership.role, Perm.STUDIO_SETTINGS),
    )


@bp.post("/forms")
@requires(Perm.STUDIO_SETTINGS)
def new_form() -> ResponseReturnValue:
    form = services.create_form(g.membership, load(NewFormSchema(), request.form)["preset"])
    flash(_("Form created. Edit it, then publish it."), "success")
    return redirect(_builder_url(form))


def _builder(form: Form, errors: dict | None = None, values: dict | None = None, status: int = 200):
    page = render_template(
        "staff/forms/builder.html",
        form=form,
        errors=errors or {},
        values=values or {k: getattr(form, k) or "" for k in SETTINGS},
        types=TYPES,
        targets=targets.for_kind(form.kind),
        target_names={t.key: t.label for t in targets.all_targets().values()},
        choices_text=choices_text,
    )
    return page, status


@bp.route("/forms/<form_id>", methods=["GET", "POST"])
@requires(Perm.STUDIO_SETTINGS)
@resolves(form=get_form)
@on_invalid(lambda exc, form: _builder(form, exc.errors, request.form.to_dict(), 422))
def form_builder(form: Form) -> ResponseReturnValue:
    if request.method == "GET":
        return _builder(form)
    services.update_form(g.membership, form, load(FormSettingsSchema(), request.form))
    flash(_("Form saved."), "success")
    return redirect(_builder_url(form))


@bp.post("/forms/<form_id>/questions")
@requires(Perm.STUDIO_SETTINGS)
@resolves(form=get_form)
@on_invalid(flash_and_return(_builder_url))
def add_question(form: Form) -> ResponseReturnValue:
    services.add_question(g.membership, form, load(QuestionSchema(), request.form))
    flash(_("Question added."), "success")
    return redirect(_builder_url(form) + "#questions")


@bp.post("/forms/<form_id>/questions/<question_id>")
@requires(Perm.STUDIO_SETTINGS)
@resolves(form=get_form)
@on_invalid(flash_and_return(_builder_url))
def edit_question(form: Form, question_id: str) -> ResponseReturnValue:
    question = question_of(form, question_id)
    action = request.form.get("action", "save")
    if action == "remove":
        services.remove_question(g.membership, form, question)
        flash(_("Question removed."), "success")
    elif action in ("up", "down"):
        services.move(g.membership, form, question, -1 if action == "up" else 1)
    else:
        services.update_question(g.membership, form, question, load(QuestionSchema(), request.form))
        flash(_("Question saved."), "success")
    return redirect(_builder_url(form) + f"#question-{question.id}")


@bp.post("/forms/<form_id>/order")
@requires(Perm.STUDIO_SETTINGS)
@resolves(form=get_form)
def reorder_questions(form: Form) -> ResponseReturnValue:
    """The builder's script sends the new order after a drag or an arrow key: {"order": [ids]}."""
    body = request.get_json(silent=True) or {}
    order = body.get("order")
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise ValidationFailed({"order": [_("Send the questions' ids in their new order.")]})
    services.reorder(g.membership, form, order)
    return jsonify({"ok": True, "version": form.version})


@bp.post("/forms/<form_id>/<any(published, closed, draft):status>")
@requires(Perm.STUDIO_SETTINGS)
@resolves(form=get_form)
@on_invalid(flash_and_return(_builder_url))
def form_status(form: Form, status: str) -> ResponseReturnValue:
    services.set_status(g.membership, form, status)
    words = {"published": _("Form published."), "closed": _("Form closed."), "draft": _("Form back to draft.")}
    flash(words[status], "success")
    return redirect(_builder_url(form))


@bp.get("/forms/submissions")
@requires(Perm.CLIENTS_ALL)
def all_submissions() -> ResponseReturnValue:
    """Every form's submissions, by score, days submitted and the client's owner and source: the dashboards' NPS and
    CSAT open it (they count across forms)."""
    people = members()
    filters = AnswerFilters.from_args(request.args).among({str(m.user_id) for m in people})
    return render_template(
        "staff/forms/all_submissions.html",
        page=answer_page(g.membership, filters, request.args.get("after")),
        people=[m.user for m in people],
        problems=dict(filters.problems),
    )


@bp.get("/forms/<form_id>/submissions")
@requires(Perm.CLIENTS_ALL)
@resolves(form=get_form)
def form_submissions(form: Form) -> ResponseReturnValue:
    page = queries.submission_page(form, request.args.get("cursor"))
    return render_template("staff/forms/submissions.html", form=form, page=page)


@bp.get("/forms/<form_id>/submissions/<submission_id>")
@requires(Perm.CLIENTS_ALL)
@resolves(form=get_form)
def form_submission(form: Form, submission_id: str) -> ResponseReturnValue:
    found = submission_of(form, submission_id)
    from saas.files.uploads import files_of

    return render_template(
        "staff/forms/submission.html",
        form=form,
        submission=found,
        files={str(f.id): f for f in files_of("form_submission", found.id)},
    )


# --- on a project's page -----------------------------------------------------------------------------------


@dataclass
class ProjectForms:
    sendable: list[Form]
    sent: list[FormRequest]
    answers: list[Submission]


@bp.app_template_global("project_forms")
def project_forms(project: Project) -> ProjectForms | None:
    if g.get("membership") is None or not may_read(g.membership):
        return None
    return ProjectForms(
        requests.sendable_forms(),
        requests.requests_of(project),
        queries.submissions_of_project(project.id),
    )


@bp.post("/projects/<project_id>/forms")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
@on_invalid(flash_and_return(lambda project: url_for("staff.project", project_id=project.id)))
def send_project_form(project: Project) -> ResponseReturnValue:
    requests.send_form(g.membership, project, request.form.get("form_id", ""))
    flash(_("The form was sent to the client's portal contacts."), "success")
    return redirect(url_for("staff.project", project_id=project.id) + "#forms")
