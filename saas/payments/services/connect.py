"""A studio connects its own Stripe account (a Standard account, onboarded on Stripe's pages through an
account link): the owner alone may, and the money for the studio's invoices goes there (direct charges)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from saas.db import utcnow
from saas.errors import NotAllowed, ValidationFailed
from saas.extensions import db
from saas.payments import gateway
from saas.payments.models import StripeAccount
from saas.tenants import audit
from saas.tenants.models import Membership, Role, User


def account_of() -> StripeAccount | None:
    """The current studio's connected account (the studio scope and RLS find it)."""
    return db.session.scalar(select(StripeAccount))


def takes_payments() -> bool:
    """Online payment is offered when Stripe is configured and the studio's account can take charges."""
    if not gateway.enabled():
        return False
    account = account_of()
    return account is not None and account.charges_enabled


def onboarding_link(membership: Membership, return_url: str, refresh_url: str) -> str:
    """Create the studio's account once (the idempotency key is the studio's id), then a fresh onboarding link."""
    if membership.role != Role.OWNER:
        raise NotAllowed()
    if not gateway.enabled():
        raise ValidationFailed({"stripe": [_("Online payments are not set up on this Atelier installation.")]})
    account = account_of()
    if account is None:
        owner = db.session.get(User, membership.user_id)
        params = {"type": "standard", "email": owner.email, "metadata": {"atelier_tenant": str(membership.tenant_id)}}
        options = {"idempotency_key": f"account-{membership.tenant_id}"}
        created = gateway.client().v1.accounts.create(params=params, options=options)
        account = StripeAccount(account_id=created.id, tenant_id=membership.tenant_id, connected_by_id=owner.id)
        db.session.add(account)
        db.session.flush()
        audit.record("stripe.account_created", None, actor_id=owner.id, account=created.id)
    link = gateway.client().v1.account_links.create(
        params={
            "account": account.account_id,
            "type": "account_onboarding",
            "return_url": return_url,
            "refresh_url": refresh_url,
        }
    )
    return link.url


def refresh(account: StripeAccount, stripe_account: object | None = None) -> None:
    """Copy what Stripe says the account can do (re-read unless given, as in account.updated)."""
    found = stripe_account or gateway.client().v1.accounts.retrieve(account.account_id)
    before = {"charges_enabled": bool(account.charges_enabled), "details_submitted": bool(account.details_submitted)}
    account.charges_enabled = bool(gateway.field(found, "charges_enabled"))
    account.details_submitted = bool(gateway.field(found, "details_submitted"))
    account.updated_at = utcnow()
    after = {"charges_enabled": account.charges_enabled, "details_submitted": account.details_submitted}
    if changes := [{"what": k, "old": before[k], "new": after[k]} for k in before if before[k] != after[k]]:
        audit.record("stripe.account_updated", None, changes=changes, account=account.account_id)
