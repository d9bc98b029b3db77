"""Signing in and out, server-side sessions, password change and reset. No Flask request objects here."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.jobs import enqueue
from saas.tenants import audit
from saas.tenants.models import AuthSession, PasswordReset, SignInThrottle, User
from saas.tenants.passwords import hash_password, password_problems, verify_password
from saas.tokens import hash_token, new_token

SOURCE_ATTEMPTS = 5  # wrong passwords from one source before it waits (doubling from two minutes)
ACCOUNT_ATTEMPTS = 20  # from anywhere, before browsers the person never signed in with wait as well
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


@dataclass(frozen=True)
class Attempt:
    """Where a sign-in comes from: the address, and the browser if it carries a sign-in cookie of this site
    (`known_for`: the user it signed in before, `device`: its id) — the surface reads both from the request."""

    ip: str
    known_for: uuid.UUID | None = None
    device: str | None = None

    def source(self, user: User) -> str:
        return f"device:{self.device}" if self.known(user) else f"ip:{self.ip}"

    def known(self, user: User) -> bool:
        return self.device is not None and self.known_for == user.id


def authenticate(email: str, password: str, attempt: Attempt) -> User:
    """The user whose password this is, or LoginRefused.

    Brute force is slowed down without letting a stranger lock the person out (OWASP's authentication
    guidance): wrong passwords are counted per account *and source*, and only that source waits (doubling from
    two minutes, at most an hour). A browser the person signed in with before is its own source, so guesses
    from anywhere else never keep them out of it. Many failures from many places (ACCOUNT_ATTEMPTS) make every
    *unknown* browser wait too; the person's own browser and the password reset e-mail still work."""
    user = find_user(email)
    if user is not None and (until := _locked_until(user, attempt)) is not None:
        raise LoginRefused(_lock_message(until), until)
    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            _register_failure(user, attempt)
            if (until := _locked_until(user, attempt)) is not None:
                raise LoginRefused(_lock_message(until), until)
        raise LoginRefused(_("That e-mail and password do not match."))
    _forgive(user, attempt)
    return user


def _throttle(user: User, source: str) -> SignInThrottle | None:
    query = select(SignInThrottle).where(SignInThrottle.user_id == user.id, SignInThrottle.source == source)
    return db.session.scalar(query)


def _locked_until(user: User, attempt: Attempt) -> datetime | None:
    now = utcnow()
    throttle = _throttle(user, attempt.source(user))
    locks = [throttle.locked_until if throttle is not None else None]
    if not attempt.known(user):
        locks.append(user.locked_until)
    future = [lock for lock in locks if lock is not None and lock > now]
    return max(future) if future else None


def _doubling(failures: int, free: int) -> timedelta | None:
    return min(timedelta(minutes=2 ** (failures - free)), MAX_LOCK) if failures >= free else None


def _register_failure(user: User, attempt: Attempt) -> None:
    throttle = _throttle(user, attempt.source(user)) or _new_throttle(user, attempt.source(user))
    throttle.failures += 1
    throttle.last_failure_at = utcnow()
    if lock := _doubling(throttle.failures, SOURCE_ATTEMPTS):
        throttle.locked_until = utcnow() + lock
    user.failed_logins += 1
    if lock := _doubling(user.failed_logins, ACCOUNT_ATTEMPTS):
        user.locked_until = utcnow() + lock
    if user.last_tenant_id:
        # Owners see attacks on their staff in the studio the person last worked in.
        from saas.isolation import tenant_context

        with tenant_context(db.session(), user.last_tenant_id):
            audit.record("login.failed", user, actor_id=user.id, attempts=throttle.failures, source=attempt.ip)
            db.session.flush()


def _new_throttle(user: User, source: str) -> SignInThrottle:
    """The source's first failure; two at once from the same source find the row the other made."""
    try:
        with db.session.begin_nested():
            throttle = SignInThrottle(user_id=user.id, source=source, failures=0)
            db.session.add(throttle)
        return throttle
    except IntegrityError:
        return _throttle(user, source)


def _forgive(user: User, attempt: Attempt) -> None:
    """The right password: this source starts afresh, and so does the account."""
    db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.user_id == user.id, SignInThrottle.source == attempt.source(user))
    )
    user.failed_logins = 0
    user.locked_until = None


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
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.user_id == user.id))  # a new password: no waits


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
