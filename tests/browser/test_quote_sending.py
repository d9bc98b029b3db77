"""In headless Chromium, with the studio's mail going to a real SMTP server (aiosmtpd): the owner turns on "send the
deposit by itself", starts a quote from the Quotes list (New, then the client picker), sends it; the client's
contact gets the e-mail with a link, signs in on a phone and lands on the quote; the studio sees it was opened; the
client accepts, and the deposit invoice arrives by e-mail too, and shows in the client's bell."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.billing.models import Invoice, Quote
from tests.browser.conftest import Page, signed_in
from tests.browser.test_proofing_flow import inbox, link_of, mailing_server  # noqa: F401  (fixtures)
from tests.conftest import query
from tests.factories import client_with_contact, invite

pytestmark = pytest.mark.browser


def test_a_sent_quote_reaches_the_client_who_opens_and_accepts_it(
    browser,
    mailing_server,  # noqa: F811
    app,
    client,
    studio,
    inbox,  # noqa: F811
    outbox,
):
    _controller, mail = inbox
    base = mailing_server
    client.login(studio.owner_email)
    _client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡 Deer Coffee", "zw@deer.test")
    invite(client, contact_url, outbox, "zw@deer.test")  # the invitation goes to the test app's outbox

    owner = signed_in(browser, base, studio.owner_email, "11-quote-owner", locale="en-GB")
    o = owner.page
    o.goto(f"{base}/app/settings/billing")
    o.check("input[name=send_deposit_on_acceptance]")
    o.fill("input[name=deposit_percent]", "40")
    o.click("form[action$='/settings/billing'] button.button-primary")
    o.wait_for_selector(".flash-success")

    o.goto(f"{base}/app/quotes")
    o.click("a:has-text('New quote')")
    o.fill("input[name=q]", "Deer")
    o.click(".search-row button")
    o.click(".pick-list a:has-text('鹿鸣咖啡')")
    o.fill("input[name=title]", "校园店品牌设计")
    row = o.locator(".lines-table tbody tr").nth(0)
    row.locator("[name=line_description]").fill("品牌标志与 VI")
    row.locator("[name=line_quantity]").fill("1")
    row.locator("[name=line_unit_price]").fill("50,000")
    o.click("form button.button-primary")
    o.wait_for_url(re.compile(r".*/app/quotes/[0-9a-f-]{36}$"))
    quote_url = o.url
    o.click("button:has-text('Send to the client')")
    assert "zw@deer.test" in o.locator(".flash-success").inner_text()
    assert "Not opened in the portal yet" in o.content()
    owner.shot("sent")

    sent = mail.wait_for("zw@deer.test", "sent you quote")
    assert "¥53,000.00" in sent["Subject"]  # 50,000 + 6% tax
    quote_link = link_of(sent)
    assert re.search(r"/portal/aurora/quotes/[0-9a-f-]{36}$", quote_link)

    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    contact = Page(phone, "11-quote-client")
    c = contact.page
    c.goto(quote_link)  # not signed in: the sign-in page, which brings them back to the quote
    c.fill("#email", "zw@deer.test")
    c.click("form[action$='/login'] button[type=submit]")
    c.goto(link_of(mail.wait_for("zw@deer.test", "")))
    c.click("form button[type=submit]")
    c.wait_for_url(quote_link)
    assert "品牌标志与 VI" in c.content() and "¥53,000.00" in c.content()
    contact.shot("quote")

    o.goto(quote_url)
    opened = o.locator(".opened").inner_text()
    assert "Opened in the portal by 张伟" in opened
    quote = query(app, studio.tenant_id, select(Quote))[0]
    assert quote.portal_first_opened_at is not None and quote.portal_opened_by == "张伟"

    c.locator("button:has-text('Accept the quote')").tap()  # the contact reads English (their own language)
    c.wait_for_selector(".flash-success")
    contact.shot("accepted")
    deposit_mail = mail.wait_for("zw@deer.test", "sent you invoice")
    assert "¥21,200.00" in deposit_mail["Subject"]  # 40% of 53,000
    invoices = sorted(query(app, studio.tenant_id, select(Invoice)), key=lambda i: i.amount_minor)
    assert [(i.kind, i.status, i.amount_minor) for i in invoices] == [
        ("deposit", "sent", 2_120_000),
        ("final", "draft", 3_180_000),
    ]
    c.goto(f"{base}/portal/aurora/notifications")
    bell = c.locator("main").inner_text()
    assert "sent you quote" in bell and "sent you invoice" in bell
    o.goto(quote_url)
    assert "Invoices of this quote" in o.content()
    owner.shot("accepted")
    assert owner.problems == [] and contact.problems == [], owner.problems + contact.problems
