"""Uploads and downloads: with S3, the bytes go browser ↔ bucket through presigned URLs and never pass through
the web process; without it, the app receives and serves them. Either way a file becomes usable only once its
content has been checked against its name (magic bytes), and previews are made by a background job.

begin → (browser sends the bytes) → complete → ready (previews follow) | rejected (the object is deleted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.errors import NotAllowed, ValidationFailed
from saas.extensions import db
from saas.files.kinds import KINDS, SNIFF_BYTES, by_name, safe_name, sniff
from saas.files.models import FileStatus, StoredFile
from saas.files.storage import FileMissing, Storage, UploadTicket, tenant_key
from saas.jobs import enqueue
from saas.tenants.access import parse_uuid
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm

PURPOSES = ("draft", "attachment", "delivery")


@dataclass(frozen=True)
class Started:
    file: StoredFile
    ticket: UploadTicket | None  # None: send the bytes to the app (local storage)


def _accepted() -> str:
    names = sorted({suffix.lstrip(".").upper() for kind in KINDS for suffix in kind.suffixes[:1]})
    return _("Upload %(kinds)s files.", kinds=", ".join(names))


def begin(membership: Membership, storage: Storage, data: dict[str, Any], max_bytes: int) -> Started:
    """Check what the browser says it will send, then hand out a ticket for this one key."""
    if not has_perm(membership.role, Perm.PROJECTS_EDIT):
        raise NotAllowed()
    kind = by_name(data["name"])
    if kind is None:
        raise ValidationFailed({"name": [_accepted()]})
    declared = data.get("content_type")
    if declared and declared not in (kind.content_type, "application/octet-stream"):
        raise ValidationFailed({"content_type": [_("The file's type does not match its name.")]})
    if data["size"] > max_bytes:
        raise ValidationFailed({"size": [_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))]})
    from saas.plans.limits import check_storage

    check_storage(data["size"])
    project = _project(membership, data.get("project_id"))
    draft = _draft(membership, data.get("draft_id"), kind.previewable)
    if draft is not None:
        project = draft.project
    file_id = uuid.uuid4()
    name = safe_name(data["name"])
    stored = StoredFile(
        id=file_id,
        key=tenant_key(membership.tenant_id, "files", str(file_id), f"original{kind.suffixes[0]}"),
        name=name,
        declared_type=kind.content_type,
        purpose=data["purpose"],
        uploaded_by_id=membership.user_id,
        previews={},
        project_id=project.id if project else None,
        client_id=project.client_id if project else None,
        draft_id=draft.id if draft else None,
    )
    db.session.add(stored)
    db.session.flush()
    return Started(stored, storage.upload_ticket(stored.key, kind.content_type, max_bytes))


def _project(membership: Membership, project_id: Any):
    if not project_id:
        return None
    from saas.projects.access import get_project

    try:
        return get_project(membership, project_id)
    except NotFound as exc:
        raise ValidationFailed({"project_id": [_("Choose one of your projects.")]}) from exc


def _draft(membership: Membership, draft_id: Any, previewable: bool):
    """A page of a draft version being prepared: an image or a PDF (what a reviewer can look at)."""
    if not draft_id:
        return None
    from saas.proofing.access import get_draft
    from saas.proofing.services import check_preparing

    try:
        draft = get_draft(membership, draft_id)
    except NotFound as exc:
        raise ValidationFailed({"draft_id": [_("Choose a draft version of one of your projects.")]}) from exc
    check_preparing(draft)
    if not previewable:
        raise ValidationFailed({"name": [_("A draft is made of images or PDF files.")]})
    return draft


def receive(storage: Any, stored: StoredFile, stream: Any, max_bytes: int) -> None:
    """Local storage only: the app itself takes the bytes, refusing them past the limit as they arrive."""
    if stored.status != FileStatus.PENDING:
        raise ValidationFailed({"file": [_("This upload is finished already.")]})
    try:
        storage.save_stream(stored.key, stream, max_bytes)
    except ValueError as exc:
        raise ValidationFailed(
            {"file": [_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))]}
        ) from exc


def complete(storage: Storage, stored: StoredFile, max_bytes: int) -> StoredFile:
    """The bytes have arrived: check size and content, then make it usable, or delete it and say why."""
    if stored.status != FileStatus.PENDING:
        return stored  # completing twice changes nothing
    try:
        size = storage.size(stored.key)
        head = storage.read_start(stored.key, SNIFF_BYTES)
    except FileMissing as exc:
        raise ValidationFailed({"file": [_("The file has not arrived yet.")]}) from exc
    problem = None
    if size > max_bytes:
        problem = _("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))
    elif (found := sniff(head)) is None or found.content_type != stored.declared_type:
        problem = _("The file's content is not what its name says (%(name)s).", name=stored.name)
    if problem:
        storage.delete(stored.key)
        stored.status, stored.error, stored.size_bytes = FileStatus.REJECTED, problem[:200], size
        raise ValidationFailed({"file": [problem]})
    stored.status, stored.content_type, stored.size_bytes = FileStatus.READY, found.content_type, size
    if found.previewable:
        enqueue(make_previews, str(stored.id))
    return stored


def get_file(membership: Membership, file_id: str | uuid.UUID) -> StoredFile:
    """A file of this studio (the ORM scope and RLS keep others out) that this person may open: a project's
    files follow the project's visibility; other files, whoever uploaded them and those who see every client."""
    found = db.session.get(StoredFile, parse_uuid(file_id))
    if found is None:
        raise NotFound()
    if found.project_id is not None:
        from saas.projects.access import get_project

        get_project(membership, found.project_id)  # 404 when the project is not theirs to see
    elif found.uploaded_by_id != membership.user_id and not has_perm(membership.role, Perm.CLIENTS_ALL):
        raise NotFound()
    return found


def files_of_project(project_id: uuid.UUID) -> list[StoredFile]:
    from sqlalchemy import select

    query = select(StoredFile).where(
        StoredFile.project_id == project_id, StoredFile.status == FileStatus.READY, StoredFile.draft_id.is_(None)
    )  # a draft's pages live on the draft's page
    return list(db.session.scalars(query.order_by(StoredFile.created_at.desc()).limit(200)))


def make_previews(file_id: str) -> None:
    """Job: a thumbnail (480 px) and a large preview (1600 px) of an image, or of each page of a PDF, stored
    beside the original."""
    from flask import current_app

    from saas.files.previews import make

    stored = db.session.get(StoredFile, uuid.UUID(file_id))
    if stored is None or stored.status != FileStatus.READY or stored.previews.get("thumb"):
        return  # deleted, rejected, or already done by an earlier attempt
    storage: Storage = current_app.extensions["atelier.storage"]
    stored.previews = make(storage, stored)


def set_shared(membership: Membership, stored: StoredFile, shared: bool) -> None:
    """Let the client download a project's file from the portal, or stop."""
    from saas.db import utcnow

    if not has_perm(membership.role, Perm.PROJECTS_EDIT):
        raise NotAllowed()
    if stored.project_id is None or stored.status != FileStatus.READY:
        raise ValidationFailed({"file": [_("Only a project's files can be shared with its client.")]})
    stored.shared_at = (stored.shared_at or utcnow()) if shared else None


def shared_with(client_id: uuid.UUID, project_id: uuid.UUID | None = None) -> list[StoredFile]:
    """The files shared with a client (all its projects', or one project's), newest first."""
    from sqlalchemy import select

    query = select(StoredFile).where(
        StoredFile.client_id == client_id, StoredFile.shared_at.is_not(None), StoredFile.status == FileStatus.READY
    )
    if project_id is not None:
        query = query.where(StoredFile.project_id == project_id)
    return list(db.session.scalars(query.order_by(StoredFile.shared_at.desc()).limit(200)))
