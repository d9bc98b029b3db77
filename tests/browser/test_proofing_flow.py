"""In headless Chromium, the approval flow of seed 000 end to end: a designer uploads version 1 and submits it;
the review e-mail arrives in a real SMTP server (aiosmtpd); the client follows it, signs in with the link mailed
to them, confirms, drops two pins and asks for changes; the designer has the revision task; version 2 goes out;
the client approves it on a phone, and the project moves on to delivery."""

from __future__ import annotations

import re
import time
import uuid
from email import message_from_bytes, policy

import pytest
from PIL import Image
from sqlalchemy import select

from saas.projects.models import Project, Task
from tests.browser.conftest import Page, serving, signed_in
from tests.conftest import free_port, query
from tests.factories import client_with_contact, invite, new_project

pytestmark = pytest.mark.browser


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, to: str, subject_part: str, seconds: float = 30):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for message in self.messages:
                if message["To"] == to and subject_part in message["Subject"]:
                    self.messages.remove(message)
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to} about {subject_part!r}: {[m['Subject'] for m in self.messages]}")


def link_of(message) -> str:
    return re.search(r"(http://127\.0\.0\.1:\d+/\S+)", message.get_body(preferencelist=("plain",)).get_content())[1]


@pytest.fixture
def inbox():
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mailing_server(app, migrated, inbox):
    """`saas serve` sending its mail to the test's SMTP server."""
    controller, _handler = inbox
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port), "SMTP_STARTTLS": "false"}
    with serving(migrated, **smtp) as url:
        yield url


def _sheet(path, color) -> str:
    Image.new("RGB", (1200, 800), color).save(path)
    return str(path)


def _upload_and_submit(p, base: str, project_url: str, image: str) -> None:
    p.goto(base + project_url)
    p.click("#drafts button[type=submit]")
    p.wait_for_url(re.compile(r".*/app/drafts/.*"))
    with p.expect_navigation():
        p.set_input_files("[data-upload] input[type=file]", [image])
    assert p.locator(".file-grid li").count() == 1
    p.fill("#review-message", "请看新的一版")
    p.click("form[action$='/submit'] button[type=submit]")
    p.wait_for_selector(".flash-success")


def _pin(p, x: int, y: int, text: str) -> None:
    p.click(".sheet-canvas.pinnable img", position={"x": x, "y": y})
    p.fill("#pin-body", text)
    with p.expect_navigation():
        p.click("[data-pin-form] button[type=submit]")


def test_draft_approval_flow_in_the_browser(browser, mailing_server, app, client, studio, inbox, outbox, tmp_path):
    _controller, mail = inbox
    base = mailing_server
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    project_url = new_project(client, client_url, name="校园店品牌焕新")
    project_id = project_url.rsplit("/", 1)[1]
    invite(client, contact_url, outbox, "zw@deer.test")  # the invitation goes to the test app's outbox

    designer = signed_in(browser, base, studio.owner_email, "07-proofing-designer", locale="en-GB")
    d = designer.page
    _upload_and_submit(d, base, project_url, _sheet(tmp_path / "logo-v1.png", (47, 111, 94)))
    designer.shot("v1-sent")

    review_mail = mail.wait_for("zw@deer.test", "asks for your review")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2)
    reviewer = Page(phone, "07-proofing-client")
    r = reviewer.page
    r.goto(link_of(review_mail))  # not signed in yet: the sign-in page, which will bring them back here
    r.fill("#email", "zw@deer.test")
    r.click("form[action$='/login'] button[type=submit]")
    r.goto(link_of(mail.wait_for("zw@deer.test", "")))
    r.click("form button[type=submit]")  # the confirm page: only this POST uses the link
    r.wait_for_url(re.compile(r".*/portal/aurora/drafts/.*"))
    _pin(r, 60, 80, "Logo 再大一点")
    _pin(r, 250, 150, "这里换成暖色")
    assert r.locator(".sheet .pin").count() == 2
    r.check("input[value=request_changes]", force=True)
    r.click("label[for=rating-3]")
    r.fill("#decision-note", "整体不错")
    r.click("#decide button[type=submit]")
    r.wait_for_selector(".flash-success")
    reviewer.shot("changes-requested")

    mail.wait_for(studio.owner_email, "asked for changes")
    d.goto(base + project_url)
    assert "Revision" in d.inner_text(".client-meta")
    tasks = query(app, studio.tenant_id, select(Task).where(Task.title.like("Revise per feedback%")))
    assert [i["text"] for i in tasks[0].checklist][:2] == [
        "Pin 1, logo-v1.png: Logo 再大一点",
        "Pin 2, logo-v1.png: 这里换成暖色",
    ]
    assert "Revise per feedback (version 1)" in d.inner_text(".tasks")

    _upload_and_submit(d, base, project_url, _sheet(tmp_path / "logo-v2.png", (176, 98, 52)))
    mail.wait_for("zw@deer.test", "version 2")
    r.goto(f"{base}/portal/aurora/home")
    with r.expect_navigation():
        r.click("#reviews a.button")
    r.check("input[value=approve]", force=True)
    r.click("label[for=rating-5]")
    r.click("#decide button[type=submit]")
    r.wait_for_selector(".flash-success")
    reviewer.shot("approved")

    project = query(app, studio.tenant_id, select(Project).where(Project.id == uuid.UUID(project_id)))
    assert project[0].stage.key == "delivery"
    d.goto(base + project_url)
    assert "Prepare delivery files" in d.inner_text(".tasks")
    designer.shot("approved")
    assert designer.problems == [] and reviewer.problems == [], designer.problems + reviewer.problems
