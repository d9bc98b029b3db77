"""Who sees which import: the people who may import (owners, admins, managers), in their own studio. Another
studio's import, or an id that is not one, reads as missing (404)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.extensions import db
from saas.ids import parse_uuid
from saas.imports.models import ClientImport
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm


def get_import(membership: Membership, import_id: str | uuid.UUID) -> ClientImport:
    if not has_perm(membership.role, Perm.DATA_IMPORT):
        raise NotFound()
    found = db.session.scalar(select(ClientImport).where(ClientImport.id == parse_uuid(import_id)))
    if found is None:
        raise NotFound()
    return found


def recent_imports(limit: int = 20) -> list[ClientImport]:
    query = select(ClientImport).order_by(ClientImport.created_at.desc()).limit(limit)
    return list(db.session.scalars(query))
