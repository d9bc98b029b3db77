"""In headless Chromium: the client opens an invoice in the portal, pays on Stripe's payment page (the test
stand-in's, which makes a real PaymentIntent in localstripe and posts the signed webhooks to the app), comes back
and sees the invoice paid once the webhook has arrived — never because of the redirect alone."""

from __future__ import annotations

import re
import time

import pytest

from saas.clients.models import Contact
from tests.browser.conftest import Page, serving
from tests.conftest import link_in
from tests.integration.test_payments import Shop

pytestmark = pytest.mark.browser


@pytest.fixture
def paying_server(app, migrated, stripe_settings, stripe_standin):
    """`saas serve` with Stripe set up; the stand-in posts its webhooks to it, as Stripe would."""
    with serving(migrated, **stripe_settings) as url:
        stripe_standin.webhook_url = f"{url}/webhooks/stripe"
        yield url


def test_a_client_pays_an_invoice_and_sees_it_paid(
    browser, paying_server, make_app, stripe_settings, stripe_standin, studio, outbox
):
    shop = Shop(make_app, stripe_settings, stripe_standin, studio, outbox)  # connected; events delivered live
    shop.staff.submit(f"{shop.client_url}/contacts", {"name": "李雷", "email": "li@deer.test"})
    contact = next(c for c in shop.rows(Contact) if c.email == "li@deer.test")
    shop.staff.submit(f"{shop.client_url}/contacts/{contact.id}/portal", {})
    link = link_in(outbox.last("li@deer.test")).replace("http://localhost", "")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2)
    client = Page(phone, "08-pay-invoice")
    p = client.page
    p.goto(paying_server + link)
    p.click("form button[type=submit]")
    p.wait_for_url(re.compile(r".*/portal/aurora/home"))
    p.click(f"a[href$='/invoices/{shop.invoice_id}'].button")
    client.shot("invoice")
    p.click("#pay button[type=submit]")
    p.wait_for_url(re.compile(r".*/pay/cs_test_.*"))
    p.click("#pay")
    p.wait_for_url(re.compile(rf".*/invoices/{shop.invoice_id}\?paid=cs_test_.*"))
    deadline = time.time() + 20
    while "Paid" not in p.inner_text(".client-meta") and time.time() < deadline:
        time.sleep(0.3)
        p.reload()
    assert "Paid" in p.inner_text(".client-meta")
    assert p.locator("#pay").count() == 0 and "12,800.00" in p.inner_text(".mini-list")
    client.shot("paid")
    assert shop.invoice().status == "paid" and shop.invoice().paid_minor == 1_280_000
    assert client.problems == [], client.problems
