"""Signing in and out, server-side sessions, password change and reset. No Flask request objects here."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.jobs import enqueue
from saas.tenants import audit
from saas.tenants.models import AuthSession, PasswordReset, User
from saas.tenants.passwords import hash_password, password_problems, verify_password
from saas.tokens import hash_token, new_token

FREE_ATTEMPTS = 5
MAX_LOCK = timedelta(hours=1)
RESET_VALID_FOR = timedelta(hours=1)
TOUCH_EVERY = timedelta(minutes=5)


class LoginRefused(Exception):
    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.locked_until = locked_until


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _minutes_left(until: datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds() / 60))


def _lock_message(until: datetime) -> str:
    return _("Too many failed attempts. Try again in %(n)d minute(s), or reset your password.", n=_minutes_left(until))


def authenticate(email: str, password: str) -> User:
    """The user whose password this is, or LoginRefused. Repeated failures lock the account for longer."""
    user = find_user(email)
    if user is not None and user.locked_until and user.locked_until > utcnow():
        raise LoginRefused(_lock_message(user.locked_until), user.locked_until)
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            _register_failure(user)
            if user.locked_until:
                raise LoginRefused(_lock_message(user.locked_until), user.locked_until)
        raise LoginRefused(_("That e-mail and password do not match."))
    user.failed_logins = 0
    user.locked_until = None
    return user


def _register_failure(user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= FREE_ATTEMPTS:
        lock = min(timedelta(minutes=2 ** (user.failed_logins - FREE_ATTEMPTS)), MAX_LOCK)
        user.locked_until = utcnow() + lock
    if user.last_tenant_id:
        # Owners see attacks on their staff in the studio the person last worked in.
        from saas.isolation import tenant_context

        with tenant_context(db.session(), user.last_tenant_id):
            audit.record("login.failed", user, actor_id=user.id, attempts=user.failed_logins)
            db.session.flush()


def start_session(user: User, ip: str | None, user_agent: str | None) -> str:
    days = current_app.extensions["atelier.settings"].session_days
    token, token_hash = new_token()
    db.session.add(
        AuthSession(
            user_id=user.id,
            token_hash=token_hash,
            ip=ip,
            user_agent=(user_agent or "")[:300],
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    user.session_token = token
    return token


def load_session(token: str) -> User | None:
    """The user behind a session cookie, if that session is still alive."""
    auth = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    now = utcnow()
    if auth is None or auth.revoked_at is not None or auth.expires_at <= now:
        return None
    if now - auth.last_seen_at > TOUCH_EVERY:
        auth.last_seen_at = now
    auth.user.session_token = token
    return auth.user


def end_session(token: str) -> None:
    db.session.execute(
        update(AuthSession).where(AuthSession.token_hash == hash_token(token)).values(revoked_at=utcnow())
    )


def end_all_sessions(user: User, keep_token: str | None = None) -> None:
    query = update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
    if keep_token:
        query = query.where(AuthSession.token_hash != hash_token(keep_token))
    db.session.execute(query.values(revoked_at=utcnow()))


def update_account(user: User, name: str, locale: str) -> None:
    """The person's own name and language; the language applies from their next page on."""
    user.name, user.locale = name.strip(), locale


def _set_password(user: User, password: str) -> None:
    problems = password_problems(password, user.email, user.name)
    if problems:
        raise ValidationFailed({"password": problems})
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None


def change_password(user: User, current: str, new: str) -> None:
    """Every other session of this person ends; the current one is replaced by a fresh one."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed({"current_password": [_("Your current password is not correct.")]})
    _set_password(user, new)
    end_all_sessions(user)
    audit.record("password.changed", user)


def request_password_reset(email: str) -> None:
    """Always looks the same to the caller, whether or not the e-mail has an account."""
    user = find_user(email)
    if user is not None:
        enqueue(send_password_reset, user.id)


def send_password_reset(user_id: str) -> None:
    """Job: mint a single-use link and mail it; the token exists only in that e-mail."""
    from saas.mail import send_templated
    from saas.web.urls import external_url

    user = db.session.get(User, uuid.UUID(user_id))
    if user is None:
        return
    token, token_hash = new_token()
    db.session.add(PasswordReset(user_id=user.id, token_hash=token_hash, expires_at=utcnow() + RESET_VALID_FOR))
    db.session.flush()
    send_templated(
        user.email,
        "password_reset",
        user.locale or "zh_CN",
        user=user,
        link=external_url("staff_auth.reset_password", token=token),
    )


def find_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(token: str, new_password: str) -> User:
    reset = find_reset(token)
    if reset is None:
        raise ValidationFailed({"token": [_("This link has expired or was already used. Ask for a new one.")]})
    user = db.session.get(User, reset.user_id)
    _set_password(user, new_password)
    reset.used_at = utcnow()
    end_all_sessions(user)
    return user
