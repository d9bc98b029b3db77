"""Sending what the outbox holds, once.

Each delivery is claimed before it is sent: a conditional UPDATE moves it from pending to sending with a lease,
and that claim is committed before any byte leaves. Two jobs for the same row (a retry, the sweep, a job RQ
re-ran) cannot both win the claim. A job killed mid-send leaves the row in `sending`; once its lease runs out
the sweep hands it to a new job. The message carries a Message-ID made from the delivery's id, so that in the
one window no database can close — the server accepted the message and the worker died before recording it —
the copy sent again is the same message to the receiving side, which drops it as a duplicate.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import and_, or_, select, update

from saas.db import utcnow
from saas.extensions import db
from saas.jobs import PendingJob, dispatch
from saas.notify.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (10, 60, 300, 1800)
SWEEP_BATCH = 200


class Channel(Protocol):
    """A way to reach a person: e-mail now; SMS and WeChat Work / DingTalk implement the same `send`."""

    def send(self, delivery: Delivery) -> None: ...


class EmailChannel:
    def send(self, delivery: Delivery) -> None:
        from flask_babel import force_locale

        from saas.mail import send_templated
        from saas.notify.texts import words_for
        from saas.tenants.models import Tenant

        note = delivery.notification
        tenant = db.session.get(Tenant, delivery.tenant_id)
        base = current_app.extensions["atelier.settings"].base_url.rstrip("/")

        with force_locale(delivery.locale):
            words = words_for(note.kind, note.data)
        send_templated(
            delivery.address,
            "notification",
            delivery.locale,
            message_id=f"<delivery-{delivery.id}@atelier>",
            tenant=tenant,
            words=words,
            link=base + note.link,
        )


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}


def _lease() -> timedelta:
    return timedelta(seconds=current_app.extensions["atelier.settings"].delivery_lease_seconds)


def claim(delivery_id: uuid.UUID) -> int | None:
    """Take the row for one attempt: returns the attempt's number, or None when it is sent, failed, or held by a
    live attempt. The number is the attempt's ticket: only the holder of the latest may record an outcome."""
    now = utcnow()
    claimable = or_(
        Delivery.status == DeliveryStatus.PENDING,
        and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
    )
    attempt = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, claimable)
        .values(status=DeliveryStatus.SENDING, lease_until=now + _lease(), attempts=Delivery.attempts + 1)
        .returning(Delivery.attempts)
        .execution_options(synchronize_session=False)
    ).scalar()
    db.session.commit()
    return attempt


def deliver(delivery_id: str) -> None:
    """Job: claim, send, record. A failure goes back to pending with a later attempt time, and is raised so
    RQ retries it with backoff; after MAX_ATTEMPTS it stays failed, with the error kept."""
    row_id = uuid.UUID(delivery_id)
    attempt = claim(row_id)
    if attempt is None:
        return
    delivery = db.session.get(Delivery, row_id)
    db.session.refresh(delivery)
    try:
        CHANNELS[delivery.channel].send(delivery)
    except Exception as exc:
        _record(row_id, attempt, **_failure(attempt, exc))
        raise
    _record(row_id, attempt, status=DeliveryStatus.SENT, sent_at=utcnow(), lease_until=None)


def _record(row_id: uuid.UUID, attempt: int, **outcome: object) -> None:
    """An attempt that outlived its lease (a stalled server; the row was handed on) records nothing: the
    attempt that took the row over owns its outcome."""
    db.session.rollback()
    db.session.execute(
        update(Delivery)
        .where(Delivery.id == row_id, Delivery.attempts == attempt, Delivery.status == DeliveryStatus.SENDING)
        .values(**outcome)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failure(attempt: int, exc: Exception) -> dict:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if attempt >= MAX_ATTEMPTS:
        log.error("delivery failed for good after %d attempts: %s", attempt, error)
        return {"status": DeliveryStatus.FAILED, "last_error": error, "lease_until": None}
    wait = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS)) - 1]
    return {
        "status": DeliveryStatus.PENDING,
        "last_error": error,
        "lease_until": None,
        "next_attempt_at": utcnow() + timedelta(seconds=wait),
    }


def sweep() -> int:
    """Periodic, per studio: hand every delivery that is due (its retry time has come, or its sender's lease ran
    out) to a new job. Returns how many it handed out."""
    now = utcnow()
    due = or_(
        and_(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now),
        and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
    )
    ids = list(db.session.scalars(select(Delivery.id).where(due).limit(SWEEP_BATCH)))
    tenant = db.session.info.get("tenant_id")
    for row_id in ids:
        dispatch(PendingJob(f"{deliver.__module__}:deliver", (str(row_id),), str(tenant), None))
    return len(ids)
