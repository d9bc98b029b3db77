"""The audit trail: services call `record(...)`; who and from where come from the request (or job) origin."""

from __future__ import annotations

import uuid
from typing import Any

from saas.extensions import db
from saas.origin import current
from saas.tenants.models import AuditEvent

# Actions a higher domain records through its listeners (billing: quotes, contracts, invoices, payments), named
# here at start-up so the audit trail's filter offers them without this floor knowing those domains.
REGISTERED_ACTIONS: list[str] = []


def register_actions(*actions: str) -> None:
    REGISTERED_ACTIONS.extend(a for a in actions if a not in REGISTERED_ACTIONS)


def record(action: str, target: Any = None, actor_id: uuid.UUID | None = None, **data: Any) -> AuditEvent:
    origin = current()
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
