"""Uploads straight from a browser to the bucket for people who are not staff: a public form's visitor, a client in
the portal. The staff's begin/complete flow (uploads.py) checks a membership at every step; here nobody is signed
in to the studio, so the upload is reserved for one *slot* — a form's question, a ticket, a portal user's next
ticket — and is only linked to a record when the submission that names it passes `claim`.

    offer(storage, slot, data, max_bytes)   → a pending StoredFile + the presigned POST (S3 only)
    (the browser POSTs the bytes to the bucket; the policy pins the key, the type and the size range)
    claim(storage, upload_id, slot, max_bytes) → the same file, checked and READY; the caller re-owns it

A pending upload belongs to an owner kind nobody registers (`saas/files/owners.py`), so it can be opened by nobody
until it is claimed. Everything `claim` refuses reads alike whether the id is forged, another studio's (the ORM
scope and RLS do not find it), another form's or already used: one message, nothing linked.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from marshmallow import fields, validate

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files.kinds import KINDS, Kind, by_name, safe_name, sniff
from saas.files.models import FileStatus, StoredFile
from saas.files.storage import UPLOAD_SECONDS, FileMissing, Storage, UploadTicket, tenant_key
from saas.quotas import Quota, require_room
from saas.schemas import FormSchema, field_messages, text

# The policy lets the bytes arrive for UPLOAD_SECONDS; a submission may follow a little later (a slow phone, a
# reply typed after the files). Past this an upload is stale: attach the file again.
CLAIM_SECONDS = UPLOAD_SECONDS + 15 * 60
OCTETS = "application/octet-stream"


@dataclass(frozen=True)
class Slot:
    """What an upload is reserved for: `owner_kind` (form_upload, ticket_upload) and the id it waits on."""

    owner_kind: str
    owner_id: uuid.UUID


@dataclass(frozen=True)
class Offer:
    file: StoredFile
    ticket: UploadTicket


def offer(
    storage: Storage, tenant_id: uuid.UUID, slot: Slot, data: dict[str, Any], max_bytes: int, kinds: tuple[str, ...]
) -> Offer:
    """Check what the browser says it will send (name, size, type) against what the slot takes (`kinds`: content
    types), reserve a key under the studio and a new id, and sign a POST for exactly that key, type and size
    range. `data`: name, size, content_type."""
    kind = _kind(data, kinds)
    if not 0 < data["size"] <= max_bytes:
        raise ValidationFailed({"file": [_too_large(max_bytes)]})
    require_room(Quota.STORAGE_BYTES, data["size"])
    file_id = uuid.uuid4()
    stored = StoredFile(
        id=file_id,
        key=tenant_key(tenant_id, "files", str(file_id), f"original{kind.suffixes[0]}"),
        name=safe_name(data["name"])[:150],
        declared_type=kind.content_type,
        purpose="attachment",
        previews={},
        owner_kind=slot.owner_kind,
        owner_id=slot.owner_id,
    )
    ticket = storage.upload_ticket(stored.key, kind.content_type, max_bytes)
    if ticket is None:  # local storage: the form's own multipart upload is the way
        raise ValidationFailed({"file": [_("Send the file with the form.")]})
    db.session.add(stored)
    db.session.flush()
    return Offer(stored, ticket)


def _kind(data: dict[str, Any], kinds: tuple[str, ...]) -> Kind:
    kind = by_name(data.get("name") or "")
    declared = data.get("content_type")
    if kind is None or kind.content_type not in kinds or declared not in (None, "", kind.content_type, OCTETS):
        names = ", ".join(k.suffixes[0].lstrip(".").upper() for k in KINDS if k.content_type in kinds)
        raise ValidationFailed({"file": [_("Attach %(kinds)s files.", kinds=names)]})
    return kind


def _too_large(max_bytes: int) -> str:
    return _("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024))


def refused() -> str:
    return _("This upload is not one of this form's: attach the file again.")


def claim(storage: Storage, upload_id: Any, slot: Slot, max_bytes: int) -> StoredFile:
    """The upload `upload_id` reserved for `slot`, once its bytes are in the bucket, no larger than `max_bytes` and
    of the type its name declared (offer checked that against what the slot takes). Marked READY;
    anything else is refused with ValidationFailed({"file": …}) and the object, if it came, deleted."""
    stored = _pending(upload_id, slot)
    try:
        size = storage.size(stored.key)
        head = storage.read_start(stored.key, 16) if size else b""
    except FileMissing as exc:
        raise ValidationFailed({"file": [_("The file has not arrived yet: attach it again.")]}) from exc
    found = sniff(head)
    problem = None
    if size > max_bytes:
        problem = _too_large(max_bytes)
    elif found is None or found.content_type != stored.declared_type:
        problem = _("The file's content is not what its name says (%(name)s).", name=stored.name)
    if problem:
        storage.delete(stored.key)
        raise ValidationFailed({"file": [problem]})
    stored.status, stored.content_type, stored.size_bytes = FileStatus.READY, found.content_type, size
    return stored


def _pending(upload_id: Any, slot: Slot) -> StoredFile:
    try:
        file_id = uuid.UUID(str(upload_id))
    except ValueError:
        raise ValidationFailed({"file": [refused()]}) from None
    stored = db.session.get(StoredFile, file_id)  # this studio's only: the ORM scope and RLS
    fresh = utcnow() - timedelta(seconds=CLAIM_SECONDS)
    if stored is None or not stored.held_by(slot.owner_kind, slot.owner_id) or stored.status != FileStatus.PENDING:
        raise ValidationFailed({"file": [refused()]})
    if _aware(stored.created_at) < fresh:
        raise ValidationFailed({"file": [_("This upload has expired: attach the file again.")]})
    return stored


def _aware(moment: datetime) -> datetime:
    """SQLite gives the stored UTC time back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def hand_over(stored: StoredFile, owner_kind: str, owner_id: uuid.UUID, **belongs: Any) -> None:
    """A claimed upload now held by the record the submission made (client_id, project_id in `belongs`)."""
    stored.owner_kind, stored.owner_id = owner_kind, owner_id
    for name, value in belongs.items():
        setattr(stored, name, value)


class OfferSchema(FormSchema):
    """What the browser says of the file it is about to send (the bucket's policy holds it to it)."""

    name = text(200)
    size = fields.Integer(required=True, strict=False, validate=validate.Range(min=1), error_messages=field_messages())
    content_type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


def described(found: Offer) -> dict[str, Any]:
    """The JSON answer a page's script reads: the upload's id and where to POST the bytes."""
    return {
        "id": str(found.file.id),
        "upload": {"method": "POST", "url": found.ticket.url, "fields": found.ticket.fields},
    }


def sweep_unclaimed(owner_kind: str, batch: int = 500) -> int:
    """Periodic, per studio (registered by the domain owning the slot kind): uploads offered but never claimed —
    the visitor left, or the submission was refused — are deleted from storage with their rows, once their claim
    window has long passed. How many went."""
    from flask import current_app
    from sqlalchemy import select

    storage: Storage = current_app.extensions["atelier.storage"]
    cutoff = utcnow() - timedelta(seconds=2 * CLAIM_SECONDS)
    query = select(StoredFile).where(
        StoredFile.owner_kind == owner_kind, StoredFile.status == FileStatus.PENDING, StoredFile.created_at < cutoff
    )
    stale = list(db.session.scalars(query.limit(batch)))
    for stored in stale:
        storage.delete(stored.key)  # deleting a key that never came is no error (S3 and the local folder)
        db.session.delete(stored)
    return len(stale)
