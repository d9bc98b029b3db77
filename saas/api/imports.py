"""/api/v1/imports: importing clients with their contacts, as the workspace's Import page does it — upload a CSV or
Excel file (multipart), read the mapping the headers suggest and a preview of the first rows with what is wrong
with each, change the mapping and the duplicate choice (If-Match), start the job, follow its progress, download
the failed rows, undo it. Owners, admins and managers (data.import); the rules are saas.imports.services'."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from saas.api.http import api, check_version, principal
from saas.api.operations import Body
from saas.errors import ValidationFailed
from saas.imports import mapping as columns
from saas.imports import services
from saas.imports.access import get_import, recent_imports
from saas.imports.models import ClientImport, Duplicates, ImportStatus
from saas.imports.reading import FORM_MAX_BYTES
from saas.tenants.roles import Perm
from saas.web.inputs import accepts_body

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OF_IMPORT = {"resolves": {"job": get_import}, "perm": Perm.DATA_IMPORT}
MAPPING_DESCRIPTION = "{column index: field}: the file's columns (0, 1, …) and the client field each goes to."


class ImportOut(Schema):
    id = fields.UUID()
    filename = fields.String()
    file_format = fields.String(metadata={"enum": ["csv", "xlsx"]})
    headers = fields.List(fields.String(), metadata={"description": "The file's header row, in column order."})
    mapping = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": MAPPING_DESCRIPTION})
    duplicates = fields.String(metadata={"enum": list(Duplicates)})
    status = fields.String(metadata={"enum": list(ImportStatus)})
    total_rows = fields.Integer()
    done_rows = fields.Integer()
    created_count = fields.Integer()
    updated_count = fields.Integer()
    skipped_count = fields.Integer()
    failed_count = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "Why the job stopped (status failed)."})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    undone_at = fields.DateTime(allow_none=True)
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class PreviewRowOut(Schema):
    number = fields.Integer(metadata={"description": "As a spreadsheet numbers it: the header is row 1."})
    saved = fields.Dict(metadata={"description": "field -> the value as it will be saved (as read, with problems)."})
    problems = fields.List(fields.String(), metadata={"description": "Empty when the row will be imported."})


class PreviewOut(Schema):
    mapping = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"description": MAPPING_DESCRIPTION})
    fields_offered = fields.List(
        fields.String(), data_key="fields", metadata={"description": "The fields a column may go to."}
    )
    rows = fields.List(fields.Nested(PreviewRowOut))


class ProgressOut(Schema):
    status = fields.String(metadata={"enum": list(ImportStatus)})
    done = fields.Integer(metadata={"description": "Rows done so far."})
    total = fields.Integer()
    percent = fields.Integer()
    seconds_left = fields.Integer(allow_none=True, metadata={"description": "An estimate, once it is known."})
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
    finished = fields.Boolean()


class MappingSchema(Schema):
    mapping = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,4}$", error="A column index: 0, 1, 2…")),
        values=fields.String(validate=validate.Length(max=80)),
        metadata={"description": MAPPING_DESCRIPTION + " Columns left out are not imported."},
    )
    duplicates = fields.String(
        validate=validate.OneOf(tuple(Duplicates)),
        metadata={"description": "A row matching an existing client: skip it, update the client, or create anew."},
    )


UPLOAD = Body(
    None,
    "ImportUpload",
    media="multipart/form-data",
    doc={
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8 or GB18030) or XLSX."}
        },
    },
)


class StartSchema(MappingSchema):
    """The same choices, optional, made as the import starts."""


MAPPING_PATCH = Body(MappingSchema, "ImportMappingPatch", partial=True)
START = Body(StartSchema, "ImportStart", partial=True, required=False)


@api.get(
    "/imports",
    summary="The studio's recent imports, newest first",
    perm=Perm.DATA_IMPORT,
    response=ImportOut,
    many=True,
)
def imports() -> list[ClientImport]:
    return recent_imports()


@api.post(
    "/imports",
    summary="Upload a CSV or Excel file of clients (multipart `file`); the mapping starts as its headers suggest",
    perm=Perm.DATA_IMPORT,
    body=UPLOAD,
    response=ImportOut,
    status=201,
    location="api.client_import",
)
@accepts_body(lambda: FORM_MAX_BYTES)
def upload_import() -> ClientImport:
    """Nothing is imported yet: read the preview, change the mapping if need be, then start it."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise ValidationFailed({"file": [_("Choose a CSV or Excel file to import.")]})
    return services.upload_import(principal(), sent.filename, sent.read())


@api.get("/imports/<job_id>", summary="Read an import: its mapping, state and counts", **OF_IMPORT, response=ImportOut)
def client_import(job: ClientImport) -> ClientImport:
    return job


@api.get(
    "/imports/<job_id>/preview",
    summary="The first rows as they will be saved with the import's mapping, and what is wrong with each",
    **OF_IMPORT,
    response=PreviewOut,
)
def import_preview(job: ClientImport) -> dict[str, Any]:
    rows = [{**vars(row), "saved": _json_values(row.saved)} for row in services.preview(job)]
    offered = sorted(columns.valid_targets(columns.client_fields()))
    return {"mapping": job.mapping, "fields_offered": offered, "rows": rows}


def _json_values(saved: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as text (2026-03-31, 12.50): what JSON cannot hold as they are."""
    plain = (str, int, float, bool, list, type(None))
    return {key: value if isinstance(value, plain) else str(value) for key, value in saved.items()}


@api.patch(
    "/imports/<job_id>",
    summary="Change the mapping or the duplicate choice of an import not started yet",
    **OF_IMPORT,
    body=MAPPING_PATCH,
    response=ImportOut,
    if_match="required",
)
def map_import(job: ClientImport, body: dict[str, Any]) -> ClientImport:
    check_version(job.version)
    services.save_mapping(principal(), job, *_choices(job, body))
    return job


@api.post(
    "/imports/<job_id>/start",
    summary="Start the import (a background job); optionally with a last mapping or duplicate choice",
    **OF_IMPORT,
    body=START,
    response=ImportOut,
    status=202,
)
def start_import(job: ClientImport, body: dict[str, Any]) -> ClientImport:
    """Poll GET /imports/{job_id}/progress until `finished`."""
    services.start_import(principal(), job, *_choices(job, body))
    return job


def _choices(job: ClientImport, body: dict[str, Any]) -> tuple[dict[str, str], str]:
    """What the request changes, over what the import holds."""
    return body.get("mapping", job.mapping), body.get("duplicates", job.duplicates)


@api.get(
    "/imports/<job_id>/progress",
    summary="Rows done of total, the counts so far and an estimate of the time left",
    **OF_IMPORT,
    response=ProgressOut,
)
def import_progress(job: ClientImport) -> dict[str, Any]:
    return services.progress(job)


@api.get(
    "/imports/<job_id>/failed-rows",
    summary="The rows that failed, as the file had them, each with its reasons (XLSX)",
    **OF_IMPORT,
    produces=XLSX,
)
def import_failed_rows(job: ClientImport) -> Response:
    name = f"failed-rows-{job.created_at:%Y%m%d-%H%M}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(services.failed_rows_xlsx(job), mimetype=XLSX, headers=headers)


@api.post(
    "/imports/<job_id>/undo",
    summary="Undo a finished import (a background job): remove the clients it created, restore those it updated",
    **OF_IMPORT,
    response=ImportOut,
    status=202,
)
def undo_import(job: ClientImport) -> ClientImport:
    """Refused (422, with the reason) while it is being undone already, or once any of those clients was changed
    since. Poll GET /imports/{job_id}/progress (its `undo` part) until the import's status is `undone`."""
    services.undo_import(principal(), job)
    return job
