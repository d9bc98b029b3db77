"""/api/v1/reports: the report builder's saved reports (list, create, read, change with If-Match, delete, pin) and
their figures, computed with the token's own access — a saved report or a definition sent as it is. Everyone who
builds reports (reports.build); pinning to the studio board takes reports.studio. The rules are
saas.reports.builder.services'."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from marshmallow import Schema, fields, validate

from saas.api.http import api, check_version, principal
from saas.api.operations import Body
from saas.errors import ValidationFailed
from saas.reports.builder import services
from saas.reports.builder.access import get_own_report, get_report, readable_reports
from saas.reports.builder.definition import CHARTS, FIELDS
from saas.reports.builder.models import NAME_MAX, SavedReport
from saas.tenants.roles import Perm
from saas.web.charts import KINDS, Chart

OF_REPORT = {"resolves": {"report": get_report}, "perm": Perm.REPORTS_BUILD}
OF_OWN_REPORT = {"resolves": {"report": get_own_report}, "perm": Perm.REPORTS_BUILD}
WORDS = {
    "source": "What is counted: clients, projects, invoices, payments, tickets… (those the token's role uses).",
    "measure": "`count`, `sum:<number>` or `avg:<number>` (a source's number, or `cf.<key>` of a custom field).",
    "dim1": "How the figures split: a dimension (`status`, `owner`…), a date by grain (`created:month`), `cf.<key>`.",
    "dim2": "A second split (bars stack), or empty.",
    "from": "The period's first day, YYYY-MM-DD, or empty.",
    "to": "The period's last day, YYYY-MM-DD, or empty.",
    "chart": "How it is drawn.",
}


def _text(name: str, **kw: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=200), metadata={"description": WORDS[name]}, **kw)


# `from` is a keyword: the definition's schemas are made from a dict of its stored keys.
DEFINITION_FIELDS = {
    "source": _text("source", required=True),
    "measure": _text("measure", load_default="count"),
    "dim1": _text("dim1", required=True),
    "dim2": _text("dim2", load_default=""),
    "from": _text("from", load_default=""),
    "to": _text("to", load_default=""),
    "chart": fields.String(load_default="bar", validate=validate.OneOf(CHARTS), metadata={"enum": [*CHARTS]}),
}
assert set(DEFINITION_FIELDS) == set(FIELDS)
DefinitionSchema = Schema.from_dict(DEFINITION_FIELDS, name="ReportDefinitionSchema")
DefinitionOut = Schema.from_dict({key: fields.String() for key in FIELDS}, name="ReportDefinitionOut")


class ReportOut(Schema):
    id = fields.UUID()
    name = fields.String()
    owner_id = fields.UUID()
    definition = fields.Nested(DefinitionOut)
    pinned_personal = fields.Boolean()
    pinned_studio = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class ReportSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=NAME_MAX))
    definition = fields.Nested(DefinitionSchema, required=True)
    pinned_personal = fields.Boolean(metadata={"description": "On the token person's own dashboard."})
    pinned_studio = fields.Boolean(metadata={"description": "On the studio dashboard (reports.studio)."})


class SeriesOut(Schema):
    name = fields.String()
    values = fields.List(fields.Float(allow_none=True), metadata={"description": "One per category."})
    shown = fields.List(fields.String(), metadata={"description": "Each value as the pages show it."})


class ReportRowOut(Schema):
    category = fields.String()
    values = fields.List(fields.Float(allow_none=True), metadata={"description": "One per series."})
    shown = fields.List(fields.String())


class ReportRowsOut(Schema):
    kind = fields.String(metadata={"enum": [*KINDS]})
    unit = fields.String(metadata={"enum": ["count", "money", "days", "hours", "percent", "number"]})
    scale = fields.Integer(metadata={"description": "Money is in minor units: divide by this for major units."})
    categories = fields.List(fields.String())
    series = fields.List(fields.Nested(SeriesOut))
    rows = fields.List(fields.Nested(ReportRowOut), metadata={"description": "The figures as a table, by category."})


REPORT_IN = Body(ReportSchema, "ReportInput")
REPORT_PATCH = Body(ReportSchema, "ReportPatch", partial=True)
DEFINITION_IN = Body(DefinitionSchema, "ReportDefinition")


def _rows(chart: Chart) -> dict[str, Any]:
    table = [
        {"category": name, "values": [s.values[i] for s in chart.series], "shown": shown}
        for i, (name, _link, shown) in enumerate(chart.rows())
    ]
    return {**chart.as_json(), "rows": table}


@api.get(
    "/reports",
    summary="My reports and the studio's pinned ones, last changed first",
    perm=Perm.REPORTS_BUILD,
    response=ReportOut,
    many=True,
)
def reports() -> list[SavedReport]:
    return readable_reports(principal())


@api.post(
    "/reports",
    summary="Save a report (its definition is checked against what the token's role may use)",
    perm=Perm.REPORTS_BUILD,
    body=REPORT_IN,
    response=ReportOut,
    status=201,
    location="api.report",
)
def create_report(body: dict[str, Any]) -> SavedReport:
    with _definition_errors():
        report = services.create_report(principal(), {**body["definition"], "name": body["name"]})
    _pin(report, body)
    return report


@contextmanager
def _definition_errors() -> Iterator[None]:
    """The services check a flat definition; here it is nested under `definition`, and its errors say so."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed({(k if k == "name" else f"definition.{k}"): v for k, v in exc.errors.items()}) from exc


def _pin(report: SavedReport, body: dict[str, Any]) -> None:
    for board in ("personal", "studio"):
        if f"pinned_{board}" in body:
            services.pin_report(principal(), report, board, body[f"pinned_{board}"])  # type: ignore[arg-type]


@api.get("/reports/<report_id>", summary="Read a saved report", **OF_REPORT, response=ReportOut)
def report(report: SavedReport) -> SavedReport:
    return report


@api.patch(
    "/reports/<report_id>",
    summary="Change my report's name, definition or pins",
    **OF_OWN_REPORT,
    body=REPORT_PATCH,
    response=ReportOut,
    if_match="required",
)
def update_report(report: SavedReport, body: dict[str, Any]) -> SavedReport:
    """The definition is replaced whole (a source brings its own measures and dimensions)."""
    check_version(report.version)
    data = {**(body.get("definition") or report.definition or {}), "name": body.get("name", report.name)}
    with _definition_errors():
        services.update_report(principal(), report, {**data, "version": report.version})
    _pin(report, body)
    return report


@api.delete("/reports/<report_id>", summary="Delete my report", **OF_OWN_REPORT)
def delete_report(report: SavedReport) -> None:
    services.delete_report(principal(), report)


@api.get(
    "/reports/<report_id>/rows",
    summary="A saved report's figures, computed with the token's access",
    **OF_REPORT,
    response=ReportRowsOut,
    errors=(422,),
)
def report_rows(report: SavedReport) -> dict[str, Any]:
    """422 when the definition no longer holds for this reader (a custom field removed since, a role changed)."""
    return _rows(services.chart_for(principal(), report.definition or {}))


@api.post(
    "/reports/run",
    summary="Compute a definition without saving it, with the token's access",
    perm=Perm.REPORTS_BUILD,
    body=DEFINITION_IN,
    response=ReportRowsOut,
)
def run_report(body: dict[str, Any]) -> dict[str, Any]:
    return _rows(services.chart_for(principal(), body))
