"""The report builder's pages: /app/reports (my reports and the studio's pinned ones), a report, and the builder
(new, edit) — a form of selects whose options follow the chosen source. Without script, "Preview" sends the form
and the page comes back with the right options and the chart; with script (report-builder.js) the same answer
replaces the form on every change. Every chart is computed with the reader's access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.i18n import current_locale
from saas.reports.builder import definition as definitions
from saas.reports.builder import (
    pinning,  # noqa: F401  (registers the pinned reports with the dashboards)
    services,
)
from saas.reports.builder.access import get_own_report, get_report, readable_reports
from saas.reports.builder.models import SavedReport
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm, has_perm
from saas.web.pages import on_invalid, resolves

DEFAULT = {"source": "clients", "measure": "count", "dim1": "status", "chart": "bar"}


def _describe(raw: Mapping[str, Any]) -> tuple[str, str | None]:
    """A saved report in words for the reader (source · measure · by…), or the reason it no longer holds."""
    try:
        checked = definitions.check(g.membership, raw, current_locale())
    except ValidationFailed as exc:
        return "", exc.text
    words = [checked.source.label(), checked.measure.label, *(s.label for s in checked.splits)]
    return " · ".join(words), None


@bp.get("/reports")
@requires(Perm.REPORTS_BUILD)
def reports() -> ResponseReturnValue:
    me = g.membership.user_id
    found = readable_reports(g.membership)
    return render_template(
        "staff/reports/list.html",
        mine=[r for r in found if r.owner_id == me],
        studio=[r for r in found if r.owner_id != me],
        describe=_describe,
    )


def _builder(form: Mapping[str, Any], errors: dict, report: SavedReport | None, status: int = 200):
    """The builder: the options of the chosen source, and the preview when the definition holds."""
    filled = definitions.with_defaults(g.membership, form, current_locale())
    source = {s.key: s for s in definitions.sources_for(g.membership)}[filled["source"]]
    options = definitions.options_for(g.membership, source, current_locale())
    chart, problem = None, None
    try:
        chart = services.chart_for(g.membership, filled)
    except ValidationFailed as exc:
        problem = exc
        errors = {**exc.errors, **errors}
    fragment = request.headers.get("X-Fragment") == "report-builder"
    page = render_template(
        "staff/reports/_builder.html" if fragment else "staff/reports/form.html",
        form={**filled, "name": form.get("name") or "", "version": form.get("version") or ""},
        errors=errors,
        report=report,
        options=options,
        source_options=[(s.key, s.label()) for s in definitions.sources_for(g.membership)],
        measure_options=[(m.key, m.label) for m in options.measures.values()],
        split_options=[(s.key, s.label) for s in options.splits.values()],
        charts=definitions.chart_names(),
        chart=chart,
        caption=_caption(options, filled),
        problem=problem,
    )
    return page, status


def _caption(options: definitions.Options, form: Mapping[str, str]) -> str:
    """What the preview shows, in words: "Number of records · Status · Source"."""
    measure = options.measures.get(form["measure"])
    splits = [options.splits[form[k]].label for k in ("dim1", "dim2") if form.get(k) in options.splits]
    return " · ".join([measure.label if measure else "", *splits]).strip(" ·")


def _refused(exc: ValidationFailed, report: SavedReport | None = None) -> ResponseReturnValue:
    return _builder(request.form, exc.errors, report, 422)


@bp.route("/reports/new", methods=["GET", "POST"])
@requires(Perm.REPORTS_BUILD)
@on_invalid(_refused)
def new_report() -> ResponseReturnValue:
    if request.method == "GET" or request.form.get("action") != "save":
        return _builder(request.form if request.method == "POST" else {**DEFAULT, **request.args}, {}, None)
    report = services.create_report(g.membership, request.form)
    flash(_("Report %(name)s saved.", name=report.name), "success")
    return redirect(url_for("staff.report", report_id=report.id))


@bp.get("/reports/<report_id>")
@requires(Perm.REPORTS_BUILD)
@resolves(report=get_report)
def report(report: SavedReport) -> ResponseReturnValue:
    chart, problem = None, None
    try:
        chart = services.chart_for(g.membership, report.definition or {})
    except ValidationFailed as exc:
        problem = exc.text
    description, _unused = _describe(report.definition or {})
    return render_template(
        "staff/reports/show.html",
        report=report,
        chart=chart,
        problem=problem,
        description=description,
        mine=report.owner_id == g.membership.user_id,
        may_pin_studio=has_perm(g.membership.role, Perm.REPORTS_STUDIO),
    )


@bp.route("/reports/<report_id>/edit", methods=["GET", "POST"])
@requires(Perm.REPORTS_BUILD)
@resolves(report=get_own_report)
@on_invalid(_refused)
def edit_report(report: SavedReport) -> ResponseReturnValue:
    if request.method == "GET":
        saved = {**(report.definition or {}), "name": report.name, "version": str(report.version)}
        errors: dict = {}
        try:
            definitions.check(g.membership, report.definition or {}, current_locale())
        except ValidationFailed as exc:
            errors = exc.errors  # a field gone since: say so at once, on the field it was in
        return _builder(saved, errors, report)
    if request.form.get("action") != "save":
        return _builder(request.form, {}, report)
    services.update_report(g.membership, report, request.form)
    flash(_("Report %(name)s saved.", name=report.name), "success")
    return redirect(url_for("staff.report", report_id=report.id))


@bp.post("/reports/<report_id>/pin")
@requires(Perm.REPORTS_BUILD)
@resolves(report=get_own_report)
def pin_report(report: SavedReport) -> ResponseReturnValue:
    board = "studio" if request.form.get("board") == "studio" else "personal"
    on = request.form.get("on") == "1"
    services.pin_report(g.membership, report, board, on)
    if on:
        message = _("Pinned to the studio dashboard.") if board == "studio" else _("Pinned to your dashboard.")
    else:
        message = _("Taken off the dashboard.")
    flash(message, "success")
    return redirect(url_for("staff.report", report_id=report.id), 303)


@bp.post("/reports/<report_id>/delete")
@requires(Perm.REPORTS_BUILD)
@resolves(report=get_own_report)
def delete_report(report: SavedReport) -> ResponseReturnValue:
    name = report.name
    services.delete_report(g.membership, report)
    flash(_("Report %(name)s deleted.", name=name), "success")
    return redirect(url_for("staff.reports"), 303)
