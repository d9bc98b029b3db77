"""Lookups scoped to the caller's studio: another studio's id reads exactly like a missing one (404)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.extensions import db
from saas.tenants.isolation import ALL_TENANTS
from saas.tenants.models import Invitation, Membership, Tenant


def parse_uuid(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def get_membership(membership_id: str | uuid.UUID) -> Membership:
    """A membership of the current studio; the ORM scope turns another studio's id into None."""
    found = db.session.get(Membership, parse_uuid(membership_id))
    if found is None:
        raise NotFound()
    return found


def get_invitation(invitation_id: str | uuid.UUID) -> Invitation:
    found = db.session.get(Invitation, parse_uuid(invitation_id))
    if found is None:
        raise NotFound()
    return found


def membership_of(user_id: uuid.UUID) -> Membership | None:
    """The person's membership in the current studio, active or not."""
    return db.session.scalar(select(Membership).where(Membership.user_id == user_id))


def studios_of(user_id: uuid.UUID) -> list[Membership]:
    """Every studio this person may work in. The one cross-studio read: on PostgreSQL the RLS policy lets a
    person see their own memberships and nobody else's."""
    query = (
        select(Membership)
        .join(Membership.tenant)
        .where(Membership.user_id == user_id, Membership.active.is_(True))
        .order_by(Tenant.name)
        .execution_options(**{ALL_TENANTS: True})
    )
    return list(db.session.scalars(query))


def tenant_by_slug(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug.lower()))
    if tenant is None:
        raise NotFound()
    return tenant
