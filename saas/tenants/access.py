"""Lookups scoped to the caller's studio: another studio's id reads exactly like a missing one (404)."""

from __future__ import annotations

import uuid

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files.kinds import Kind
from saas.files.models import StoredFile
from saas.files.owners import STUDIO, Placement
from saas.ids import parse_uuid
from saas.isolation import ALL_TENANTS
from saas.tenants.models import Invitation, Membership, Tenant
from saas.tenants.roles import Perm, has_perm, require


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


class StudioFiles:
    """The studio holds the files that belong to nothing more specific: whoever uploaded one opens it, and so do
    those who see every client; uploading needs the right to edit projects, as every other upload."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        require(actor, Perm.PROJECTS_EDIT)
        return Placement(STUDIO, actor.tenant_id)

    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        return stored.uploaded_by_id == actor.user_id or has_perm(actor.role, Perm.CLIENTS_ALL)

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return has_perm(actor.role, Perm.PROJECTS_EDIT)


def team_member(user_id: uuid.UUID, field: str) -> uuid.UUID:
    """`user_id` if that person is an active member of this studio; otherwise an error on the form's `field`."""
    found = db.session.scalar(select(Membership).where(Membership.user_id == user_id, Membership.active.is_(True)))
    if found is None:
        raise ValidationFailed({field: [_("Choose someone from this studio's team.")]})
    return user_id
