"""Record-level access to clients: who may see which client, in one place, for every surface.

Owners, admins and managers see every client; finance sees every client, but only its commercial side
(`sees_relationship`); members (designers, sales) and field staff see the clients they own and those shared
with them while the share has not expired. A client someone may not see reads exactly like a missing one: 404.

`visible_to` is an OR of the ways a person comes to see a client: owning it, a live share, and whatever higher
floors register with `sees_client_through` (visits: "a visit assigned to me"), each a WHERE clause on Client.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import lazyload
from werkzeug.exceptions import NotFound

from saas.clients.models import Client, ClientShare
from saas.db import utcnow
from saas.extensions import db
from saas.ids import parse_uuid
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm

Source = Callable[[Membership], ColumnElement[bool]]  # a WHERE clause on Client for one person
_sources: list[Source] = []


def sees_client_through(source: Source) -> None:
    """Another way to come to see a client, registered by a higher floor at start-up (visits do)."""
    if source not in _sources:
        _sources.append(source)


def visible_to(membership: Membership) -> ColumnElement[bool]:
    """A WHERE clause on Client: the clients this membership may see."""
    if has_perm(membership.role, Perm.CLIENTS_ALL):
        return true()
    shared = exists(
        select(ClientShare.id).where(
            ClientShare.client_id == Client.id,
            ClientShare.user_id == membership.user_id,
            or_(ClientShare.expires_at.is_(None), ClientShare.expires_at > utcnow()),
        )
    )
    return or_(Client.owner_id == membership.user_id, shared, *(source(membership) for source in _sources))


def client_id_visible_to(membership: Membership, client_id_column) -> ColumnElement[bool]:
    """A WHERE clause for rows that belong to a client (projects, tasks, documents): visible with their client."""
    if has_perm(membership.role, Perm.CLIENTS_ALL):
        return true()
    # correlate_except: the Client inside is always its own, also when the outer query joins clients itself
    # (auto-correlation would take the outer one, leave the EXISTS without a FROM and fail the query).
    return exists(
        select(Client.id).where(Client.id == client_id_column, visible_to(membership)).correlate_except(Client)
    )


def client_for_form(membership: Membership, client_id, field: str = "client_id") -> Client:
    """The client a form or API body names, when this person may see it; otherwise a field error (the same
    answer as for an id that does not exist)."""
    from flask_babel import gettext as _

    from saas.errors import ValidationFailed

    try:
        return get_client(membership, client_id)
    except NotFound as exc:
        raise ValidationFailed({field: [_("Choose one of your clients.")]}) from exc


def get_client(membership: Membership, client_id: str | uuid.UUID) -> Client:
    """The client, if this membership may see it; otherwise 404, exactly as for an id that does not exist."""
    # Without the owner's row: most single-client reads (the API, a document's page) show only owner_id, and a page
    # that names the owner finds them by primary key, usually the signed-in person already in the session.
    query = select(Client).where(Client.id == parse_uuid(client_id), visible_to(membership))
    client = db.session.scalar(query.options(lazyload(Client.owner)))
    if client is None:
        raise NotFound()
    return client


# What finance reads of a contact. The studio's own fields are in it: each one's visibility (everyone, not
# finance, admins) decides per field, as on the 360° page and for clients.
COMMERCIAL_CONTACT_FIELDS = (
    "id", "client_id", "name", "title", "phone", "email", "decision_maker", "custom_fields", "created_at"
)  # fmt: skip


def sees_relationship(membership: Membership) -> bool:
    """Notes, follow-ups, timeline and contacts' personal details (birthday, what they care about...)."""
    return has_perm(membership.role, Perm.CLIENTS_RELATIONSHIP)


def can_edit(membership: Membership, client: Client) -> bool:
    """Editing follows seeing, except finance, who reads clients but does not change them."""
    return has_perm(membership.role, Perm.CLIENTS_EDIT)
