"""Importing clients with their contacts: upload a sheet (with the history of past imports), map its columns on a
preview of the first rows as they will be saved, follow the job's progress (a page that survives a reload: it
polls a small JSON document, or without script refreshes itself), download the failed rows, undo an import."""

from __future__ import annotations

from flask import Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.i18n import current_locale
from saas.imports import mapping as columns
from saas.imports import services
from saas.imports.access import get_import, recent_imports
from saas.imports.models import ClientImport, Duplicates, ImportStatus
from saas.imports.reading import FORM_MAX_BYTES
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.inputs import accepts_body
from saas.web.pages import flash_and_return, on_invalid, resolves

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_page(errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template("staff/imports/upload.html", imports=recent_imports(), errors=errors or {}), status


@bp.get("/clients/import")
@requires(Perm.DATA_IMPORT)
def imports() -> ResponseReturnValue:
    return _upload_page()


@bp.post("/clients/import")
@requires(Perm.DATA_IMPORT)
@accepts_body(lambda: FORM_MAX_BYTES)
@on_invalid(lambda exc: _upload_page(exc.errors, 422))
def upload_import() -> ResponseReturnValue:
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise ValidationFailed({"file": [_("Choose a CSV or Excel file to import.")]})
    job = services.upload_import(g.membership, sent.filename, sent.read())
    return redirect(url_for("staff.import_detail", job_id=job.id))


def _mapping_page(
    job: ClientImport, sent: dict[str, str] | None = None, errors: dict | None = None, status: int = 200
) -> ResponseReturnValue:
    mapping = sent if sent is not None else job.mapping
    try:
        rows = services.preview(job, mapping)
    except ValidationFailed as exc:  # a mapping that cannot be previewed: show the one saved
        errors = {**(errors or {}), **exc.errors}
        rows = services.preview(job)
    fields = columns.client_fields()
    return render_template(
        "staff/imports/mapping.html",
        job=job,
        mapping=mapping,
        rows=rows,
        errors=errors or {},
        targets=columns.target_labels(fields, current_locale()),
        labels=dict(columns.target_labels(fields, current_locale())),
        duplicates=request.form.get("duplicates", job.duplicates),
        choices=tuple(Duplicates),
    ), status


@bp.get("/imports/<job_id>")
@requires(Perm.DATA_IMPORT)
@resolves(job=get_import)
def import_detail(job: ClientImport) -> ResponseReturnValue:
    if job.status == ImportStatus.READY:
        return _mapping_page(job)
    return render_template("staff/imports/progress.html", job=job, progress=services.progress(job))


def _sent_mapping() -> dict[str, str]:
    return {key.removeprefix("column_"): value for key, value in request.form.items() if key.startswith("column_")}


@bp.post("/imports/<job_id>/mapping")
@requires(Perm.DATA_IMPORT)
@resolves(job=get_import)
@on_invalid(lambda exc, job: _mapping_page(job, _sent_mapping(), exc.errors, 422))
def map_import(job: ClientImport) -> ResponseReturnValue:
    """ "Preview" shows the rows again with the mapping chosen; "Import" saves it and starts the job."""
    sent, duplicates = _sent_mapping(), request.form.get("duplicates", "")
    if request.form.get("action") != "start":
        services.save_mapping(g.membership, job, sent, duplicates)
        return _mapping_page(job)
    services.start_import(g.membership, job, sent, duplicates)
    return redirect(url_for("staff.import_detail", job_id=job.id))


@bp.get("/imports/<job_id>/progress.json")
@requires(Perm.DATA_IMPORT)
@resolves(job=get_import)
def import_progress(job: ClientImport) -> ResponseReturnValue:
    response = jsonify(services.progress(job))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/imports/<job_id>/failed.xlsx")
@requires(Perm.DATA_IMPORT)
@resolves(job=get_import)
def import_failed_rows(job: ClientImport) -> ResponseReturnValue:
    name = f"failed-rows-{job.created_at:%Y%m%d-%H%M}.xlsx"
    return Response(
        services.failed_rows_xlsx(job),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _to_import(job: ClientImport, **_records: object) -> str:
    return url_for("staff.import_detail", job_id=job.id)


@bp.post("/imports/<job_id>/undo")
@requires(Perm.DATA_IMPORT)
@resolves(job=get_import)
@on_invalid(flash_and_return(_to_import))
def undo_import(job: ClientImport) -> ResponseReturnValue:
    services.undo_import(g.membership, job)
    flash(
        _("The import is being undone: the clients it created are removed and the ones it updated restored."), "success"
    )
    return redirect(_to_import(job))
