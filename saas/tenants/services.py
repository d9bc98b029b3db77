"""Studio rules: sign-up, invitations, roles, deactivation, the studio profile. Services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from saas.db import utcnow
from saas.errors import Conflict, NotAllowed, ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.files.images import ImageRejected, check_image
from saas.files.storage import Storage, tenant_key
from saas.isolation import set_tenant
from saas.jobs import enqueue
from saas.quotas import Quota, require_room
from saas.tenants import audit
from saas.tenants.accounts import find_user, normalise_email
from saas.tenants.models import Invitation, Membership, Tenant, User
from saas.tenants.passwords import hash_password, password_problems, verify_password
from saas.tenants.roles import Perm, Role, grantable_roles, has_perm
from saas.tokens import hash_token, new_token

INVITATION_VALID_FOR = timedelta(days=7)


def slug_taken(slug: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(Tenant).where(Tenant.slug == slug)) > 0


def create_studio(
    studio_name: str, slug: str, name: str, email: str, password: str, locale: str = "zh_CN"
) -> Membership:
    """A new studio with its owner, who becomes a new user. The session's studio is set to the new one.
    Both start in the language the sign-up page was shown in."""
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if slug_taken(slug):
        errors["slug"] = [_("This address is already taken; choose another.")]
    if find_user(email) is not None:
        errors["email"] = [
            _("This e-mail already has an Atelier account. Log in with it, or sign up with another e-mail.")
        ]
    if problems := password_problems(password, email, name):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    try:
        with db.session.begin_nested():
            user = User(email=email, name=name.strip(), password_hash=hash_password(password), locale=locale)
            db.session.add(user)
            db.session.flush()
            membership = add_studio_for(user, studio_name, slug, locale)
    except IntegrityError as exc:  # another sign-up took the slug or e-mail between our check and our insert
        field = "slug" if slug_taken(slug) else "email"
        raise ValidationFailed(
            {
                field: [
                    _("This address is already taken; choose another.")
                    if field == "slug"
                    else _(
                        "This e-mail already has an Atelier account. Log in with it, or sign up with another e-mail."
                    )
                ]
            }
        ) from exc
    return membership


def add_studio_for(user: User, studio_name: str, slug: str, locale: str = "zh_CN") -> Membership:
    tenant = Tenant(name=studio_name.strip(), slug=slug, locale=locale)
    db.session.add(tenant)
    db.session.flush()
    set_tenant(db.session(), tenant.id)
    membership = Membership(user=user, tenant=tenant, role=Role.OWNER)
    db.session.add(membership)
    user.last_tenant_id = tenant.id
    audit.record("studio.created", tenant, actor_id=user.id, slug=slug, studio_name=tenant.name)
    db.session.flush()
    emit("studio.created", subject=tenant, actor_id=user.id)  # other domains set up their defaults (the pipeline)
    return membership


def invite(inviter: Membership, email: str, role: str) -> Invitation:
    email = normalise_email(email)
    if not has_perm(inviter.role, Perm.MEMBERS_INVITE) or Role(role) not in grantable_roles(inviter.role):
        raise NotAllowed()
    existing = db.session.scalar(select(Membership).join(Membership.user).where(User.email == email))
    if existing is not None:
        raise ValidationFailed({"email": [_("%(email)s is already a member of this studio.", email=email)]})
    pending_ones = [p for p in db.session.scalars(select(Invitation).where(Invitation.email == email)) if p.is_pending]
    if not pending_ones:  # re-inviting the same person takes no new seat
        require_room(Quota.SEATS)
    for pending in pending_ones:
        pending.revoked_at = utcnow()
    # Unusable until the mail job mints the real token, so no link exists that was never sent.
    invitation = Invitation(
        email=email,
        role=role,
        invited_by_id=inviter.user_id,
        token_hash=hash_token(uuid.uuid4().hex),
        expires_at=utcnow() + INVITATION_VALID_FOR,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("member.invited", invitation, email=email, role=role)
    enqueue(send_invitation, invitation.id)
    return invitation


def resend_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationFailed({"_schema": [_("This invitation is no longer open.")]})
    invitation.expires_at = utcnow() + INVITATION_VALID_FOR
    audit.record("member.invitation_resent", invitation, email=invitation.email)
    enqueue(send_invitation, invitation.id)


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.record("member.invitation_revoked", invitation, email=invitation.email)


def send_invitation(invitation_id: str) -> None:
    """Job: mint the invitation's link (a resend makes the older link stop working) and mail it."""
    from saas.mail import send_templated
    from saas.web.urls import external_url

    invitation = db.session.get(Invitation, uuid.UUID(invitation_id))
    if invitation is None or not invitation.is_pending:
        return
    tenant = db.session.get(Tenant, invitation.tenant_id)
    token, invitation.token_hash = new_token()
    db.session.flush()
    existing = find_user(invitation.email)
    send_templated(
        invitation.email,
        "invitation",
        (existing and existing.locale) or tenant.locale,
        tenant=tenant,
        invitation=invitation,
        inviter=invitation.invited_by,
        link=external_url("staff_auth.join", slug=tenant.slug, token=token),
    )


def open_invitation(token: str, lock: bool = False) -> Invitation | None:
    """The pending invitation of the current studio behind `token`, if it is still usable. `lock` holds the row
    until commit, so two submits of the same link cannot both accept it."""
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    invitation = db.session.scalar(query.with_for_update(of=Invitation) if lock else query)
    return invitation if invitation is not None and invitation.is_pending else None


def accept_invitation(token: str, name: str | None, password: str) -> Membership:
    """A new person sets their name and password; an existing one proves it with their password."""
    invitation = open_invitation(token, lock=True)
    if invitation is None:
        raise ValidationFailed({"_schema": [_("This invitation has expired or was already used.")]})
    user = find_user(invitation.email)
    if user is None:
        user = _new_invited_user(invitation.email, name, password)
    elif not verify_password(user.password_hash, password):
        raise ValidationFailed({"password": [_("That is not the password of your Atelier account.")]})
    membership = Membership(user=user, tenant_id=invitation.tenant_id, role=invitation.role)
    db.session.add(membership)
    db.session.flush()
    invitation.accepted_at = utcnow()
    user.last_tenant_id = invitation.tenant_id
    audit.record("member.joined", membership, actor_id=user.id, email=user.email, role=invitation.role)
    db.session.flush()
    return membership


def _new_invited_user(email: str, name: str | None, password: str) -> User:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("This field is required.")]
    if problems := password_problems(password, email, name or ""):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    return user


def _check_version(record: Any, version: int) -> None:
    if record.version != version:
        raise Conflict()


def _owners_left(excluding: Membership) -> int:
    query = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.role == Role.OWNER, Membership.active.is_(True), Membership.id != excluding.id)
    )
    return db.session.scalar(query)


def _check_can_manage(actor: Membership, target: Membership) -> None:
    if not has_perm(actor.role, Perm.MEMBERS_MANAGE) or actor.id == target.id:
        raise NotAllowed()
    if target.role == Role.OWNER and not has_perm(actor.role, Perm.OWNERSHIP):
        raise NotAllowed()


def change_role(actor: Membership, target: Membership, role: str, version: int) -> None:
    _check_version(target, version)
    _check_can_manage(actor, target)
    if Role(role) == Role.OWNER and not has_perm(actor.role, Perm.OWNERSHIP):
        raise NotAllowed()
    if target.role == Role.OWNER and role != Role.OWNER and _owners_left(target) == 0:
        raise ValidationFailed({"role": [_("A studio needs at least one owner.")]})
    if target.role != role:
        audit.record("member.role_changed", target, email=target.user.email, old=target.role, new=role)
        target.role = role


def set_member_active(actor: Membership, target: Membership, active: bool, version: int) -> None:
    """Deactivating ends the person's access to this studio at once: every request re-checks membership."""
    _check_version(target, version)
    _check_can_manage(actor, target)
    if not active and target.role == Role.OWNER and _owners_left(target) == 0:
        raise ValidationFailed({"_schema": [_("A studio needs at least one active owner.")]})
    if target.active != active:
        target.active = active
        audit.record("member.reactivated" if active else "member.deactivated", target, email=target.user.email)


def update_profile(tenant: Tenant, data: dict[str, Any]) -> None:
    _check_version(tenant, data.pop("version"))
    changed = {k: v for k, v in data.items() if getattr(tenant, k) != v}
    for key, value in changed.items():
        setattr(tenant, key, value)
    if changed:
        audit.record("studio.settings_changed", tenant, fields=sorted(changed))


def set_logo(tenant: Tenant, storage: Storage, data: bytes, filename: str, max_bytes: int) -> None:
    try:
        image = check_image(data, filename, max_bytes)
    except ImageRejected as exc:
        raise ValidationFailed({"logo": [str(exc)]}) from exc
    old_key = tenant.logo_key
    key = tenant_key(tenant.id, "branding", f"logo-{uuid.uuid4().hex[:12]}.{image.extension}")
    storage.put(key, image.data, image.content_type)
    tenant.logo_key = key
    audit.record("studio.logo_changed", tenant, width=image.width, height=image.height)
    if old_key:
        storage.delete(old_key)
