"""Exports of the lists: the Export menu of a list posts here with the list's filters; a small export comes back
at once (CSV streamed as it is read, XLSX written in write-only mode), a large one becomes a job and the person
goes to My exports, where its state shows and its file is downloaded (by them alone, until it expires)."""

from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.errors import ValidationFailed
from saas.exports import lists, services, streaming
from saas.exports.models import Export
from saas.i18n import current_locale
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.pages import on_invalid


def _exports_page(errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/exports/list.html",
        exports=services.exports_of(g.membership),
        errors=errors or {},
        list_label=services.list_label,
    ), status


def _refused(exc: ValidationFailed, **_records: object) -> ResponseReturnValue:
    return _exports_page(exc.errors, 422)


@bp.get("/exports")
@requires(Perm.DATA_EXPORT)
def exports() -> ResponseReturnValue:
    return _exports_page()


@bp.post("/exports")
@requires(Perm.DATA_EXPORT)
@on_invalid(_refused)
def start_export() -> ResponseReturnValue:
    form = request.form
    list_name, fmt = form.get("list", ""), form.get("format", "")
    args = {key: ",".join(v for v in form.getlist(key) if v) for key in form}
    started = services.start_export(g.membership, g.tenant, current_locale(), list_name, fmt, args)
    if started.sheet is None:
        flash(_("This export is large: it is being prepared, and you will be told when it is ready."), "success")
        return redirect(url_for("staff.exports"), 303)
    if fmt == "csv":
        return _stream_csv(started.export, started.sheet)
    return _send_xlsx(started.export, started.sheet)


def _stream_csv(export: Export, sheet: lists.Sheet) -> Response:
    chunks = streaming.csv_bytes(sheet, export.tenant_id, g.membership.user_id)
    return streaming.attachment(stream_with_context(chunks), export)


def _send_xlsx(export: Export, sheet: lists.Sheet) -> Response:
    body, size = streaming.xlsx_file(sheet, export.list_name)
    response = streaming.attachment(body, export)
    response.headers["Content-Length"] = str(size)
    return response


@bp.get("/exports/<export_id>/download")
@requires(Perm.DATA_EXPORT)
def download_export(export_id: str) -> ResponseReturnValue:
    """The author's file: a short-lived link to the bucket with S3, the bytes from the local folder otherwise."""
    export = services.downloadable(g.membership, export_id)
    storage = current_app.extensions["atelier.storage"]
    link = storage.download_url(export.file_key, export.filename, attachment=True)
    if link:
        return redirect(link)
    return streaming.attachment(storage.get(export.file_key), export)
