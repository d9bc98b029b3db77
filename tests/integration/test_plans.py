"""Studio plans: limits enforced on what a studio adds (seats, storage, portal users) and shown with usage; the
owner subscribes through Stripe Checkout (subscription mode) and manages it in Stripe's customer portal; the plan
follows the subscription webhooks (active, past_due with a grace period, canceled), and nothing is ever deleted
when a plan ends. Stripe is the test stand-in over HTTP (customers pass through to localstripe)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from saas.db import utcnow
from saas.extensions import db
from saas.files.models import StoredFile
from saas.isolation import set_tenant
from saas.plans.models import StudioSubscription
from saas.tenants.models import Tenant
from tests.conftest import Browser, add_member, query
from tests.integration.test_payments import HTTP
from tests.stripe_standin import event, sign

PRICES = {"STRIPE_PRICE_STUDIO": "price_studio_monthly", "STRIPE_PRICE_AGENCY": "price_agency_monthly"}


class Studio:
    def __init__(self, make_app, settings, standin, studio) -> None:
        self.app = make_app(**settings, **PRICES)
        self.app.test_client_class = Browser
        self.standin, self.studio = standin, studio
        self.owner = self.app.test_client()
        self.owner.login(studio.owner_email)

    def end_trial(self) -> None:
        with self.app.app_context():
            db.session.execute(
                update(Tenant)
                .where(Tenant.id == self.studio.tenant_id)
                .values(created_at=utcnow() - timedelta(days=40))
            )
            db.session.commit()

    def invite(self, email: str):
        return self.owner.submit("/app/settings/members/invite", {"email": email, "role": "member"})

    def subscribe(self, plan: str = "studio") -> str:
        started = self.owner.submit("/app/settings/plan/subscribe", {"plan": plan})
        assert started.status_code == 303, started.get_data(as_text=True)[:800]
        paid = HTTP.request("POST", started.headers["Location"], redirect=False)
        assert paid.status == 303 and paid.headers["Location"].endswith("/app/settings/plan?subscribed=1")
        self.deliver_all()
        return self.subscription().subscription_id

    def post_event(self, body: dict):
        payload = json.dumps(body).encode()
        headers = {"Stripe-Signature": sign(payload, self.standin.secret), "Content-Type": "application/json"}
        return self.app.test_client().post("/webhooks/stripe", data=payload, headers=headers)

    def deliver_all(self) -> None:
        while self.standin.events:
            assert self.post_event(self.standin.events.pop(0)).status_code == 200

    def subscription(self) -> StudioSubscription:
        return query(self.app, self.studio.tenant_id, select(StudioSubscription))[0]

    def plan_page(self) -> str:
        return self.owner.get("/app/settings/plan").get_data(as_text=True)


@pytest.fixture
def shop(make_app, stripe_settings, stripe_standin, studio):
    return Studio(make_app, stripe_settings, stripe_standin, studio)


def test_a_new_studio_is_on_a_studio_trial_with_its_usage_shown(shop):
    page = shop.plan_page()
    assert "Studio plan" in page and "Trial of the Studio plan until" in page
    assert "1 of 10 people" in page and "0 of 200 client contacts" in page


def test_after_the_trial_the_free_limits_stop_additions_and_delete_nothing(shop, studio):
    add_member(shop.app, studio, "wang@aurora.test", "member")
    shop.end_trial()
    assert "Free plan" in shop.plan_page() and "2 of 2 people" in shop.plan_page()
    refused = shop.invite("third@aurora.test")
    assert refused.status_code == 422 and "room for 2 people" in refused.get_data(as_text=True)

    with shop.app.app_context():  # a studio already storing a gigabyte of files
        set_tenant(db.session(), studio.tenant_id)
        db.session.add(
            StoredFile(
                key=f"tenants/{studio.tenant_id}/files/{uuid.uuid4()}/big.zip",
                name="big.zip",
                declared_type="application/zip",
                content_type="application/zip",
                size_bytes=1024**3,
                status="ready",
                purpose="delivery",
                previews={},
            )
        )
        db.session.commit()
    body = {"name": "more.png", "size": 1000, "content_type": "image/png", "purpose": "attachment"}
    upload = shop.owner.post("/app/files", json=body, headers={"X-CSRFToken": shop.owner.csrf_token()})
    assert upload.status_code == 422 and "up to 1 GB" in str(upload.get_json())
    assert len(query(shop.app, studio.tenant_id, select(StoredFile))) == 1  # nothing deleted


def test_subscribing_lifts_the_limits_and_the_plan_follows_the_subscription(shop, studio):
    add_member(shop.app, studio, "wang@aurora.test", "member")
    shop.end_trial()
    sub_id = shop.subscribe("studio")
    sub = shop.subscription()
    assert (sub.plan, sub.status) == ("studio", "active") and sub.customer_id.startswith("cus_")
    assert "Subscribed. Renews on" in shop.plan_page()
    assert shop.invite("third@aurora.test").status_code == 302

    shop.standin.set_subscription(sub_id, "past_due")  # a renewal failed: the plan stays for the grace period
    shop.deliver_all()
    assert "Your last payment failed" in shop.plan_page()
    assert shop.invite("fourth@aurora.test").status_code == 302
    with shop.app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(StudioSubscription).values(past_due_since=utcnow() - timedelta(days=8)))
        db.session.commit()
    assert "grace period has ended" in shop.plan_page()
    assert shop.invite("fifth@aurora.test").status_code == 422  # back on Free, over its limit: no more

    shop.standin.set_subscription(sub_id, "active")  # Stripe's retry succeeded
    shop.deliver_all()
    assert shop.invite("fifth@aurora.test").status_code == 302
    shop.standin.set_subscription(sub_id, "canceled")
    shop.deliver_all()
    assert shop.subscription().status == "canceled" and "Free plan" in shop.plan_page()
    assert "5 of 2 people" in shop.plan_page()  # nobody was removed


def test_the_same_subscription_event_in_any_order_ends_the_same(shop):
    sub_id = shop.subscribe("agency")
    shop.standin.set_subscription(sub_id, "past_due")
    shop.standin.set_subscription(sub_id, "active")
    events = list(shop.standin.events)
    shop.standin.events.clear()
    for body in reversed(events):  # "active" arrives before the older "past_due"
        assert shop.post_event(body).status_code == 200
    sub = shop.subscription()
    assert (sub.plan, sub.status) == ("agency", "active")  # every handler re-read Stripe's current state


def test_the_customer_portal_and_only_the_owner(shop, studio):
    shop.subscribe()
    managed = shop.owner.submit("/app/settings/plan/manage", {})
    assert managed.status_code == 303 and managed.headers["Location"].startswith(f"{shop.standin.base}/billing/cus_")
    add_member(shop.app, studio, "admin@aurora.test", "admin")
    admin = shop.app.test_client()
    admin.login("admin@aurora.test")
    assert admin.submit("/app/settings/plan/subscribe", {"plan": "agency"}).status_code == 403
    assert admin.submit("/app/settings/plan/manage", {}).status_code == 403
    assert "The studio owner chooses the plan." in admin.get("/app/settings/plan").get_data(as_text=True)


def test_a_subscription_event_cannot_change_another_studios_plan(shop, other_studio):
    shop.subscribe()
    ours = shop.subscription()
    forged = dict(shop.standin.subscriptions[ours.subscription_id])
    forged["metadata"] = {"atelier_tenant": str(other_studio.tenant_id)}
    forged["status"] = "canceled"
    assert shop.post_event(event("customer.subscription.deleted", forged, None)).status_code == 200
    assert query(shop.app, other_studio.tenant_id, select(StudioSubscription)) == []
    assert shop.subscription().status == "active"
