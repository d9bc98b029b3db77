"""A studio pays Atelier for its plan: the owner subscribes through Stripe Checkout (subscription mode, on the
platform's own Stripe account) and manages the card and cancellation in Stripe's customer portal. The plan
follows the subscription webhooks; each handler re-reads the subscription from Stripe, so order never matters."""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from saas.db import utcnow
from saas.errors import NotAllowed, ValidationFailed
from saas.extensions import db
from saas.payments import gateway
from saas.payments.models import StripeEvent
from saas.plans.catalog import PLANS
from saas.plans.models import StudioSubscription
from saas.tenants import audit
from saas.tenants.models import Membership, Role, Tenant, User


def subscription_of() -> StudioSubscription | None:
    """The current studio's subscription record (the studio scope and RLS find it)."""
    return db.session.scalar(select(StudioSubscription))


def _owner_only(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        raise NotAllowed()
    if not gateway.enabled():
        raise ValidationFailed({"plan": [_("Online payments are not set up on this Atelier installation.")]})


def _customer(membership: Membership) -> StudioSubscription:
    """The studio as a Stripe customer of Atelier, made once (its idempotency key is the studio's id)."""
    found = subscription_of()
    if found is not None:
        return found
    tenant = db.session.get(Tenant, membership.tenant_id)
    owner = db.session.get(User, membership.user_id)
    customer = gateway.client().v1.customers.create(
        params={"email": owner.email, "name": tenant.name, "metadata": {"atelier_tenant": str(tenant.id)}},
        options={"idempotency_key": f"customer-{tenant.id}"},
    )
    found = StudioSubscription(customer_id=customer.id)
    db.session.add(found)
    db.session.flush()
    return found


def upgrade_url(membership: Membership, plan_key: str, success_url: str, cancel_url: str) -> str:
    _owner_only(membership)
    plan = PLANS.get(plan_key)
    price = gateway.settings().stripe_prices.get(plan_key) if plan else None
    if plan is None or not plan.paid or price is None:
        raise ValidationFailed({"plan": [_("Choose one of the plans on offer.")]})
    sub = _customer(membership)
    if sub.subscription_id and sub.status not in ("canceled", "incomplete_expired"):
        return portal_url(membership, cancel_url)  # a change of plan is made in Stripe's portal
    metadata = {"atelier_tenant": str(membership.tenant_id), "atelier_plan": plan_key}
    session = gateway.client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": sub.customer_id,
            "line_items": [{"price": price, "quantity": 1}],
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "client_reference_id": str(membership.tenant_id),
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
        options={"idempotency_key": f"upgrade-{membership.tenant_id}-{uuid.uuid4()}"},
    )
    audit.record("plan.checkout_started", sub, actor_id=membership.user_id, plan=plan_key)
    return session.url


def portal_url(membership: Membership, return_url: str) -> str:
    _owner_only(membership)
    sub = subscription_of()
    if sub is None:
        raise ValidationFailed({"plan": [_("Subscribe to a plan first.")]})
    session = gateway.client().v1.billing_portal.sessions.create(
        params={"customer": sub.customer_id, "return_url": return_url}
    )
    return session.url


def _plan_of_price(price_id: str | None) -> str | None:
    return next((plan for plan, price in gateway.settings().stripe_prices.items() if price == price_id), None)


def sync(obj: Any) -> None:
    """Copy the subscription as Stripe has it now onto the studio's record (the current studio is set)."""
    sub = db.session.scalar(select(StudioSubscription))
    if sub is None or gateway.field(obj, "customer") != sub.customer_id:
        return
    before = {"plan": sub.plan, "subscription_status": sub.status}
    items = gateway.field(obj, "items", "data", default=[]) or []
    price = gateway.field(items[0], "price", "id") if items else None
    status = gateway.field(obj, "status")
    if status == "past_due" and sub.status != "past_due":
        sub.past_due_since = utcnow()
    elif status != "past_due":
        sub.past_due_since = None
    sub.subscription_id, sub.status = gateway.field(obj, "id"), status
    sub.plan = _plan_of_price(price) or sub.plan
    period_end = gateway.field(obj, "current_period_end")
    if period_end:
        from datetime import UTC, datetime

        sub.current_period_end = datetime.fromtimestamp(int(period_end), UTC)
    sub.updated_at = utcnow()
    after = {"plan": sub.plan, "subscription_status": sub.status}
    if changes := [{"what": k, "old": before[k], "new": after[k]} for k in before if before[k] != after[k]]:
        audit.record("plan.changed", sub, changes=changes, subscription=sub.subscription_id)


def sync_by_id(subscription_id: str | None) -> None:
    if subscription_id:
        sync(gateway.client().v1.subscriptions.retrieve(subscription_id))


def subscription_changed(event: StripeEvent, obj: dict[str, Any]) -> None:
    sync_by_id(obj.get("id"))  # re-read: the event may be older than what Stripe has now


def checkout_completed(_event: StripeEvent, session: dict[str, Any]) -> None:
    """A studio finished Stripe Checkout for a plan (a checkout in payment mode is a client paying: not ours)."""
    if session.get("mode") == "subscription":
        sync_by_id(session.get("subscription"))


def customer_id() -> str | None:
    """The current studio's customer id on the platform's Stripe account, if it became one."""
    found = subscription_of()
    return found.customer_id if found is not None else None
