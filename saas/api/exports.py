"""/api/v1/exports: a list (clients, projects, invoices, payments) as CSV or XLSX, with the list's own filters, as
the workspace's Export menu does it: a small export is the file itself (200), a large one a job (202) whose file
its author alone downloads until it expires. Everyone but field staff (data.export); payments for those who handle
money; finance's client export has no relationship column. The rules are saas.exports.services'."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, stream_with_context, url_for
from marshmallow import Schema, fields, validate

from saas.api.http import api, principal
from saas.api.operations import Body
from saas.errors import ValidationFailed
from saas.exports import lists, services, streaming, writers
from saas.exports.models import Export, ExportState
from saas.extensions import db
from saas.i18n import current_locale
from saas.tenants.models import Tenant
from saas.tenants.roles import Perm

CSV, XLSX = "text/csv", writers.CONTENT_TYPES["xlsx"]
OF_EXPORT = {"resolves": {"export": services.export_of}, "perm": Perm.DATA_EXPORT}
FILTERS = (
    "The list's own query arguments, as its page takes them: clients q, status, reached, owner (a user id or `me`), "
    "tag, source, industry, region, kind, quiet_days, archived (`1` or `all`), projects, created_from, created_to, "
    "last_contact_from, last_contact_to, left_from, left_to, sort, cols, `cf.<key>…`; projects owner, client, type, "
    "stage, state, deal, source, archived, created_from, created_to, due_from, due_to, closed_from, closed_to, cols, "
    "`cf.<key>…`; invoices status (`open`, `overdue` or a stored one), kind, owner, issued_from, issued_to, due_from, "
    "due_to; payments from, to, method, client, owner. A value the list cannot honour exactly is refused (422)."
)


def _file_url(export: Export) -> str | None:
    return url_for("api.export_file", export_id=export.id) if export.downloadable() and export.file_key else None


class ExportOut(Schema):
    id = fields.UUID()
    list = fields.String(attribute="list_name", metadata={"enum": [*lists.LISTS]})
    format = fields.String(metadata={"enum": [*services.FORMATS]})
    filters = fields.Dict(keys=fields.String(), values=fields.String())
    state = fields.String(metadata={"enum": [*ExportState]})
    rows = fields.Integer(allow_none=True)
    size = fields.Integer(allow_none=True, metadata={"description": "Bytes, once the job has written the file."})
    filename = fields.String()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "The file is removed then."})
    file_url = fields.Function(
        _file_url, metadata={"type": "string", "nullable": True, "description": "Where to download it, once ready."}
    )


class ExportSchema(Schema):
    list = fields.String(required=True, validate=validate.OneOf(lists.LISTS))
    format = fields.String(load_default="csv", validate=validate.OneOf(services.FORMATS))
    filters = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.String(validate=validate.Length(max=400)),
        load_default=dict,
        metadata={"description": FILTERS},
    )


EXPORT_IN = Body(ExportSchema, "ExportInput")


@api.get("/exports", summary="My recent exports, newest first", perm=Perm.DATA_EXPORT, response=ExportOut, many=True)
def exports() -> list[Export]:
    return services.exports_of(principal())


@api.post(
    "/exports",
    summary="Export a list with its filters: the file itself when small (200), else a job (202) to poll",
    perm=Perm.DATA_EXPORT,
    body=EXPORT_IN,
    response=ExportOut,
    status=202,
    also={200: (CSV, XLSX)},
)
def create_export(body: dict[str, Any]) -> Export | Response:
    """Above the studio's threshold (5,000 rows by default) the file is written by a job: poll
    GET /exports/{export_id} until `state` is `ready`, then download `file_url`."""
    tenant = db.session.get(Tenant, principal().tenant_id)
    wanted = (body["list"], body["format"], body["filters"])
    try:
        started = services.start_export(principal(), tenant, current_locale(), *wanted)
    except ValidationFailed as exc:  # the filters' errors, named where the body holds them
        raise ValidationFailed({f"filters.{k}": v for k, v in exc.errors.items()}) from exc
    if started.sheet is None:
        return started.export
    return _streamed(started.export, started.sheet)


def _streamed(export: Export, sheet: lists.Sheet) -> Response:
    if export.format == "csv":
        body: Any = stream_with_context(streaming.csv_bytes(sheet, export.tenant_id, principal().user_id))
        return streaming.attachment(body, export)
    chunks, size = streaming.xlsx_file(sheet, export.list_name)
    response = streaming.attachment(chunks, export)
    response.headers["Content-Length"] = str(size)
    return response


@api.get(
    "/exports/<export_id>", summary="Read one of my exports (its state, rows, file)", **OF_EXPORT, response=ExportOut
)
def export(export: Export) -> Export:
    return export


@api.get(
    "/exports/<export_id>/file",
    summary="Download a ready export: its bytes, or (files in S3) a short-lived link to them (303)",
    **OF_EXPORT,
    status=200,
    also={200: (CSV, XLSX), 303: ()},
)
def export_file(export: Export) -> Response:
    """Another person's export, one still being prepared, or one expired reads as missing (404)."""
    ready = services.downloadable(principal(), str(export.id))
    storage = current_app.extensions["atelier.storage"]
    link = storage.download_url(ready.file_key, ready.filename, attachment=True)
    if link:
        return redirect(link, 303)
    return streaming.attachment(storage.get(ready.file_key), ready)
