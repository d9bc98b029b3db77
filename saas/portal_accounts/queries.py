"""Reading portal accounts: a client's portal users, who hears about its invoices and receipts, and the person
behind a sign-in link or a portal session cookie."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from saas.clients.models import Client
from saas.db import utcnow
from saas.extensions import db
from saas.notify.services import Recipient
from saas.portal_accounts.models import PortalLink, PortalSession, PortalUser
from saas.tokens import hash_token


def portal_users_of(client: Client) -> list[PortalUser]:
    return list(db.session.scalars(select(PortalUser).where(PortalUser.client_id == client.id)))


def find_link(token: str) -> PortalLink | None:
    found = db.session.scalar(select(PortalLink).where(PortalLink.token_hash == hash_token(token)))
    return found if found is not None and found.usable and found.portal_user.active else None


def session_user(token: str | None) -> PortalUser | None:
    if not token:
        return None
    found = db.session.scalar(select(PortalSession).where(PortalSession.token_hash == hash_token(token)))
    if found is None or found.expires_at <= utcnow() or not found.portal_user.active:
        return None
    return found.portal_user


def client_recipients(client_id: uuid.UUID) -> list[Recipient]:
    """A client's people who can open the portal: who hears about its quotes, invoices and receipts."""
    query = select(PortalUser).where(PortalUser.client_id == client_id, PortalUser.active.is_(True))
    return [Recipient(portal_user_id=p.id, email=p.email, locale=p.locale) for p in db.session.scalars(query)]
