"""Who may enter the portal and how: staff invite a client's contact; the contact signs in with a one-time
link (15 minutes, single use, used up only by the POST of its confirm page); a portal session is its own
cookie and its own table, never a staff session. Everything a portal user sees is filtered by their client.
A portal user may also set a password; the link keeps working either way.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from saas.clients.models import Client, Contact
from saas.config import LOCALES
from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.jobs import enqueue
from saas.portal_accounts.models import PortalLink, PortalSession, PortalUser
from saas.quotas import Quota, require_room
from saas.tenants.models import Membership, Tenant
from saas.tenants.passwords import hash_password, password_problems, verify_password
from saas.tenants.roles import Perm, require
from saas.tokens import hash_token, new_token

LINK_MINUTES = 15
SESSION_DAYS = 30


def invite_contact(membership: Membership, client: Client, contact: Contact) -> PortalUser:
    require(membership, Perm.CLIENTS_EDIT)
    if not contact.email:
        raise ValidationFailed({"email": [_("Add an e-mail address to this contact first.")]})
    email = contact.email.strip().lower()
    user = db.session.scalar(select(PortalUser).where(PortalUser.email == email))
    if user is not None and user.client_id != client.id:
        raise ValidationFailed({"email": [_("This e-mail already opens the portal of another client.")]})
    if user is None or not user.active:
        require_room(Quota.PORTAL_USERS)
    if user is None:
        locale = db.session.get(Tenant, membership.tenant_id).locale
        user = PortalUser(client_id=client.id, contact_id=contact.id, email=email, name=contact.name, locale=locale)
        db.session.add(user)
    user.active, user.invited_by_id = True, membership.user_id
    db.session.flush()
    enqueue(send_link, str(user.id))
    emit("portal_user.invited", subject=user, client=client, actor_id=membership.user_id, contact=contact.name)
    return user


def revoke(membership: Membership, user: PortalUser) -> None:
    require(membership, Perm.CLIENTS_EDIT)
    user.active = False
    db.session.execute(delete(PortalSession).where(PortalSession.portal_user_id == user.id))
    emit("portal_user.revoked", subject=user, client=user.client, actor_id=membership.user_id, contact=user.name)


def request_link(email: str, next_path: str | None = None) -> None:
    """From the portal's sign-in page. Says nothing about whether the address is known: a link is mailed
    only to an active portal user, and the page reads the same either way."""
    user = db.session.scalar(select(PortalUser).where(PortalUser.email == email.strip().lower()))
    if user is not None and user.active:
        enqueue(send_link, str(user.id), next_path)


def send_link(portal_user_id: str, next_path: str | None = None) -> None:
    """Job: mint the link here, so no link exists that was never sent, and mail it in the person's language."""
    from saas.mail import send_templated
    from saas.web.urls import external_url

    user = db.session.get(PortalUser, uuid.UUID(portal_user_id))
    if user is None or not user.active:
        return
    token, token_hash = new_token()
    db.session.add(
        PortalLink(portal_user_id=user.id, token_hash=token_hash, expires_at=utcnow() + timedelta(minutes=LINK_MINUTES))
    )
    db.session.flush()
    tenant = db.session.get(Tenant, user.tenant_id)
    link = external_url("portal.confirm", slug=tenant.slug, token=token, next=next_path)
    send_templated(user.email, "portal_link", user.locale, tenant=tenant, user=user, link=link, minutes=LINK_MINUTES)


def open_session(user: PortalUser, ip: str | None, locale: str | None = None) -> str:
    """The one way a portal session begins, whether by link or by password; returns the raw token. A language
    the person chose before signing in (`locale`) becomes their own."""
    if locale in LOCALES:
        user.locale = locale
    token, token_hash = new_token()
    db.session.add(
        PortalSession(
            portal_user_id=user.id, token_hash=token_hash, expires_at=utcnow() + timedelta(days=SESSION_DAYS), ip=ip
        )
    )
    user.last_login_at = utcnow()
    return token


def sign_in(link: PortalLink, ip: str | None, locale: str | None = None) -> str:
    """Use the link up and open a session; returns the session's raw token (for the cookie)."""
    link.used_at = utcnow()
    return open_session(link.portal_user, ip, locale)


def password_sign_in(email: str, password: str, ip: str | None, locale: str | None = None) -> str | None:
    """A session's raw token, or None whatever went wrong: the caller must not learn which part was wrong."""
    user = db.session.scalar(
        select(PortalUser).where(PortalUser.email == email.strip().lower(), PortalUser.active.is_(True))
    )
    # Hash even when nobody (or nobody with a password) matches, so timing does not tell which addresses exist.
    matches = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not matches:
        return None
    return open_session(user, ip, locale)


def set_password(user: PortalUser, password: str, confirm: str, keep_token: str | None = None) -> None:
    """Set or change the password; the person's other sessions end (keep_token: the session to keep)."""
    problems = password_problems(password, user.email, user.name)
    if not problems and password != confirm:
        problems = [_("The two passwords do not match.")]
    if problems:
        raise ValidationFailed({"password": problems})
    user.password_hash = hash_password(password)
    _end_other_sessions(user, keep_token)


def remove_password(user: PortalUser, keep_token: str | None = None) -> None:
    """Back to e-mail links only; sessions opened with the old password elsewhere end too."""
    user.password_hash = None
    _end_other_sessions(user, keep_token)


def set_locale(user: PortalUser, locale: str) -> None:
    """The person's language: the portal's pages and every e-mail they get from then on."""
    if locale not in LOCALES:
        raise ValidationFailed({"locale": [_("Choose 简体中文 or English.")]})
    user.locale = locale


def _end_other_sessions(user: PortalUser, keep_token: str | None) -> None:
    statement = delete(PortalSession).where(PortalSession.portal_user_id == user.id)
    if keep_token:
        statement = statement.where(PortalSession.token_hash != hash_token(keep_token))
    db.session.execute(statement)


def sign_out(token: str | None) -> None:
    if token:
        db.session.execute(delete(PortalSession).where(PortalSession.token_hash == hash_token(token)))
