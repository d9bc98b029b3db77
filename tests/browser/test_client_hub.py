"""In headless Chromium: a designer creates a client with two contacts, logs two follow-ups, sees them on the
360° page, and finds the client again by a fragment of a contact's phone number and of its Chinese name."""

from __future__ import annotations

import pytest

from tests.browser.conftest import signed_in
from tests.conftest import add_member

pytestmark = pytest.mark.browser


def test_create_a_client_log_follow_ups_and_find_it_again(browser, live_server, app, studio):
    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    page = signed_in(browser, live_server, "wang@aurora.test", "03-client-hub")
    p = page.page

    p.click("nav a[href='/app/clients']")
    p.click("a[href='/app/clients/new']")
    p.fill("input[name=name]", "上海某某设计有限公司")
    p.select_option("select[name=status]", "intent")
    p.fill("input[name=tags]", "餐饮, VIP")
    p.click("form[action$='/app/clients/new'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/clients/*")
    client_url = p.url

    for name, phone in (("张伟", "138 0013 8000"), ("刘芳", "139 1234 5678")):
        p.click("details.add-contact summary")
        p.fill("#contact-name", name)
        p.fill("#contact-phone", phone)
        p.click("details.add-contact button[type=submit]")
        p.wait_for_url(client_url)

    p.check("input[name=kind][value=call]")
    p.fill("textarea[name=summary]", "电话沟通新店需求，预算约 30 万")
    p.click("form.log-form button[type=submit]")
    p.wait_for_url(client_url)
    p.check("input[name=kind][value=wechat]")
    p.fill("textarea[name=summary]", "发送了情绪板")
    p.fill("input[name=next_action]", "约中期汇报")
    p.fill("input[name=next_action_due]", "2030-01-15")
    p.click("form.log-form button[type=submit]")
    p.wait_for_url(client_url)
    content = p.content()
    for text in ("张伟", "刘芳", "电话沟通新店需求", "发送了情绪板", "约中期汇报"):
        assert text in content, text
    page.shot("360")

    for fragment in ("0013", "某某设计"):
        p.goto(f"{live_server}/app/clients")
        p.fill("input[name=q]", fragment)
        p.click("form.client-search .search-row button")  # the search has its own button (filters fold away on phones)
        p.wait_for_load_state()
        assert p.locator("table a.strong").all_inner_texts() == ["上海某某设计有限公司"], fragment
    page.shot("search")
    assert page.problems == [], page.problems
