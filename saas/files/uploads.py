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
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.db import utcnow
from saas.errors import NotAllowed, ValidationFailed
from saas.extensions import db
from saas.files.kinds import KINDS, SNIFF_BYTES, by_name, safe_name, sniff
from saas.files.models import FileStatus, StoredFile
from saas.files.owners import STUDIO, Actor, Placement, owner_kind
from saas.files.storage import FileMissing, Storage, UploadTicket, tenant_key
from saas.ids import parse_uuid
from saas.jobs import enqueue
from saas.quotas import Quota, require_room

PURPOSES = ("draft", "attachment", "delivery", "photo")


@dataclass(frozen=True)
class Started:
    file: StoredFile
    ticket: UploadTicket | None  # None: send the bytes to the app (local storage)


def _accepted() -> str:
    names = sorted({suffix.lstrip(".").upper() for kind in KINDS for suffix in kind.suffixes[:1]})
    return _("Upload %(kinds)s files.", kinds=", ".join(names))


def begin(actor: Actor, storage: Storage, data: dict[str, Any], max_bytes: int) -> Started:
    """Check what the browser says it will send and where it goes, then hand out a ticket for this one key.
    `data["owner_kind"]` / `data["owner_id"]` name the owner (saas/files/owners.py); the studio by default."""
    kind = by_name(data["name"])
    if kind is None:
        raise ValidationFailed({"name": [_accepted()]})
    declared = data.get("content_type")
    if declared and declared not in (kind.content_type, "application/octet-stream"):
        raise ValidationFailed({"content_type": [_("The file's type does not match its name.")]})
    if data["size"] > max_bytes:
        raise ValidationFailed({"size": [_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))]})
    placement = owner_kind(data.get("owner_kind") or STUDIO).place(actor, data.get("owner_id"), kind)
    if (again := _begun_before(actor, data.get("id"), placement)) is not None:
        return Started(again, storage.upload_ticket(again.key, again.declared_type, max_bytes))
    require_room(Quota.STORAGE_BYTES, data["size"])
    file_id = data.get("id") or uuid.uuid4()
    stored = StoredFile(
        id=file_id,
        key=tenant_key(actor.tenant_id, "files", str(file_id), f"original{kind.suffixes[0]}"),
        name=safe_name(data["name"]),
        declared_type=kind.content_type,
        purpose=data["purpose"],
        uploaded_by_id=actor.user_id,
        previews={},
        owner_kind=placement.owner_kind,
        owner_id=placement.owner_id,
        client_id=placement.client_id,
        project_id=placement.project_id,
    )
    db.session.add(stored)
    db.session.flush()
    return Started(stored, storage.upload_ticket(stored.key, kind.content_type, max_bytes))


def _begun_before(actor: Actor, file_id: uuid.UUID | None, placement: Placement) -> StoredFile | None:
    """A device resending a begin it never heard the answer to (it names the upload by an id it minted): the
    same ticket again. An id taken by something else is refused."""
    if file_id is None:
        return None
    found = db.session.get(StoredFile, file_id)
    if found is None:
        return None
    mine = found.uploaded_by_id == actor.user_id and found.held_by(placement.owner_kind, placement.owner_id)
    if not mine or found.status != FileStatus.PENDING:
        raise ValidationFailed({"id": [_("This upload was already made; start a new one.")]})
    return found


def _may_change(actor: Actor, stored: StoredFile) -> None:
    if not owner_kind(stored.owner_kind).may_change(actor, stored):
        raise NotAllowed()


def receive(actor: Actor, storage: Any, stored: StoredFile, stream: Any, max_bytes: int) -> None:
    """Local storage only: the app itself takes the bytes, refusing them past the limit as they arrive."""
    _may_change(actor, stored)
    if stored.status != FileStatus.PENDING:
        raise ValidationFailed({"file": [_("This upload is finished already.")]})
    try:
        storage.save_stream(stored.key, stream, max_bytes)
    except ValueError as exc:
        raise ValidationFailed(
            {"file": [_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))]}
        ) from exc


def complete(actor: Actor, storage: Storage, stored: StoredFile, max_bytes: int) -> StoredFile:
    """The bytes have arrived: check size and content, then make it usable, or delete it and say why."""
    _may_change(actor, stored)
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


def get_file(actor: Actor, file_id: str | uuid.UUID) -> StoredFile:
    """A file of this studio (the ORM scope and RLS keep others out) that this person may open, as its owner's
    kind decides; anything else reads like a missing file."""
    found = db.session.get(StoredFile, parse_uuid(file_id))
    if found is None or not owner_kind(found.owner_kind).may_open(actor, found):
        raise NotFound()
    return found


def files_of(owner_kind_name: str, owner_id: uuid.UUID, ready_only: bool = True, newest_first: bool = False):
    """The files one owner holds, in upload order (or newest first), at most 200."""
    query = select(StoredFile).where(StoredFile.owner_kind == owner_kind_name, StoredFile.owner_id == owner_id)
    if ready_only:
        query = query.where(StoredFile.status == FileStatus.READY)
    order = StoredFile.created_at.desc() if newest_first else StoredFile.created_at
    return list(db.session.scalars(query.order_by(order).limit(200)))


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


def set_shared(actor: Actor, stored: StoredFile, shared: bool) -> None:
    """Let the client download a project's file from the portal, or stop."""
    if not owner_kind(stored.owner_kind).may_change(actor, stored):
        raise NotAllowed()
    if stored.project_id is None or stored.status != FileStatus.READY:
        raise ValidationFailed({"file": [_("Only a project's files can be shared with its client.")]})
    stored.shared_at = (stored.shared_at or utcnow()) if shared else None


def shared_with(client_id: uuid.UUID, project_id: uuid.UUID | None = None) -> list[StoredFile]:
    """The files shared with a client (all its projects', or one project's), newest first."""
    query = select(StoredFile).where(
        StoredFile.client_id == client_id, StoredFile.shared_at.is_not(None), StoredFile.status == FileStatus.READY
    )
    if project_id is not None:
        query = query.where(StoredFile.project_id == project_id)
    return list(db.session.scalars(query.order_by(StoredFile.shared_at.desc()).limit(200)))
