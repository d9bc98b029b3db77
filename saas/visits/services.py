"""Visit rules: the office schedules, reassigns and cancels; the worker checks in and out, writes, photographs and
has the client sign. Services flush, never commit; what happened is announced (`visit.scheduled`,
`visit.checked_out`...): the client's timeline and follow-ups listen."""

from __future__ import annotations

import base64
import binascii
import math
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select, update

from saas.clients.access import client_for_form
from saas.db import lock_row, utcnow
from saas.errors import Conflict, NotAllowed, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.files.models import FileStatus, StoredFile
from saas.files.storage import Storage, tenant_key
from saas.projects.access import project_id_for_form
from saas.tenants.access import team_member
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require
from saas.visits.access import can_schedule
from saas.visits.models import PositionProblem, Visit, VisitStatus

RECORDED = ("notes", "outcome", "next_action", "next_action_due")  # what the worker writes; merged field by field
MAX_SIGNATURE_BYTES = 512 * 1024
MISSED_AFTER = timedelta(hours=12)  # a visit not checked in this long after its end is marked missed


def in_studio_time(day: date, at: time, timezone: str) -> datetime:
    """A day and a time as the office typed them, in the studio's time zone."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))


def schedule_visit(membership: Membership, data: dict[str, Any]) -> Visit:
    require(membership, Perm.VISITS_SCHEDULE)
    data.pop("version", None)
    visit = _new_visit(membership, data, team_member(data.pop("assignee_id"), "assignee_id"))
    db.session.add(visit)
    db.session.flush()
    emit("visit.scheduled", subject=visit, client=visit.client, actor_id=membership.user_id, visit=visit.purpose)
    return visit


def _new_visit(membership: Membership, data: dict[str, Any], assignee_id: uuid.UUID) -> Visit:
    client = client_for_form(membership, data.pop("client_id"))
    contact_id = _contact_of(client, data.pop("contact_id", None))
    project_id = project_id_for_form(membership, data.pop("project_id", None), client.id)
    visit = Visit(
        **data,
        client_id=client.id,
        contact_id=contact_id,
        project_id=project_id,
        assignee_id=assignee_id,
        scheduled_by_id=membership.user_id,
    )
    visit.client = client
    return visit


def _contact_of(client: Any, contact_id: Any) -> uuid.UUID | None:
    if contact_id is None:
        return None
    if not any(contact.id == contact_id for contact in client.contacts):
        raise ValidationFailed({"contact_id": [_("Choose one of this client's contacts.")]})
    return contact_id


def update_visit(membership: Membership, visit: Visit, data: dict[str, Any]) -> None:
    """The office moves, reassigns or re-addresses a visit; what the worker recorded is theirs (record())."""
    require(membership, Perm.VISITS_SCHEDULE)
    lock_row(db.session, visit)
    if (read := data.pop("version", None)) is not None and read != visit.version:
        raise Conflict()
    if visit.status in (VisitStatus.CANCELLED, VisitStatus.CHECKED_OUT):
        raise ValidationFailed({"status": [_("This visit is over; it can no longer be changed.")]})
    client = client_for_form(membership, data.pop("client_id")) if "client_id" in data else visit.client
    visit.client_id = client.id
    if "contact_id" in data:
        visit.contact_id = _contact_of(client, data.pop("contact_id"))
    if "project_id" in data:
        visit.project_id = project_id_for_form(membership, data.pop("project_id"), client.id)
    if "assignee_id" in data and data["assignee_id"] != visit.assignee_id:
        visit.assignee_id = team_member(data.pop("assignee_id"), "assignee_id")
        emit("visit.reassigned", subject=visit, client=visit.client, actor_id=membership.user_id, visit=visit.purpose)
    for key, value in data.items():
        setattr(visit, key, value)
    visit.updated_at = utcnow()


def cancel_visit(membership: Membership, visit: Visit, reason: str) -> None:
    require(membership, Perm.VISITS_SCHEDULE)
    if visit.status in (VisitStatus.CHECKED_IN, VisitStatus.CHECKED_OUT):
        raise ValidationFailed({"status": [_("The worker is already on site; this visit can no longer be cancelled.")]})
    visit.status, visit.cancelled_reason, visit.updated_at = VisitStatus.CANCELLED, reason.strip()[:300], utcnow()
    emit("visit.cancelled", subject=visit, client=visit.client, actor_id=membership.user_id, visit=visit.purpose)


# On site: the worker it is assigned to.


def _worker_only(membership: Membership, visit: Visit) -> None:
    require(membership, Perm.VISITS_RECORD)
    if visit.assignee_id != membership.user_id and not can_schedule(membership):
        raise NotAllowed()
    if visit.assignee_id != membership.user_id:
        return  # the office may fill in for a worker (a forgotten check-out)
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationFailed({"status": [_("The office cancelled this visit.")]})


def reassigned(visit: Visit) -> ValidationFailed:
    name = visit.assignee.name if visit.assignee else ""
    return ValidationFailed({"assignee_id": [_("This visit was given to %(name)s in the meantime.", name=name)]})


def create_on_site(membership: Membership, data: dict[str, Any]) -> Visit:
    """A visit the worker starts themselves (an unplanned stop), with the id the phone minted for it."""
    require(membership, Perm.VISITS_RECORD)
    visit = _new_visit(membership, data, membership.user_id)
    db.session.add(visit)
    db.session.flush()
    emit("visit.scheduled", subject=visit, client=visit.client, actor_id=membership.user_id, visit=visit.purpose)
    return visit


def check_in(membership: Membership, visit: Visit, at: datetime, where: dict[str, Any]) -> None:
    """Arrived. Idempotent and order-proof: a check-in that arrives after the check-out (a queue replayed out of
    order) fills in the arrival without undoing the departure."""
    _worker_only(membership, visit)
    if visit.check_in_at is None:
        _set_position(visit, "check_in", at, where)
    if visit.status in (VisitStatus.SCHEDULED, VisitStatus.MISSED):
        visit.status = VisitStatus.CHECKED_IN
    visit.updated_at = utcnow()
    emit("visit.checked_in", subject=visit, actor_id=membership.user_id, visit=visit.purpose)


def check_out(membership: Membership, visit: Visit, at: datetime, where: dict[str, Any]) -> None:
    """Left. The visit counts as a follow-up with the client from now on (the clients' listener logs it)."""
    _worker_only(membership, visit)
    if visit.check_out_at is not None:
        return  # once
    _set_position(visit, "check_out", at, where)
    visit.status = VisitStatus.CHECKED_OUT
    visit.updated_at = utcnow()
    emit(
        "visit.checked_out",
        subject=visit,
        client=visit.client,
        actor_id=membership.user_id,
        visit=visit.purpose,
        at=at.isoformat(),
        summary=visit.notes or visit.purpose,
        outcome=visit.outcome,
        next_action=visit.next_action,
        next_action_due=visit.next_action_due.isoformat() if visit.next_action_due else None,
    )


def _set_position(visit: Visit, which: str, at: datetime, where: dict[str, Any]) -> None:
    position, problem = where.get("position"), where.get("position_problem")
    setattr(visit, f"{which}_at", at)
    setattr(visit, f"{which}_problem", PositionProblem(problem) if problem else None)
    if position is not None:
        setattr(visit, f"{which}_lat", position["lat"])
        setattr(visit, f"{which}_lng", position["lng"])
        setattr(visit, f"{which}_accuracy_m", position.get("accuracy"))
        if visit.site_lat is not None and visit.site_lng is not None:
            distance = metres_between(visit.site_lat, visit.site_lng, position["lat"], position["lng"])
            setattr(visit, f"{which}_distance_m", round(distance, 1))


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), good to a metre or so at a site's scale."""
    radius = 6_371_000.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def record(
    membership: Membership, visit: Visit, changed: dict[str, Any], base: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Notes, outcome, next action. With `base` (what the device saw before the worker changed it), a field the
    office changed meanwhile is not overwritten: fields changed on one side merge by themselves, a field changed
    on both sides to different values is left as the office has it and returned as a conflict (theirs, mine)
    for the worker to choose. Without `base` (the office's own form), the values are set."""
    _worker_only(membership, visit)
    lock_row(db.session, visit)
    conflicts: dict[str, dict[str, Any]] = {}
    for field, mine in changed.items():
        theirs = getattr(visit, field)
        if base is not None and field in base and base[field] != theirs and theirs != mine:
            conflicts[field] = {"theirs": _plain(theirs), "mine": _plain(mine)}
            continue
        setattr(visit, field, mine)
    if changed and len(conflicts) < len(changed):
        visit.updated_at = utcnow()
    return conflicts


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def sign(membership: Membership, visit: Visit, storage: Storage, png_base64: str, signed_by: str | None) -> None:
    """The client's signature on site, drawn on the phone: a PNG the visit holds."""
    _worker_only(membership, visit)
    try:
        data = base64.b64decode(png_base64.split(",")[-1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed({"png": [_("The signature is not a picture.")]}) from exc
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed({"png": [_("The signature is not a picture.")]})
    file_id = uuid.uuid4()
    key = tenant_key(visit.tenant_id, "files", str(file_id), "signature.png")
    storage.put(key, data, "image/png")
    db.session.add(
        StoredFile(
            id=file_id,
            key=key,
            name="signature.png",
            declared_type="image/png",
            content_type="image/png",
            size_bytes=len(data),
            status=FileStatus.READY,
            purpose="signature",
            previews={},
            owner_kind="visit",
            owner_id=visit.id,
            client_id=visit.client_id,
            project_id=visit.project_id,
            uploaded_by_id=membership.user_id,
        )
    )
    visit.signature_file_id, visit.signed_by, visit.updated_at = file_id, signed_by, utcnow()


def photos_of(visit: Visit) -> list[StoredFile]:
    query = select(StoredFile).where(
        StoredFile.owner_kind == "visit",
        StoredFile.owner_id == visit.id,
        StoredFile.purpose == "photo",
        StoredFile.status == FileStatus.READY,
    )
    return list(db.session.scalars(query.order_by(StoredFile.created_at)))


def mark_missed() -> int:
    """Periodic, per studio: visits whose day went by with no check-in."""
    cutoff = utcnow() - MISSED_AFTER
    result = db.session.execute(
        update(Visit)
        .where(Visit.status == VisitStatus.SCHEDULED, Visit.scheduled_end < cutoff)
        .values(status=VisitStatus.MISSED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
