"""API tokens: `atl_<studio id>_<secret>`. The studio id in the token lets the API set the studio before the
lookup, so even the token table is read through Row-Level Security; only a hash of the token is stored."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants import audit
from saas.tenants.models import ApiToken, Membership, Tenant
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


def authenticate(raw: str) -> Principal | None:
    """The principal behind a bearer token, with the session's studio set to the token's; None if unknown."""
    if not raw.startswith(PREFIX) or raw.count("_") < 2:
        return None
    studio_hex = raw[len(PREFIX) :].split("_", 1)[0]
    try:
        tenant_id = uuid.UUID(hex=studio_hex)
    except ValueError:
        return None
    set_tenant(db.session(), tenant_id)
    # One query: the token, that its person is still an active member (a token dies with their access), and the
    # studio, which the request reads anyway (currency, time zone, the custom fields' version).
    found = db.session.execute(
        select(ApiToken, Tenant)
        .join(Membership, Membership.user_id == ApiToken.user_id)
        .join(Tenant, Tenant.id == ApiToken.tenant_id)
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None), Membership.active.is_(True))
    ).first()
    token = found[0] if found is not None else None
    if found is not None:
        # The identity map holds rows weakly: keep the studio for the request, so session.get(Tenant) finds it.
        db.session.info["studio_row"] = found[1]
    if token is None:
        set_tenant(db.session(), None)
        return None
    if token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = utcnow()
    return Principal(token.user_id, token.role, tenant_id, token.id)


def tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc()))
    )
