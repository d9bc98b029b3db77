"""Files a ticket is raised with, or a reply carries: sent with the form itself (a few screenshots or PDFs, up to
MAX_FILES of at most MAX_BYTES each), checked by content like every upload (saas/files/kinds.py: the first bytes
decide and the name must agree), stored through the studio's storage under its prefix, and held by the ticket or
the reply (owner kinds 'ticket' and 'ticket_reply'). Images and PDFs get previews from the usual job."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files import direct
from saas.files.kinds import KINDS, by_name, safe_name, sniff
from saas.files.models import FileStatus, StoredFile
from saas.files.storage import Storage, tenant_key
from saas.files.uploads import make_previews
from saas.jobs import enqueue
from saas.quotas import Quota, require_room

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024


def _accepted() -> str:
    names = sorted({suffix.lstrip(".").upper() for kind in KINDS for suffix in kind.suffixes[:1]})
    return _("Attach %(kinds)s files of at most 10 MB.", kinds=", ".join(names))


def read_uploads(uploads: list[Any]) -> list[tuple[str, bytes, str]]:
    """(name, bytes, content type) of each file the form sent, checked; refused as a whole with the reason."""
    chosen = [u for u in uploads if u is not None and getattr(u, "filename", "")]
    if len(chosen) > MAX_FILES:
        raise ValidationFailed({"files": [_("Attach at most %(n)d files at a time.", n=MAX_FILES)]})
    found = []
    for upload in chosen:
        name = safe_name(upload.filename)
        data = upload.stream.read(MAX_BYTES + 1)
        kind, content = by_name(name), sniff(data[:16])
        if len(data) > MAX_BYTES or kind is None or content is None or content != kind:
            raise ValidationFailed({"files": [_accepted() + " " + _("Refused: %(name)s.", name=name)]})
        found.append((name, data, kind.content_type))
    if found:
        require_room(Quota.STORAGE_BYTES, sum(len(data) for _n, data, _t in found))
    return found


def store(
    storage: Storage,
    files: list[tuple[str, bytes, str]],
    owner_kind: str,
    owner_id: uuid.UUID,
    client_id: uuid.UUID,
    tenant_id: uuid.UUID,
    uploaded_by_id: uuid.UUID | None,
) -> list[StoredFile]:
    stored = []
    for name, data, content_type in files:
        file_id = uuid.uuid4()
        suffix = name.rpartition(".")[2].lower()
        key = tenant_key(tenant_id, "files", str(file_id), f"original.{suffix}")
        storage.put(key, data, content_type)
        row = StoredFile(
            id=file_id,
            key=key,
            name=name,
            declared_type=content_type,
            content_type=content_type,
            size_bytes=len(data),
            status=FileStatus.READY,
            purpose="attachment",
            previews={},
            owner_kind=owner_kind,
            owner_id=owner_id,
            client_id=client_id,
            uploaded_by_id=uploaded_by_id,
        )
        db.session.add(row)
        stored.append(row)
    if stored:
        db.session.flush()
        for row in stored:
            if row.content_type != "application/zip":
                enqueue(make_previews, str(row.id))
    return stored


def attachments_of(ticket_id: uuid.UUID, reply_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[StoredFile]]:
    """The ticket's own files (under its id) and each reply's, in one query."""
    owners = [ticket_id, *reply_ids]
    query = select(StoredFile).where(
        StoredFile.owner_kind.in_(("ticket", "ticket_reply")),
        StoredFile.owner_id.in_(owners),
        StoredFile.status == FileStatus.READY,
    )
    found: dict[uuid.UUID, list[StoredFile]] = {}
    for row in db.session.scalars(query.order_by(StoredFile.created_at)):
        found.setdefault(row.owner_id, []).append(row)
    return found


# Files sent by a page's script straight to the bucket (S3): reserved for the ticket they will join (a reply) or
# for the person about to raise one (a portal user, a staff member), then claimed by the form that names them
# (saas/files/direct.py). The portal's and the staff's are apart: neither side's form can take the other's upload.
UPLOAD_SLOT = "ticket_upload"
STAFF_SLOT = "ticket_staff_upload"
TAKEN = tuple(kind.content_type for kind in KINDS)


def forget_unclaimed_uploads() -> int:
    """Periodic (tickets/listeners.py): direct uploads no ticket or reply claimed."""
    return direct.sweep_unclaimed(UPLOAD_SLOT) + direct.sweep_unclaimed(STAFF_SLOT)


def offer(
    storage: Storage, tenant_id: uuid.UUID, waits_on: uuid.UUID, data: dict[str, Any], slot: str = UPLOAD_SLOT
) -> direct.Offer:
    return direct.offer(storage, tenant_id, direct.Slot(slot, waits_on), data, MAX_BYTES, TAKEN)


def claim_uploads(
    storage: Storage, upload_ids: list[str], waits_on: uuid.UUID, with_form: int, slot: str = UPLOAD_SLOT
) -> list[StoredFile]:
    """The uploads a ticket form names, each checked (this studio's, reserved for `waits_on` on this side, arrived,
    at most MAX_BYTES, its content what its name says); with the `with_form` files sent in the form, at most
    MAX_FILES."""
    ids = [upload_id for upload_id in upload_ids if upload_id]
    if len(ids) + with_form > MAX_FILES:
        raise ValidationFailed({"files": [_("Attach at most %(n)d files at a time.", n=MAX_FILES)]})
    try:
        return [direct.claim(storage, upload_id, direct.Slot(slot, waits_on), MAX_BYTES) for upload_id in ids]
    except ValidationFailed as exc:
        raise ValidationFailed({"files": exc.errors["file"]}) from exc


def hand_over(
    claimed: list[StoredFile],
    owner_kind: str,
    owner_id: uuid.UUID,
    client_id: uuid.UUID,
    uploaded_by_id: uuid.UUID | None = None,
) -> None:
    """Claimed uploads now held by the ticket or the reply, with previews made like any attachment's."""
    for stored in claimed:
        direct.hand_over(stored, owner_kind, owner_id, client_id=client_id, uploaded_by_id=uploaded_by_id)
    if claimed:
        db.session.flush()
    for stored in claimed:
        if stored.content_type != "application/zip":
            enqueue(make_previews, str(stored.id))
