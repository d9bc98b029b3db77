"""Sending a stored file or one of its previews to a browser: a short-lived link to the bucket when storage
has one (the bytes never pass through the app), the bytes themselves otherwise. Used by the workspace and the
portal, each after its own access check."""

from __future__ import annotations

from flask import Response, current_app, redirect
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.files.models import FileStatus, StoredFile
from saas.files.storage import content_disposition


def _storage():
    return current_app.extensions["atelier.storage"]


def _preview_key(stored: StoredFile, preview: str) -> str | None:
    """`thumb`, `large`, or `page-N` of a PDF."""
    if preview.startswith("page-") and preview[5:].isdigit():
        pages = stored.previews.get("pages", [])
        number = int(preview[5:])
        return pages[number - 1] if 1 <= number <= len(pages) else None
    value = stored.previews.get(preview)
    return value if isinstance(value, str) else None


def send_file_or_preview(stored: StoredFile, preview: str | None) -> ResponseReturnValue:
    """The original as a download (attachment), or a preview shown inline."""
    key = _preview_key(stored, preview) if preview else stored.key
    if stored.status != FileStatus.READY or key is None:
        raise NotFound()
    name = stored.name if not preview else f"{preview}-{stored.name.rsplit('.', 1)[0]}.{key.rsplit('.', 1)[-1]}"
    link = _storage().download_url(key, name, attachment=not preview)
    if link:
        return redirect(link)
    data = _storage().get(key)
    kind = stored.content_type if not preview else ("image/png" if key.endswith(".png") else "image/jpeg")
    response = Response(data, mimetype=kind)
    response.headers["Content-Disposition"] = content_disposition(name, attachment=not preview)
    return response
