"""In headless Chromium, with S3 (the moto server over HTTP): a visitor answers the feedback form on a phone with a
screenshot; the page's script sends the file straight to the bucket with a presigned POST and the form carries
only its upload id; the submission holds the file. The same page without script sends the file with the form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.files.models import StoredFile
from saas.forms.models import Submission
from tests.browser.conftest import Page, serving
from tests.conftest import query
from tests.factories import png_bytes
from tests.integration.forms_helpers import build, the_form
from tests.integration.test_files import S3, s3  # noqa: F401  (the s3 fixture)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _answer(browser, url: str, name: str, shot, script: bool) -> Page:
    visitor = Page(browser.new_context(locale="zh-CN", java_script_enabled=script, **PHONE), name)
    v = visitor.page
    visitor.sent = []  # (method, url) of every request the page made
    v.on("request", lambda request: visitor.sent.append((request.method, request.url)))
    v.goto(url)
    v.locator("input[type=radio][value='9']").first.check()
    v.locator("input[type=radio][value='5']").nth(1).check()
    v.set_input_files("input[type=file]", files=[{"name": "标注.png", "mimeType": "image/png", "buffer": shot}])
    v.wait_for_timeout(3100)  # a person takes a few seconds; a form sent faster is refused
    v.locator("button.pf-send").click()
    v.wait_for_url("**/f/aurora/feedback/thanks*", timeout=15_000)
    return visitor


def test_a_phone_sends_a_forms_file_straight_to_the_bucket(
    browser,
    app,
    client,
    migrated,
    studio,
    moto_server,
    s3,  # noqa: F811
):
    client.login(studio.owner_email)
    build(client, "feedback")
    form = the_form(app, studio.tenant_id, "feedback")
    shot = png_bytes()
    settings = {**S3, "S3_ENDPOINT_URL": moto_server}
    with serving(migrated, **settings) as live:
        visitor = _answer(browser, f"{live}/f/aurora/feedback", "16-direct-upload", shot, script=True)
        assert visitor.problems == []  # no CSP violation, no script error
        posts = [u for m, u in visitor.sent if m == "POST"]
        assert posts[0] == f"{live}/f/aurora/feedback/uploads" and posts[1].startswith(moto_server), posts
        [submission] = query(app, studio.tenant_id, select(Submission))
        [stored] = query(app, studio.tenant_id, select(StoredFile))
        assert (stored.owner_kind, stored.owner_id, stored.status) == ("form_submission", submission.id, "ready")
        assert stored.name == "标注.png" and stored.size_bytes == len(shot)
        shot_question = next(q for q in form.questions if q.type == "file")
        assert submission.answers[str(shot_question.id)] == str(stored.id)
        assert s3.get_object(Bucket="atelier-files", Key=stored.key)["Body"].read() == shot

        # Without script the same page sends the file with the form, and the app stores it.
        plain = _answer(browser, f"{live}/f/aurora/feedback", "16-direct-upload-no-script", shot, script=False)
        assert not any(u.startswith(moto_server) or u.endswith("/uploads") for _m, u in plain.sent)
        assert len(query(app, studio.tenant_id, select(Submission))) == 2
        assert {f.status for f in query(app, studio.tenant_id, select(StoredFile))} == {"ready"}


def test_a_staff_note_with_a_photo_goes_to_the_bucket_and_stays_a_note(
    browser,
    app,
    client,
    migrated,
    studio,
    moto_server,
    s3,  # noqa: F811
):
    """The staff's ticket page: a file chosen for an internal note goes to the bucket, and the form the script then
    sends still says which button was pressed (a note, not a reply the client would see)."""
    from saas.tickets.models import Ticket, TicketReply
    from tests.browser.conftest import signed_in
    from tests.factories import client_with_contact

    client.login(studio.owner_email)
    client_url, _contact = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    form = {"client_id": client_url.rsplit("/", 1)[1], "subject": "灯箱维修", "description": "灯箱不亮"}
    made = client.submit("/app/tickets/new", {**form, "priority": "normal", "source": "phone", "category": "repair"})
    ticket_path = made.headers["Location"]
    photo = png_bytes()
    with serving(migrated, **{**S3, "S3_ENDPOINT_URL": moto_server}) as live:
        staff = signed_in(browser, live, studio.owner_email, "16-staff-note-upload")
        staff.sent = []
        staff.page.on("request", lambda request: staff.sent.append((request.method, request.url)))
        staff.page.goto(f"{live}{ticket_path}")
        staff.page.fill("#body", "现场照片，仅内部")
        staff.page.set_input_files("#files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": photo}])
        staff.page.click("button[name=internal][value='1']")
        staff.page.wait_for_selector(".ticket-files img, .ticket-files a", timeout=15_000)
        assert staff.problems == []
        assert any(m == "POST" and u.startswith(moto_server) for m, u in staff.sent), staff.sent
        [note] = query(app, studio.tenant_id, select(TicketReply))
        assert note.internal and note.body == "现场照片，仅内部"
        [stored] = query(app, studio.tenant_id, select(StoredFile))
        assert (stored.owner_kind, stored.owner_id, stored.status) == ("ticket_reply", note.id, "ready")
        assert query(app, studio.tenant_id, select(Ticket))[0].status == "new"  # a note is no first response
