"""API tokens: `atl_<studio id>_<secret>`. The studio id in the token lets the API set the studio before the
lookup, so even the token table is read through Row-Level Security; only a hash of the token is stored."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, select, update

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants import audit
from saas.tenants.models import ApiToken, Membership, Tenant
from saas.tenants.queries import remember_fields_version
from saas.tenants.roles import Perm, Role, grantable_roles, require
from saas.tokens import hash_token

PREFIX = "atl_"
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """Who an API call acts as: the token's person, with the token's role (never more than theirs)."""

    user_id: uuid.UUID
    role: str
    tenant_id: uuid.UUID
    token_id: uuid.UUID


def create_token(creator: Membership, name: str, role: str) -> tuple[ApiToken, str]:
    require(creator, Perm.API_TOKENS)
    errors: dict[str, list[str]] = {}
    if not name.strip() or len(name.strip()) > 80:
        errors["name"] = [_("Give the token a name of at most 80 characters.")]
    allowed = (creator.role, *grantable_roles(creator.role)) if creator.role != Role.OWNER else tuple(Role)
    if role not in allowed:
        errors["role"] = [_("Choose a role no higher than your own.")]
    if errors:
        raise ValidationFailed(errors)
    raw = f"{PREFIX}{creator.tenant_id.hex}_{secrets.token_urlsafe(32)}"
    token = ApiToken(name=name.strip(), role=role, token_hash=hash_token(raw), hint=raw[-6:], user_id=creator.user_id)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", token, name=token.name, role=role)
    return token, raw


def revoke_token(actor: Membership, token: ApiToken) -> None:
    require(actor, Perm.API_TOKENS)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", token, name=token.name)


# Every API request runs this. It reads columns, on the connection, with the studio named: loading the token and
# the studio as ORM objects cost more than the rest of a single-record read. Row-Level Security applies as well
# (the studio is set before it runs). The person must still be an active member: a token dies with their access.
_LOOKUP = (
    select(ApiToken.id, ApiToken.user_id, ApiToken.role, ApiToken.last_used_at, Tenant.fields_version)
    .join(
        Membership,
        and_(Membership.tenant_id == ApiToken.tenant_id, Membership.user_id == ApiToken.user_id),
    )
    .join(Tenant, Tenant.id == ApiToken.tenant_id)
    .where(
        ApiToken.tenant_id == bindparam("tenant_id"),
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        Membership.active.is_(True),
    )
)


def authenticate(raw: str) -> Principal | None:
    """The principal behind a bearer token, with the session's studio set to the token's; None if unknown."""
    if not raw.startswith(PREFIX) or raw.count("_") < 2:
        return None
    studio_hex = raw[len(PREFIX) :].split("_", 1)[0]
    try:
        tenant_id = uuid.UUID(hex=studio_hex)
    except ValueError:
        return None
    session = db.session()
    set_tenant(session, tenant_id)
    found = session.connection().execute(_LOOKUP, {"tenant_id": tenant_id, "token_hash": hash_token(raw)}).first()
    if found is None:
        set_tenant(session, None)
        return None
    remember_fields_version(session, tenant_id, found.fields_version)
    if found.last_used_at is None or utcnow() - found.last_used_at > TOUCH_EVERY:
        session.execute(update(ApiToken).where(ApiToken.id == found.id).values(last_used_at=utcnow()))
    return Principal(found.user_id, found.role, tenant_id, found.id)


def tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()))
    )
