"""File transfer endpoints for the workspace's pages (JSON, CSRF-protected): begin an upload, send the bytes
(to the bucket with S3, to the app otherwise), complete it, and open a file or its preview."""

from __future__ import annotations

from flask import current_app, g, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields, validate
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.files import uploads
from saas.files.models import StoredFile
from saas.files.serving import send_file_or_preview
from saas.schemas import FormSchema, choice, field_messages, load, text
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.inputs import accepts_body
from saas.web.pages import on_invalid, resolves
from saas.web.transaction import keep_changes_on_error


class BeginSchema(FormSchema):
    name = text(200)
    size = fields.Integer(required=True, strict=False, validate=validate.Range(min=1), error_messages=field_messages())
    content_type = fields.String(load_default=None, allow_none=True)
    purpose = choice(uploads.PURPOSES, required=False, load_default="attachment")
    project_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    draft_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    # The owner named directly (a visit's photo from the field app), and an id the device minted so that a
    # resent request finds the upload it began instead of starting a second one.
    owner_kind = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    owner_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())


def _storage():
    return current_app.extensions["atelier.storage"]


def _max_bytes() -> int:
    return current_app.extensions["atelier.settings"].max_upload_bytes


def _described(stored: StoredFile) -> dict:
    return {
        "id": str(stored.id),
        "shared": stored.shared_at is not None,
        "name": stored.name,
        "status": stored.status,
        "content_type": stored.content_type,
        "size": stored.size_bytes,
        "url": url_for("staff.open_file", file_id=stored.id),
        "previews": {
            name: url_for("staff.open_file", file_id=stored.id, preview=name)
            for name in stored.previews
            if name != "pages"
        },
        "pages": [
            url_for("staff.open_file", file_id=stored.id, preview=f"page-{n}")
            for n in range(1, len(stored.previews.get("pages", [])) + 1)
        ],
    }


def _with_owner(data: dict) -> dict:
    """The pages send the project or the draft version the file goes to; the files layer calls both owners."""
    if data.get("draft_id"):
        return {**data, "owner_kind": "draft", "owner_id": data["draft_id"]}
    if data.get("project_id"):
        return {**data, "owner_kind": "project", "owner_id": data["project_id"]}
    return data


def _invalid(exc: ValidationFailed, **_records: object) -> ResponseReturnValue:
    """For `on_invalid`: these endpoints answer fetch() calls, with the errors as JSON."""
    return jsonify(errors=exc.errors), 422


def _rejected(exc: ValidationFailed, **_records: object) -> ResponseReturnValue:
    keep_changes_on_error()  # the refusal is recorded (status rejected) though the answer is an error
    return _invalid(exc)


# Who may upload, and where, is the owner kind's to say (saas/files/owners.py): no role check here.
@bp.post("/files")
@on_invalid(_invalid)
def begin_upload() -> ResponseReturnValue:
    """The ticket says where the bytes go: a presigned POST to the bucket, or this app's PUT endpoint."""
    data = _with_owner(load(BeginSchema(), request.get_json(silent=True) or request.form))
    started = uploads.begin(g.membership, _storage(), data, _max_bytes())
    if started.ticket is not None:
        upload = {"method": "POST", "url": started.ticket.url, "fields": started.ticket.fields}
    else:
        upload = {"method": "PUT", "url": url_for("staff.upload_content", file_id=started.file.id), "fields": {}}
    body = {**_described(started.file), "upload": upload}
    body["complete_url"] = url_for("staff.complete_upload", file_id=started.file.id)
    return jsonify(body), 201


@bp.put("/files/<file_id>/content")
@accepts_body(_max_bytes)
@resolves(file=uploads.get_file)
@on_invalid(_invalid)
def upload_content(file: StoredFile) -> ResponseReturnValue:
    """Local storage only: with S3 the bytes never come here."""
    if current_app.extensions["atelier.settings"].s3_bucket:
        raise NotFound()
    uploads.receive(g.membership, _storage(), file, request.stream, _max_bytes())
    return "", 204


@bp.post("/files/<file_id>/complete")
@resolves(file=uploads.get_file)
@on_invalid(_rejected)
def complete_upload(file: StoredFile) -> ResponseReturnValue:
    uploads.complete(g.membership, _storage(), file, _max_bytes())
    return jsonify(_described(file))


@bp.post("/files/<file_id>/<any(share, unshare):action>")
@requires(Perm.PROJECTS_EDIT)
@resolves(file=uploads.get_file)
@on_invalid(_invalid)
def share_file(file: StoredFile, action: str) -> ResponseReturnValue:
    uploads.set_shared(g.membership, file, action == "share")
    back = url_for("staff.project", project_id=file.project_id) + "#files"
    return redirect(back) if not request.accept_mimetypes.accept_json else jsonify(_described(file))


@bp.get("/files/<file_id>")
@resolves(file=uploads.get_file)
def open_file(file: StoredFile) -> ResponseReturnValue:
    return send_file_or_preview(file, request.args.get("preview"))
