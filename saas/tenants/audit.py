"""The audit trail: services call `record(...)`; who and from where come from the request (or job) origin."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from saas.extensions import db
from saas.tenants.models import AuditEvent


@dataclass(frozen=True)
class Origin:
    actor_id: uuid.UUID | None = None
    ip: str | None = None


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def set_origin(actor_id: uuid.UUID | None, ip: str | None) -> None:
    _origin.set(Origin(actor_id, ip))


@contextmanager
def origin_of_job() -> Iterator[None]:
    """A job acts for nobody in particular, whatever request ran before it in this thread; an inline job
    hands the origin back to the request that dispatched it."""
    token = _origin.set(None)
    try:
        yield
    finally:
        _origin.reset(token)


def clear_origin() -> None:
    """Called when a request or job ends: worker threads are reused, and the next caller is someone else."""
    _origin.set(None)


def record(action: str, target: Any = None, actor_id: uuid.UUID | None = None, **data: Any) -> AuditEvent:
    origin = _origin.get() or Origin()
    if target is not None and target.id is None:
        db.session.flush()  # ids are assigned at flush; the trail must name what it is about
    event = AuditEvent(
        action=action,
        actor_id=actor_id or origin.actor_id,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None else None,
        data={k: v for k, v in data.items() if v is not None},
        ip=origin.ip,
    )
    db.session.add(event)
    return event
