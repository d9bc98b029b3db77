"""What every billing service needs: the studio's billing settings, document numbers, permission checks, and
finding a document the person may see (by its client, as everywhere else)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from saas.billing.models import BillingSettings
from saas.errors import Conflict, ValidationFailed
from saas.extensions import db
from saas.tenants import audit
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require


def settings() -> BillingSettings:
    """The studio's settings row, made on first use (studios that existed before billing get defaults)."""
    found = db.session.scalar(select(BillingSettings))
    if found is None:
        found = BillingSettings()
        db.session.add(found)
        db.session.flush()
    return found


def next_number(prefix: str, today: date) -> str:
    """Q-2026-0001, C-…, INV-…: per studio, per year, without gaps in normal use. The settings row is locked
    (FOR UPDATE on PostgreSQL) so two people issuing at once never get the same number."""
    row = db.session.scalar(select(BillingSettings).with_for_update())
    if row is None:
        row = settings()
    key = f"{prefix}-{today.year}"
    numbers = dict(row.next_numbers or {})
    current = int(numbers.get(key, 1))
    numbers[key] = current + 1
    row.next_numbers = numbers
    return f"{key}-{current:04d}"


def refuse(message: str, field: str = "status") -> ValidationFailed:
    """A transition the document's state does not allow: a clear message, nothing changed."""
    return ValidationFailed({field: [message]})


def update_settings(membership: Membership, row: BillingSettings, data: dict[str, Any]) -> None:
    """Change the studio's billing settings; what changed (before → after) goes on the audit trail."""
    require(membership, Perm.BILLING_SETTINGS)
    if (read := data.pop("version", None)) is not None and read != row.version:
        raise Conflict()
    changes = [
        {"what": key, "old": getattr(row, key), "new": value}
        for key, value in data.items()
        if getattr(row, key) != value
    ]
    for key, value in data.items():
        setattr(row, key, value)
    if changes:
        audit.record("billing.settings_changed", row, actor_id=membership.user_id, changes=changes)
