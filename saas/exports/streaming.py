"""A small export's bytes, as a surface sends them at once (the workspace's Export menu, the API): CSV read and
encoded batch by batch, XLSX written to a temporary file in write-only mode and read back in chunks. No Flask
here: the surface wraps these iterators in its response."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Response

from saas.exports import lists, writers
from saas.exports.models import Export
from saas.exports.services import list_label
from saas.extensions import db
from saas.files.storage import content_disposition
from saas.isolation import set_tenant, set_user

CHUNK = 256 * 1024


def csv_bytes(sheet: lists.Sheet, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Iterator[bytes]:
    """Rows are read after the export's record has been committed (the request's one commit runs before the body
    is sent), in a session of their own: the studio and the person are set on it before the first row is read."""
    session = db.session()
    set_tenant(session, tenant_id)
    set_user(session, user_id)
    for chunk in writers.csv_chunks(sheet.columns, lists.batches(sheet)):
        yield chunk.encode("utf-8")


def xlsx_file(sheet: lists.Sheet, list_name: str) -> tuple[Iterator[bytes], int]:
    """The workbook's bytes (the temporary file goes once they are read) and its size."""
    handle, name = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    writers.write_xlsx(sheet.columns, lists.batches(sheet), path, list_label(list_name))
    return _read_then_remove(path), path.stat().st_size


def _read_then_remove(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


def attachment(body: Any, export: Export) -> Response:
    """The file's answer, the same from the staff page and the API: its type, its name, never cached."""
    response = Response(body, mimetype=writers.CONTENT_TYPES[export.format].split(";")[0])
    if export.format == "csv":
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = content_disposition(export.filename, attachment=True)
    response.headers["Cache-Control"] = "no-store"
    return response
