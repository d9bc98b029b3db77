"""In headless Chromium against a real server process: an owner signs a studio up, invites a designer, the
designer accepts from the e-mailed link, signs out and in again, and switches language. Screenshots of each
step are kept in test-artifacts/."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.browser


def _last_link(outbox: Path, to: str, base: str) -> str:
    for eml in sorted(outbox.glob("*.eml"), reverse=True):
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        if message["To"] == to:
            text = message.get_body(preferencelist=("plain",)).get_content()
            return next(word for word in text.split() if word.startswith(base))
    raise AssertionError(f"no mail to {to}")


def test_sign_up_invite_accept_and_switch_language(browser, live_server, migrated):
    owner_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    owner = Page(owner_context, "01-owner")
    p = owner.page
    p.goto(f"{live_server}/signup")
    p.fill("input[name=studio_name]", "青柚设计 Pomelo")
    p.fill("input[name=slug]", "pomelo")
    p.fill("input[name=name]", "林晓")
    p.fill("input[name=email]", "lin@pomelo.test")
    p.fill("input[name=password]", "pomelo-password-1")
    owner.shot("signup")
    p.click("button[type=submit]")
    p.wait_for_url(f"{live_server}/app/")
    assert "青柚设计 Pomelo" in p.content()
    owner.shot("first-run")

    p.goto(f"{live_server}/app/settings/members")
    p.fill("input[name=email]", "wang@pomelo.test")
    p.select_option("select[name=role]", "member")
    p.click("form[action$='/invite'] button[type=submit]")
    p.wait_for_url(f"{live_server}/app/settings/members")
    assert "wang@pomelo.test" in p.content()
    owner.shot("invited")

    link = _last_link(Path(migrated["OUTBOX_DIR"]), "wang@pomelo.test", live_server)
    designer_context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    designer = Page(designer_context, "02-designer-phone")
    d = designer.page
    d.goto(link)
    designer.shot("join")
    d.fill("input[name=name]", "王磊")
    d.fill("input[name=password]", "designer-password-1")
    d.click("button[type=submit]")
    d.wait_for_url(f"{live_server}/app/")
    assert "青柚设计 Pomelo" in d.content()
    designer.shot("workspace")

    d.click(".user-menu summary")
    designer.shot("user-menu")
    d.click(".user-menu form[action$='/logout'] button")
    d.wait_for_url(f"{live_server}/login")
    d.fill("input[name=email]", "wang@pomelo.test")
    d.fill("input[name=password]", "designer-password-1")
    d.click("form[action$='/login'] button[type=submit]")
    d.wait_for_url(f"{live_server}/app/")
    assert d.get_attribute("html", "lang") == "zh-CN"

    d.goto(f"{live_server}/app/account")
    d.select_option("select[name=locale]", "en")
    d.click("form[action$='/app/account'] button[type=submit]")
    d.wait_for_url(f"{live_server}/app/account")
    assert d.get_attribute("html", "lang") == "en"
    d.goto(f"{live_server}/app/")
    designer.shot("english")

    for page in (owner, designer):
        assert page.problems == [], page.problems
