"""Money across studios: a webhook from one studio's Stripe account that names another studio's invoice changes
nothing anywhere; a studio's Checkout Sessions are made on its own account only; another studio's staff cannot
refund or see a payment (404)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.payments.models import StripeEvent
from tests.conftest import Browser, query
from tests.integration.test_payments import HTTP, Shop
from tests.stripe_standin import event


def _intent(shop: Shop, metadata: dict) -> dict:
    """A real succeeded PaymentIntent in localstripe carrying the given metadata."""
    form = {"amount": 1_280_000, "currency": "cny", "payment_method": "pm_card_visa", "confirm": "true"}
    form.update({f"metadata[{k}]": v for k, v in metadata.items()})
    answer = HTTP.request(
        "POST",
        f"{shop.standin.upstream}/v1/payment_intents",
        body=urlencode(form),
        headers={"Authorization": "Bearer sk_test_x", "Content-Type": "application/x-www-form-urlencoded"},
    )
    return json.loads(answer.data)


def _two_shops(make_app, stripe_settings, stripe_standin, studio, other_studio, outbox):
    ours = Shop(make_app, stripe_settings, stripe_standin, studio, outbox)
    theirs = Shop(make_app, stripe_settings, stripe_standin, other_studio, outbox, amount="500")
    return ours, theirs


def test_a_webhook_naming_another_studios_invoice_changes_nothing(
    make_app, stripe_settings, stripe_standin, studio, other_studio, outbox
):
    ours, theirs = _two_shops(make_app, stripe_settings, stripe_standin, studio, other_studio, outbox)
    # From our account, an intent claiming to be theirs (their studio, their invoice)...
    forged = _intent(ours, {"atelier_tenant": str(other_studio.tenant_id), "atelier_invoice": theirs.invoice_id})
    assert ours.post_event(event("payment_intent.succeeded", forged, ours.account)).status_code == 200
    # ...and one naming our studio but their invoice id.
    mixed = _intent(ours, {"atelier_tenant": str(studio.tenant_id), "atelier_invoice": theirs.invoice_id})
    assert ours.post_event(event("payment_intent.succeeded", mixed, ours.account)).status_code == 200
    for shop in (ours, theirs):
        assert shop.rows(Payment) == [] and shop.invoice().status == "sent"
    with ours.app.app_context():
        from saas.extensions import db

        handled = db.session.scalars(select(StripeEvent).where(StripeEvent.type == "payment_intent.succeeded")).all()
        assert [e.processed_at is not None for e in handled] == [True, True]
        assert any(e.error for e in handled)  # the forged one was refused for its account


def test_each_studios_checkout_is_made_on_its_own_account(
    make_app, stripe_settings, stripe_standin, studio, other_studio, outbox
):
    ours, theirs = _two_shops(make_app, stripe_settings, stripe_standin, studio, other_studio, outbox)
    assert ours.account != theirs.account
    ours.pay()
    theirs_before = len(stripe_standin.requests)
    started = theirs.reviewer.submit(f"/portal/{other_studio.slug}/invoices/{theirs.invoice_id}/pay", {})
    assert started.status_code == 303
    sessions = [r for r in stripe_standin.requests[theirs_before:] if r["path"] == "/v1/checkout/sessions"]
    assert [s["account"] for s in sessions] == [theirs.account]
    ours.deliver_all()
    assert theirs.rows(Payment) == [] and len(ours.rows(Payment)) == 1


def test_another_studio_cannot_see_pay_or_refund(
    make_app, stripe_settings, stripe_standin, studio, other_studio, outbox
):
    ours, theirs = _two_shops(make_app, stripe_settings, stripe_standin, studio, other_studio, outbox)
    ours.pay()
    ours.deliver_all()
    [payment] = ours.rows(Payment)
    intruder = theirs.staff
    assert intruder.get(f"/app/invoices/{ours.invoice_id}").status_code == 404
    refund = intruder.submit(f"/app/invoices/{ours.invoice_id}/payments/{payment.id}/refund", {"amount": "1"})
    assert refund.status_code == 404
    # Their client on their portal, and on ours, cannot reach our invoice or receipt.
    for path in (
        f"/portal/{other_studio.slug}/invoices/{ours.invoice_id}",
        f"/portal/{other_studio.slug}/payments/{payment.id}/receipt",
    ):
        assert theirs.reviewer.get(path).status_code == 404
    assert theirs.reviewer.submit(f"/portal/{other_studio.slug}/invoices/{ours.invoice_id}/pay", {}).status_code == 404
    app = make_app(**stripe_settings)
    app.test_client_class = Browser
    stranger = app.test_client()
    assert stranger.get(f"/portal/aurora/payments/{payment.id}/receipt").status_code == 302  # not signed in here
    invoice = query(ours.app, studio.tenant_id, select(Invoice).where(Invoice.id == uuid.UUID(ours.invoice_id)))[0]
    assert invoice.paid_minor == 1_280_000 and ours.rows(Payment)[0].refunded_minor == 0
