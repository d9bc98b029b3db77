"""Read models of the studio: members, open invitations, the audit trail (keyset-paginated), and the studio's own
day and currency, which every domain reads (due dates, document numbers, amounts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select, tuple_
from sqlalchemy.orm import Session

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import TenantSession
from saas.tenants import audit
from saas.tenants.models import AuditEvent, Invitation, Membership, Tenant, User

AUDIT_PAGE_SIZE = 50
AUDIT_ACTIONS = (
    "login.succeeded",
    "login.failed",
    "studio.created",
    "studio.settings_changed",
    "studio.logo_changed",
    "member.invited",
    "member.invitation_resent",
    "member.invitation_revoked",
    "member.joined",
    "member.role_changed",
    "member.deactivated",
    "member.reactivated",
    "password.changed",
    "client.deleted",
    "tag.renamed",
    "tag.removed",
    "pipeline.stage_added",
    "pipeline.stage_renamed",
    "pipeline.stage_removed",
    "billing.settings_changed",
    "billing.approval_rules_changed",
    "plan.checkout_started",
    "plan.changed",
    "stripe.account_created",
    "stripe.account_updated",
    "api_token.created",
    "api_token.revoked",
)


def audit_actions() -> list[str]:
    """Every action the trail's filter offers: the studio's own, then those other domains registered."""
    return [*AUDIT_ACTIONS, *(a for a in audit.REGISTERED_ACTIONS if a not in AUDIT_ACTIONS)]


COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


def studio_today(tenant_id: uuid.UUID) -> date:
    """Today in the studio's time zone: "today", due dates and birthdays go by the studio's day, not the server's."""
    tenant = db.session.get(Tenant, tenant_id)
    return datetime.now(ZoneInfo(tenant.timezone)).date()


def working_days_after(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`: 3 working days from a Friday is Wednesday."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


# The studio's fields_version as this transaction's sign-in read it (an API token's lookup reads it in the same
# statement): every read of a record with custom fields needs it, and loading the studio's whole row for one number
# cost more than the read. Forgotten when the transaction ends, as a loaded row would be expired.
_FIELDS_VERSION = "tenants.fields_version_read"


def remember_fields_version(session: Session, tenant_id: uuid.UUID, version: int) -> None:
    session.info[_FIELDS_VERSION] = (tenant_id, version)


def studio_fields_version(tenant_id: uuid.UUID) -> int:
    """The version of the studio's custom-field definitions (moved by every change to them)."""
    known = db.session.info.get(_FIELDS_VERSION)
    if known is not None and known[0] == tenant_id:
        return known[1]
    tenant = db.session.get(Tenant, tenant_id)
    return tenant.fields_version if tenant is not None else 0


@event.listens_for(TenantSession, "after_commit")
@event.listens_for(TenantSession, "after_rollback")
def _forget_fields_version(session: Session) -> None:
    session.info.pop(_FIELDS_VERSION, None)


def studio_timezone(tenant_id: uuid.UUID) -> str:
    return db.session.get(Tenant, tenant_id).timezone


def studio_currency(tenant_id: uuid.UUID) -> str:
    return db.session.get(Tenant, tenant_id).currency


def members() -> list[Membership]:
    query = select(Membership).join(Membership.user).order_by(Membership.active.desc(), User.name)
    return list(db.session.scalars(query))


def open_invitations() -> list[Invitation]:
    query = (
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    )
    return list(db.session.scalars(query))


def common_timezones(current: str | None) -> list[str]:
    zones = list(COMMON_TIMEZONES)
    if current and current not in zones:
        zones.insert(0, current)
    return zones


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if not cursor or "_" not in cursor:
        return None
    stamp, _, ident = cursor.partition("_")
    try:
        return datetime.fromisoformat(stamp), uuid.UUID(ident)
    except ValueError:
        return None


def audit_page(before: str | None, action: str | None) -> AuditPage:
    """Newest first; `before` is the cursor of the last row seen, so deep pages cost the same as the first."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if (cursor := _parse_cursor(before)) is not None:
        query = query.where(tuple_(AuditEvent.created_at, AuditEvent.id) < cursor)
    rows = list(db.session.scalars(query.limit(AUDIT_PAGE_SIZE + 1)))
    next_cursor = None
    if len(rows) > AUDIT_PAGE_SIZE:
        rows = rows[:AUDIT_PAGE_SIZE]
        next_cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].id}"
    return AuditPage(rows, next_cursor)


# A list's "person" filters (who logged a follow-up, a client's owner): a user id or "me", checked against the
# studio's people (members()) so another studio's id, or a made-up one, is said beside its field and left out
# rather than looked up.


def person_arg(raw: object) -> str:
    """A person filter as asked: "me", a user id in its canonical form, or the text given (not a person: said)."""
    value = str(raw or "").strip()[:40]
    try:
        return str(uuid.UUID(value)) if value and value != "me" else value
    except ValueError:
        return value


def strangers(chosen: dict[str, str], people: set[str]) -> dict[str, str]:
    """{argument: message} for each chosen person who is not one of `people` (user ids as text)."""
    from flask_babel import gettext as _

    return {
        name: _("Choose a person of this studio.")
        for name, value in chosen.items()
        if value and value != "me" and value not in people
    }
