"""A studio's service desk settings: business hours, SLA targets per priority, categories, and the ticket
numbers (T-0001), drawn with one atomic UPDATE so parallel tickets never share one."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from saas.errors import Conflict, ValidationFailed
from saas.extensions import db
from saas.tenants import audit
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Perm, require
from saas.tickets.hours import BusinessHours
from saas.tickets.models import Priority, TicketSettings

# Business hours of SLA targets when the studio has not chosen (seed 002: answer urgent matters the same hour).
DEFAULT_SLA: dict[str, dict[str, float]] = {
    Priority.URGENT: {"first_response": 1, "resolution": 9},
    Priority.HIGH: {"first_response": 4, "resolution": 18},
    Priority.NORMAL: {"first_response": 9, "resolution": 45},
    Priority.LOW: {"first_response": 18, "resolution": 90},
}
# The categories a studio starts with (keys, shown in the reader's language); a studio adds its own words.
DEFAULT_CATEGORIES = ("design_change", "repair", "complaint", "question", "other")
CATEGORY_LABELS = {
    "design_change": lazy_gettext("Design change"),
    "repair": lazy_gettext("After-sales repair"),
    "complaint": lazy_gettext("Complaint"),
    "question": lazy_gettext("Question"),
    "other": lazy_gettext("Other"),
}


def category_label(key: str) -> str:
    label = CATEGORY_LABELS.get(key)
    return str(label) if label is not None else key


def ticket_settings() -> TicketSettings:
    """The studio's row, made on first use; two first uses at once both end with the same row."""
    found = db.session.scalar(select(TicketSettings))
    if found is not None:
        return found
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {
        "id": uuid.uuid4(),
        "tenant_id": db.session().info["tenant_id"],
        "work_days": [0, 1, 2, 3, 4],
        "sla": {},
        "categories": list(DEFAULT_CATEGORIES),
        "next_number": 1,
        "version": 1,
        "day_start": time(9, 0),
        "day_end": time(18, 0),
    }
    db.session.execute(insert(TicketSettings).values(**values).on_conflict_do_nothing(index_elements=["tenant_id"]))
    return db.session.scalar(select(TicketSettings))


def next_number() -> str:
    """T-0001, T-0002…: per studio, atomic (the UPDATE locks the row until the ticket's transaction ends)."""
    row = ticket_settings()
    drawn = db.session.execute(
        update(TicketSettings)
        .where(TicketSettings.id == row.id)
        .values(next_number=TicketSettings.next_number + 1)
        .returning(TicketSettings.next_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"T-{drawn - 1:04d}"


def business_hours(row: TicketSettings | None = None) -> BusinessHours:
    row = row or ticket_settings()
    timezone = db.session.get(Tenant, row.tenant_id).timezone
    return BusinessHours(frozenset(row.work_days or [0, 1, 2, 3, 4]), row.day_start, row.day_end, timezone)


def sla_targets(row: TicketSettings | None = None) -> dict[str, dict[str, float]]:
    row = row or ticket_settings()
    return {p: {**DEFAULT_SLA[p], **(row.sla or {}).get(p, {})} for p in Priority}


def categories(row: TicketSettings | None = None) -> list[str]:
    row = row or ticket_settings()
    return list(row.categories or DEFAULT_CATEGORIES)


def check_category(value: str | None, field: str = "category") -> str:
    """A category of the studio's list (the first one when none is given)."""
    known = categories()
    if value is None:
        return "other" if "other" in known else known[0]
    if value not in known:
        raise ValidationFailed({field: [_("Choose one of the studio's categories.")]})
    return value


def update_settings(membership: Membership, row: TicketSettings, data: dict[str, Any]) -> None:
    """Admins set the business hours, the SLA targets and the categories; the change goes on the audit trail.
    Tickets already raised keep their due times; new ones and a priority change use the new targets."""
    require(membership, Perm.STUDIO_SETTINGS)
    if (read := data.pop("version", None)) is not None and read != row.version:
        raise Conflict()
    sla = {
        p: {"first_response": data.pop(f"{p}_first_response"), "resolution": data.pop(f"{p}_resolution")}
        for p in Priority
    }
    names = [name.strip() for name in data.pop("categories") if name and name.strip()]
    if not names:
        raise ValidationFailed({"categories": [_("Keep at least one category.")]})
    before = {"work_days": row.work_days, "hours": f"{row.day_start:%H:%M}-{row.day_end:%H:%M}", "sla": row.sla}
    row.work_days = sorted(set(data["work_days"]))
    row.day_start, row.day_end = data["day_start"], data["day_end"]
    row.sla, row.categories = sla, list(dict.fromkeys(names))
    after = {"work_days": row.work_days, "hours": f"{row.day_start:%H:%M}-{row.day_end:%H:%M}", "sla": sla}
    audit.record("tickets.settings_changed", row, before=before, after=after)
