"""In headless Chromium, the road from a quote to money in: a designer writes a quote whose discount needs a
manager, the manager approves it, the designer sends it and records the client's acceptance, turns it into a
contract and a deposit + final invoice, finance records the deposit, and the receivables page changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.browser.conftest import signed_in
from tests.conftest import add_member

pytestmark = pytest.mark.browser


def test_quote_approval_contract_invoices_payment_and_ageing(browser, live_server, app, studio):
    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    add_member(app, studio, "chen@aurora.test", "manager", name="陈静")
    add_member(app, studio, "li@aurora.test", "finance", name="李娜")
    designer = signed_in(browser, live_server, "wang@aurora.test", "05-quote-designer", "en-GB")
    p = designer.page
    p.goto(f"{live_server}/app/clients/new")
    p.fill("input[name=name]", "鹿鸣咖啡")
    p.click("form[action$='/app/clients/new'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/clients/*")
    p.click(".money a:has-text('Quote')")
    p.fill("input[name=title]", "校园店品牌设计")
    rows = p.locator(".lines-table tbody tr")
    rows.nth(0).locator("[name=line_description]").fill("品牌标志与 VI")
    rows.nth(0).locator("[name=line_quantity]").fill("1")
    rows.nth(0).locator("[name=line_unit_price]").fill("100,000")
    rows.nth(0).locator("[name=line_discount]").fill("20")
    p.click("form button.button-primary")
    p.wait_for_url(f"{live_server}/app/quotes/*")
    quote_url = p.url
    assert "¥84,800.00" in p.content()  # 100,000 − 20% + 6% tax
    p.click("button:has-text('Ask a manager to approve')")
    p.wait_for_load_state()
    assert "Awaiting approval" in p.content()

    manager = signed_in(browser, live_server, "chen@aurora.test", "05-quote-manager", "en-GB")
    manager.page.goto(quote_url)
    manager.page.click("button:has-text('Approve the discount')")
    manager.page.wait_for_load_state()
    assert "Discount approved" in manager.page.content()

    p.goto(quote_url)
    p.click("button:has-text('Send to the client')")  # it e-mails the client now (issue 14)
    p.wait_for_load_state()
    p.fill("#decider", "张伟")
    p.click("button:has-text('Accepted')")
    p.wait_for_load_state()
    p.click("button:has-text('Turn into a contract')")
    p.wait_for_url(f"{live_server}/app/contracts/*")
    p.click("button:has-text('Submit for approval')")
    p.wait_for_load_state()
    designer.shot("contract")

    finance = signed_in(browser, live_server, "li@aurora.test", "05-quote-finance", "en-GB")
    f = finance.page
    f.goto(p.url)
    due_deposit = (date.today() - timedelta(days=10)).isoformat()
    due_final = (date.today() + timedelta(days=60)).isoformat()
    parts = f.locator(".schedule-form tbody tr")
    parts.nth(0).locator("[name=part_due_on]").fill(due_deposit)
    parts.nth(2).locator("[name=part_due_on]").fill(due_final)
    f.click(".schedule-form button")
    f.wait_for_load_state()
    f.goto(f"{live_server}/app/invoices")
    for number in f.locator("table a.strong").all_inner_texts():
        f.click(f"a:has-text('{number}')")
        f.click("button:has-text('Send to the client')")
        f.wait_for_load_state()
        f.goto(f"{live_server}/app/invoices")
    f.goto(f"{live_server}/app/receivables")
    before = f.locator("tfoot").inner_text()
    assert "¥25,440.00" in before and "¥84,800.00" in before  # deposit 30% overdue 1–30 days; total
    finance.shot("ageing-before")

    f.goto(f"{live_server}/app/invoices?status=overdue")
    f.click("table a.strong")
    f.fill("#pay-amount", "25,440")
    f.fill("#pay-ref", "招行 8812")
    f.click("button:has-text('Record payment')")
    f.wait_for_load_state()
    assert "Paid" in f.content()
    f.goto(f"{live_server}/app/receivables")
    after = f.locator("tfoot").inner_text()
    assert "¥25,440.00" not in after and "¥59,360.00" in after
    finance.shot("ageing-after")
    for page in (designer, manager, finance):
        assert page.problems == [], page.problems
