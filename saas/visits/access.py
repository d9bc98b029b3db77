"""Who sees which visit. The worker it is assigned to; whoever may see its client and may schedule visits (the
office: managers and above see all, members the visits of their clients). Anything else — another worker's
visit, another studio's — reads as missing (404). A visit assigned to someone also lets them see its client
(`client_seen_through_visits`, registered with the clients' access rule)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, or_, select
from werkzeug.exceptions import NotFound

from saas.clients.access import client_id_visible_to
from saas.clients.models import Client
from saas.extensions import db
from saas.files.kinds import Kind
from saas.files.models import StoredFile
from saas.files.owners import Placement
from saas.ids import parse_uuid
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm, require
from saas.visits.models import Visit, VisitStatus


def visits_visible_to(membership: Membership) -> ColumnElement[bool]:
    """A WHERE clause on Visit."""
    mine = Visit.assignee_id == membership.user_id
    if not has_perm(membership.role, Perm.VISITS_SCHEDULE):
        return mine
    return or_(mine, client_id_visible_to(membership, Visit.client_id))


def get_visit(membership: Membership, visit_id: str | uuid.UUID) -> Visit:
    found = db.session.scalar(select(Visit).where(Visit.id == parse_uuid(visit_id), visits_visible_to(membership)))
    if found is None:
        raise NotFound()
    return found


def can_schedule(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.VISITS_SCHEDULE)


def client_seen_through_visits(membership: Membership) -> ColumnElement[bool]:
    """The clients of one's own visits (cancelled ones excepted): a WHERE clause on Client."""
    return exists(
        select(Visit.id).where(
            and_(
                Visit.client_id == Client.id,
                Visit.assignee_id == membership.user_id,
                Visit.status != VisitStatus.CANCELLED,
            )
        )
    )


class VisitFiles:
    """A visit holds its photos and the client's signature: taken by the worker it is assigned to (or someone
    who schedules visits), seen by whoever sees the visit."""

    def place(self, actor: Membership, owner_id: uuid.UUID | None, kind: Kind) -> Placement:
        require(actor, Perm.VISITS_RECORD)
        visit = get_visit(actor, owner_id or "")
        if visit.assignee_id != actor.user_id and not can_schedule(actor):
            raise NotFound()
        return Placement("visit", visit.id, client_id=visit.client_id, project_id=visit.project_id)

    def may_open(self, actor: Membership, stored: StoredFile) -> bool:
        query = select(Visit.id).where(Visit.id == stored.owner_id, visits_visible_to(actor))
        return db.session.scalar(query) is not None

    def may_change(self, actor: Membership, stored: StoredFile) -> bool:
        return self.may_open(actor, stored) and has_perm(actor.role, Perm.VISITS_RECORD)
