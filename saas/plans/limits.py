"""Which plan a studio is on now, what it uses, and the checks that stop it going over. The plan follows the
subscription: active or trialing, its plan; past due, its plan for GRACE_DAYS more; anything else, Free. A studio
without a subscription is on a Studio trial for its first TRIAL_DAYS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files.models import FileStatus, StoredFile
from saas.plans.catalog import FREE, GRACE_DAYS, PLANS, STUDIO, TRIAL_DAYS, Plan
from saas.plans.models import StudioSubscription
from saas.portal_accounts.models import PortalUser
from saas.tenants.models import Invitation, Membership, Tenant


@dataclass(frozen=True)
class Standing:
    plan: Plan
    status: str  # trial, active, trialing, past_due, grace_over, canceled, free
    trial_ends: object = None  # datetime
    grace_ends: object = None


def standing() -> Standing:
    """The current studio's."""
    sub = db.session.scalar(select(StudioSubscription))
    now = utcnow()
    if sub is not None and sub.plan in PLANS and sub.status in ("active", "trialing"):
        return Standing(PLANS[sub.plan], sub.status)
    if sub is not None and sub.plan in PLANS and sub.status == "past_due":
        grace_ends = (sub.past_due_since or now) + timedelta(days=GRACE_DAYS)
        return Standing(PLANS[sub.plan] if now < grace_ends else FREE, "past_due", grace_ends=grace_ends)
    tenant = db.session.get(Tenant, db.session.info["tenant_id"])
    trial_ends = tenant.created_at + timedelta(days=TRIAL_DAYS)
    if (sub is None or sub.status is None) and now < trial_ends:
        return Standing(STUDIO, "trial", trial_ends=trial_ends)
    return Standing(FREE, sub.status if sub is not None and sub.status else "free")


@dataclass(frozen=True)
class Usage:
    seats: int
    storage_bytes: int
    portal_users: int


def seats_used() -> int:
    """People of the current studio, counting open invitations (the ORM scope and RLS count its rows alone)."""
    members = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.active.is_(True)))
    invited = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
    )
    return (members or 0) + (invited or 0)


def storage_used() -> int:
    query = select(func.coalesce(func.sum(StoredFile.size_bytes), 0)).where(StoredFile.status == FileStatus.READY)
    return int(db.session.scalar(query) or 0)


def portal_users_used() -> int:
    query = select(func.count()).select_from(PortalUser).where(PortalUser.active.is_(True))
    return db.session.scalar(query) or 0


def usage() -> Usage:
    return Usage(seats_used(), storage_used(), portal_users_used())


def _over(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message + " " + _("Upgrade the studio's plan to add more.")]})


def check_seats(adding: int) -> None:
    plan = standing().plan
    if seats_used() + adding > plan.seats:
        raise _over("email", _("The %(plan)s plan has room for %(n)d people.", plan=plan.name, n=plan.seats))


def check_storage(adding: int) -> None:
    plan = standing().plan
    if storage_used() + adding > plan.storage_bytes:
        gb = plan.storage_bytes // 1024**3
        raise _over("size", _("The %(plan)s plan stores up to %(gb)d GB of files.", plan=plan.name, gb=gb))


def check_portal_users(adding: int) -> None:
    plan = standing().plan
    if portal_users_used() + adding > plan.portal_users:
        message = _("The %(plan)s plan opens the portal to %(n)d client contacts.", plan=plan.name, n=plan.portal_users)
        raise _over("email", message)
