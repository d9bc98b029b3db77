"""Telling people things. `notify` writes the bell entry and, for e-mail, an outbox row in the caller's
transaction, and asks for the delivery job after commit: nothing is announced for a change that rolled back, and
nothing that committed goes untold (a lost job is picked up by the sweep)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from saas.db import utcnow
from saas.extensions import db
from saas.ids import parse_uuid
from saas.jobs import enqueue
from saas.notify.models import Delivery, Notification

BELL_LIMIT = 30


@dataclass(frozen=True)
class Recipient:
    """A staff member (user_id) or a client's portal user (portal_user_id), with where to e-mail them."""

    user_id: uuid.UUID | None = None
    portal_user_id: uuid.UUID | None = None
    email: str | None = None
    locale: str = "zh_CN"


def notify(recipients: list[Recipient], kind: str, data: dict, link: str, email: bool = False) -> None:
    from saas.notify.delivery import deliver

    for person in _distinct(recipients):
        note = Notification(
            user_id=person.user_id, portal_user_id=person.portal_user_id, kind=kind, data=data, link=link
        )
        db.session.add(note)
        if email and person.email:
            db.session.flush()
            row = Delivery(
                notification_id=note.id, address=person.email, locale=person.locale, next_attempt_at=utcnow()
            )
            db.session.add(row)
            db.session.flush()
            enqueue(deliver, str(row.id), job_id=f"delivery-{row.id}")


def _distinct(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[tuple] = set()
    kept = []
    for person in recipients:
        key = (person.user_id, person.portal_user_id)
        if key not in seen and any(key):
            seen.add(key)
            kept.append(person)
    return kept


def _mine(user_id: uuid.UUID | None, portal_user_id: uuid.UUID | None):
    if portal_user_id is not None:
        return Notification.portal_user_id == portal_user_id
    return Notification.user_id == user_id


def unread_count(user_id: uuid.UUID | None = None, portal_user_id: uuid.UUID | None = None) -> int:
    query = select(func.count()).select_from(Notification)
    return db.session.scalar(query.where(_mine(user_id, portal_user_id), Notification.read_at.is_(None))) or 0


def bell_count() -> int:
    """For the bell in either surface: the portal user's unread count on portal pages, the staff member's in
    the workspace."""
    from flask import g

    if g.get("portal_user") is not None:
        return unread_count(portal_user_id=g.portal_user.id)
    membership = g.get("membership")
    return unread_count(user_id=membership.user_id) if membership is not None else 0


def latest(user_id: uuid.UUID | None = None, portal_user_id: uuid.UUID | None = None) -> list[Notification]:
    query = select(Notification).where(_mine(user_id, portal_user_id))
    return list(db.session.scalars(query.order_by(Notification.created_at.desc()).limit(BELL_LIMIT)))


def open_one(note_id: str, user_id: uuid.UUID | None = None, portal_user_id: uuid.UUID | None = None) -> str | None:
    """Mark one of this person's notifications read; returns where it points, or None if it is not theirs."""
    note = db.session.scalar(
        select(Notification).where(Notification.id == parse_uuid(note_id), _mine(user_id, portal_user_id))
    )
    if note is None:
        return None
    note.read_at = note.read_at or utcnow()
    return note.link


def mark_all_read(user_id: uuid.UUID | None = None, portal_user_id: uuid.UUID | None = None) -> None:
    db.session.execute(
        update(Notification)
        .where(_mine(user_id, portal_user_id), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
