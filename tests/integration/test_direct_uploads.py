"""Uploads straight to the bucket from a public form, a form filled in the portal, the portal's tickets and the
staff's ticket form and replies (issue 16): with S3 (the moto server over HTTP) the page's script asks the app for
a presigned POST reserved for one question (or ticket, on the portal's or the staff's side), sends
the bytes to the bucket and the submission names the upload by its id; the app checks it is this studio's, this
form's or ticket's, arrived, within the size limit and of its type before linking it. A forged or foreign id, an
oversized file, a disguised one and an expired upload are refused with a clear message and nothing is written.
moto checks neither the policy's signature, its expiry nor its size range: the policy is read where the app signs
it, and the app's own checks are tested against what moto lets through."""

from __future__ import annotations

import base64
import io
import json
import uuid
from datetime import timedelta

import pytest
import urllib3
from sqlalchemy import select, update

from saas.db import utcnow
from saas.extensions import db
from saas.files.models import StoredFile
from saas.forms.models import FormRequest, Submission
from saas.isolation import set_tenant
from saas.tickets.models import Ticket
from tests.conftest import Browser, query
from tests.factories import png_bytes
from tests.integration.forms_helpers import answers, build, send, the_form
from tests.integration.test_files import S3, BytesSeen, s3  # noqa: F401  (the s3 fixture)
from tests.integration.test_tickets import Desk

SCORES = {"feedback.nps": "9", "feedback.csat": "5"}
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def s3_app(make_app, moto_server, s3):  # noqa: F811
    app = make_app(S3_ENDPOINT_URL=moto_server, **S3)
    app.test_client_class = Browser
    return app


def _feedback(app, studio):
    owner = app.test_client()
    owner.login(studio.owner_email)
    build(owner, "feedback")
    form = the_form(app, studio.tenant_id, "feedback")
    return owner, form, next(q for q in form.questions if q.type == "file")


def _offer(visitor, studio_slug: str, question, name="marks.png", size=None, content_type="image/png"):
    body = {"input": f"q_{question.id}", "name": name, "size": size or len(png_bytes()), "content_type": content_type}
    return visitor.post(f"/f/{studio_slug}/feedback/uploads", json=body)


def _to_bucket(offered: dict, data: bytes, name: str = "marks.png") -> int:
    upload = offered["upload"]
    fields = {**upload["fields"], "file": (name, data, upload["fields"]["Content-Type"])}
    return urllib3.request("POST", upload["url"], fields=fields).status


def _naming(app, studio, form, question, upload_id: str) -> dict:
    return {**answers(app, studio.tenant_id, form, SCORES), f"q_{question.id}.upload": upload_id}


def test_a_form_answer_goes_to_the_bucket_and_the_submission_links_it(s3_app, studio, moto_server, s3):  # noqa: F811
    seen = BytesSeen(s3_app.wsgi_app)
    s3_app.wsgi_app = seen
    owner, form, shot = _feedback(s3_app, studio)
    visitor = s3_app.test_client()
    page = visitor.get("/f/aurora/feedback")
    assert 'data-direct-upload="/f/aurora/feedback/uploads"' in page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {moto_server}" in csp and "form-action 'self'" in csp
    assert moto_server not in s3_app.test_client().get("/login").headers["Content-Security-Policy"].split("img-src")[0]
    assert "connect-src 'self';" in s3_app.test_client().get("/login").headers["Content-Security-Policy"]

    image = png_bytes()
    offered = _offer(visitor, "aurora", shot)
    assert offered.status_code == 201, offered.get_json()
    ticket = offered.get_json()
    key = ticket["upload"]["fields"]["key"]
    assert key == f"tenants/{studio.tenant_id}/files/{ticket['id']}/original.png"
    policy = json.loads(base64.b64decode(ticket["upload"]["fields"]["policy"]))
    assert {"key": key} in policy["conditions"] and {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", 1, TEN_MB] in policy["conditions"]
    assert _to_bucket(ticket, image) in (200, 204)

    sent = send(visitor, "aurora", "feedback", _naming(s3_app, studio, form, shot, ticket["id"]))
    assert sent.status_code == 303, sent.get_data(as_text=True)[:800]
    [submission] = query(s3_app, studio.tenant_id, select(Submission))
    [stored] = query(s3_app, studio.tenant_id, select(StoredFile))
    assert (stored.owner_kind, stored.owner_id, stored.status) == ("form_submission", submission.id, "ready")
    assert (stored.size_bytes, stored.content_type) == (len(image), "image/png")
    assert submission.answers[str(shot.id)] == ticket["id"]
    assert seen.total < 20_000  # the file went to the bucket, the app saw JSON and the form's answers
    opened = owner.get(f"/app/files/{stored.id}")
    assert opened.status_code == 302 and urllib3.request("GET", opened.headers["Location"]).data == image

    # Used once: the same id again is refused, and nothing more is written.
    again = send(s3_app.test_client(), "aurora", "feedback", _naming(s3_app, studio, form, shot, ticket["id"]))
    assert again.status_code == 422 and "not one of this form" in again.get_data(as_text=True)
    assert len(query(s3_app, studio.tenant_id, select(Submission))) == 1


def test_forged_foreign_oversized_disguised_and_expired_uploads_are_refused(
    s3_app,
    studio,
    other_studio,
    s3,  # noqa: F811
):
    _owner, form, shot = _feedback(s3_app, studio)
    _their_owner, _their_form, their_shot = _feedback(s3_app, other_studio)
    visitor = s3_app.test_client()

    def refused(upload_id: str, says: str) -> None:
        answer = send(s3_app.test_client(), "aurora", "feedback", _naming(s3_app, studio, form, shot, upload_id))
        assert answer.status_code == 422 and says in answer.get_data(as_text=True), upload_id
        assert query(s3_app, studio.tenant_id, select(Submission)) == []

    # Another studio's upload, arrived in its bucket prefix: unknown here (scope and RLS), refused, left alone.
    theirs = _offer(visitor, other_studio.slug, their_shot).get_json()
    assert _to_bucket(theirs, png_bytes()) in (200, 204)
    refused(theirs["id"], "not one of this form")
    assert query(s3_app, other_studio.tenant_id, select(StoredFile))[0].status == "pending"
    for forged in (str(uuid.uuid4()), "../../tenants/x", "１２３"):
        refused(forged, "not one of this form")

    # Too large: refused when offered, and refused after the fact when the bytes are larger than the policy let
    # through (S3 enforces content-length-range; moto does not, so the app checks the size on arrival).
    assert _offer(visitor, "aurora", shot, size=TEN_MB + 1).status_code == 422
    big = _offer(visitor, "aurora", shot).get_json()
    _to_bucket(big, png_bytes() + b"\0" * TEN_MB)
    refused(big["id"], "larger than 10 MB")
    assert (
        s3.list_objects_v2(Bucket="atelier-files", Prefix=f"tenants/{studio.tenant_id}/files/{big['id']}")["KeyCount"]
        == 0
    )

    # Not what its name says, not a type the question takes, not arrived.
    disguised = _offer(visitor, "aurora", shot).get_json()
    _to_bucket(disguised, b"<svg onload=alert(1)>")
    refused(disguised["id"], "not what its name says")
    assert _offer(visitor, "aurora", shot, name="a.zip", content_type="application/zip").status_code == 422
    assert _offer(visitor, "aurora", shot, name="a.html", content_type="text/html").status_code == 422
    refused(_offer(visitor, "aurora", shot).get_json()["id"], "has not arrived")

    # Expired: the policy lives 15 minutes; an upload offered longer ago than the app's window is refused.
    late = _offer(visitor, "aurora", shot).get_json()
    expiration = json.loads(base64.b64decode(late["upload"]["fields"]["policy"]))["expiration"]
    assert expiration[:16] <= (utcnow() + timedelta(minutes=15, seconds=5)).strftime("%Y-%m-%dT%H:%M")
    _to_bucket(late, png_bytes())
    with s3_app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(
            update(StoredFile)
            .where(StoredFile.id == uuid.UUID(late["id"]))
            .values(created_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    refused(late["id"], "expired")

    # Offers nobody claimed go, with their objects, once their window has long passed (an hourly sweep).
    from saas.forms.answers import forget_unclaimed_uploads

    with s3_app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(StoredFile).values(created_at=utcnow() - timedelta(hours=2)))
        assert forget_unclaimed_uploads() == len(query(s3_app, studio.tenant_id, select(StoredFile)))
        db.session.commit()
    assert query(s3_app, studio.tenant_id, select(StoredFile)) == []
    assert s3.list_objects_v2(Bucket="atelier-files", Prefix=f"tenants/{studio.tenant_id}/")["KeyCount"] == 0
    assert len(query(s3_app, other_studio.tenant_id, select(StoredFile))) == 1  # another studio's, still fresh

    # An offer names one of the form's own file questions, on a published form; without S3 there is none.
    unknown = {"input": "q_x", "name": "a.png", "size": 9}
    assert visitor.post("/f/aurora/feedback/uploads", json=unknown).status_code == 404
    assert visitor.post("/f/aurora/feedback/uploads", data="\x00").status_code in (400, 404)


def test_without_s3_the_form_sends_its_files_itself(app, client, new_client, studio):
    client.login(studio.owner_email)
    build(client, "feedback")
    form = the_form(app, studio.tenant_id, "feedback")
    shot = next(q for q in form.questions if q.type == "file")
    page = new_client().get("/f/aurora/feedback")
    assert "data-direct-upload" not in page.get_data(as_text=True)
    assert "connect-src 'self';" in page.headers["Content-Security-Policy"]
    assert _offer(new_client(), "aurora", shot).status_code == 404
    good = {**answers(app, studio.tenant_id, form, SCORES), f"q_{shot.id}": (io.BytesIO(png_bytes()), "m.png")}
    assert send(new_client(), "aurora", "feedback", good, content_type="multipart/form-data").status_code == 303


def test_portal_ticket_attachments_go_to_the_bucket_and_only_their_own_ticket_takes_them(
    s3_app,
    studio,
    other_studio,
    outbox,
    moto_server,
    s3,  # noqa: F811
):
    desk = Desk(s3_app, s3_app.test_client(), s3_app.test_client, studio, outbox)
    visitor = desk.visitor
    page = visitor.get("/portal/aurora/tickets/new")
    assert 'data-direct-upload="/portal/aurora/tickets/uploads"' in page.get_data(as_text=True)
    assert f"connect-src 'self' {moto_server}" in page.headers["Content-Security-Policy"]
    assert "connect-src 'self';" in visitor.get("/portal/aurora/").headers["Content-Security-Policy"]

    def offer(url: str, **body) -> dict:
        sent = {"input": "files", "name": "照片.png", "size": len(png_bytes()), "content_type": "image/png", **body}
        answer = visitor.post(url, json=sent, headers={"X-CSRFToken": visitor.csrf_token()})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    photo = offer("/portal/aurora/tickets/uploads")
    assert _to_bucket(photo, png_bytes(), "照片.png") in (200, 204)
    # Pending, it is nobody's to open.
    assert desk.staff.get(f"/app/files/{photo['id']}").status_code == 404
    form = {"subject": "门头灯箱不亮了", "description": "昨晚开始不亮。", "category": "repair"}
    raised = visitor.post(
        "/portal/aurora/tickets/new", data={**form, "files.upload": photo["id"], "csrf_token": visitor.csrf_token()}
    )
    assert raised.status_code == 302, raised.get_data(as_text=True)[:800]
    ticket_id = raised.headers["Location"].rsplit("/", 1)[1]
    [stored] = query(s3_app, studio.tenant_id, select(StoredFile))
    assert (stored.owner_kind, str(stored.owner_id), stored.status) == ("ticket", ticket_id, "ready")
    opened = visitor.get(f"/portal/aurora/tickets/{ticket_id}/files/{stored.id}")
    assert opened.status_code == 302 and opened.headers["Location"].startswith(moto_server)

    # A reply's upload is reserved for that ticket: offered for one, it cannot join a new ticket or another reply.
    second = (
        visitor.post("/portal/aurora/tickets/new", data={**form, "csrf_token": visitor.csrf_token()})
        .headers["Location"]
        .rsplit("/", 1)[1]
    )
    for_first = offer(f"/portal/aurora/tickets/{ticket_id}/uploads")
    _to_bucket(for_first, png_bytes(), "照片.png")
    wrong = visitor.post(
        f"/portal/aurora/tickets/{second}/reply",
        data={"body": "补充照片", "files.upload": for_first["id"], "csrf_token": visitor.csrf_token()},
    )
    assert wrong.status_code == 422 and "not one of this form" in wrong.get_data(as_text=True)
    replied = visitor.post(
        f"/portal/aurora/tickets/{ticket_id}/reply",
        data={"body": "补充照片", "files.upload": for_first["id"], "csrf_token": visitor.csrf_token()},
    )
    assert replied.status_code == 302
    tickets = query(s3_app, studio.tenant_id, select(Ticket))
    assert len(tickets) == 2
    held = {f.owner_kind for f in query(s3_app, studio.tenant_id, select(StoredFile))}
    assert held == {"ticket", "ticket_reply"}

    # Another studio's portal ticket id is 404 for offers too; more than five files are refused as a whole.
    assert (
        visitor.post(
            f"/portal/aurora/tickets/{uuid.uuid4()}/uploads", json={}, headers={"X-CSRFToken": visitor.csrf_token()}
        ).status_code
        == 404
    )
    many = [offer("/portal/aurora/tickets/uploads")["id"] for _ in range(6)]
    too_many = visitor.post(
        "/portal/aurora/tickets/new", data={**form, "files.upload": many, "csrf_token": visitor.csrf_token()}
    )
    assert too_many.status_code == 422 and "at most 5 files" in too_many.get_data(as_text=True)
    assert len(query(s3_app, studio.tenant_id, select(Ticket))) == 2


def _expire(app, tenant_id, upload_id: str) -> None:
    with app.app_context():
        set_tenant(db.session(), tenant_id)
        db.session.execute(
            update(StoredFile)
            .where(StoredFile.id == uuid.UUID(upload_id))
            .values(created_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()


def _portal_requirements(app, studio, outbox):
    """The owner sends the requirements form (it asks for reference images) for a project; its contact signs in
    to the portal. The owner, the portal's browser, the form and its file question, the request's page."""
    from tests.conftest import link_in
    from tests.integration.test_forms import _project_with_portal_contact

    owner = app.test_client()
    owner.login(studio.owner_email)
    build(owner, "requirements")
    project_url = _project_with_portal_contact(owner, studio, app)
    form = the_form(app, studio.tenant_id, "requirements")
    assert owner.submit(f"{project_url}/forms", {"form_id": str(form.id)}).status_code == 302
    portal = app.test_client()
    invitation = next(m for m in outbox.messages() if "/portal/" in str(m) and "/signin/" in str(m))
    portal.submit(link_in(invitation, r"http://localhost(/portal/[a-z-]+/signin/\S+)"), {})
    [found] = query(app, studio.tenant_id, select(FormRequest))
    images = next(q for q in form.questions if q.type == "file")
    return portal, form, images, f"/portal/{studio.slug}/forms/{found.id}"


BRIEF = {"brief.background": "开第二家店", "brief.audience": "大学生"}


def test_a_form_filled_in_the_portal_sends_its_images_to_the_bucket(
    s3_app,
    studio,
    other_studio,
    outbox,
    moto_server,
    s3,  # noqa: F811
):
    """The requirements form sent to a client, filled in the portal: the page offers the bucket, the image goes
    there and the submission names it; a forged id, another studio's upload, an oversized file and an expired
    offer are refused beside the question and write nothing; another client's request takes no offer."""
    portal, form, images, path = _portal_requirements(s3_app, studio, outbox)
    page = portal.get(path)
    assert f'data-direct-upload="{path}/uploads"' in page.get_data(as_text=True)
    assert f"connect-src 'self' {moto_server}" in page.headers["Content-Security-Policy"]

    def offer(**body):
        sent = {"input": f"q_{images.id}", "name": "参考.png", "size": len(png_bytes()), "content_type": "image/png"}
        return portal.post(f"{path}/uploads", json={**sent, **body}, headers={"X-CSRFToken": portal.csrf_token()})

    def sent_with(upload_id: str):
        started = {"started": answers(s3_app, studio.tenant_id, form, {})["started"]}
        data = {**answers(s3_app, studio.tenant_id, form, BRIEF), **started, f"q_{images.id}.upload": upload_id}
        return portal.submit(path, data)

    def refused(upload_id: str, says: str) -> None:
        answer = sent_with(upload_id)
        assert answer.status_code == 422 and says in answer.get_data(as_text=True), upload_id
        assert query(s3_app, studio.tenant_id, select(Submission)) == []

    # Another studio's upload (its public form's, arrived in its prefix), a forged id: refused.
    _their_owner, _their_form, their_shot = _feedback(s3_app, other_studio)
    theirs = _offer(s3_app.test_client(), other_studio.slug, their_shot).get_json()
    _to_bucket(theirs, png_bytes())
    refused(theirs["id"], "not one of this form")
    refused(str(uuid.uuid4()), "not one of this form")
    # Too large when offered, and when the bytes came larger than offered; expired.
    assert offer(size=TEN_MB + 1).status_code == 422
    assert offer(name="a.zip", content_type="application/zip").status_code == 422
    big = offer().get_json()
    _to_bucket(big, png_bytes() + b"\0" * TEN_MB)
    refused(big["id"], "larger than 10 MB")
    late = offer().get_json()
    _to_bucket(late, png_bytes())
    _expire(s3_app, studio.tenant_id, late["id"])
    refused(late["id"], "expired")
    # Only an open request of the contact's own client, and only its file questions, take offers.
    assert portal.post(f"/portal/{studio.slug}/forms/{uuid.uuid4()}/uploads", json={}).status_code in (400, 404)
    assert offer(input="q_x").status_code == 404

    good = offer()
    assert good.status_code == 201, good.get_json()
    image = good.get_json()
    assert _to_bucket(image, png_bytes(), "参考.png") in (200, 204)
    assert sent_with(image["id"]).status_code == 303
    [submission] = query(s3_app, studio.tenant_id, select(Submission))
    stored = next(f for f in query(s3_app, studio.tenant_id, select(StoredFile)) if str(f.id) == image["id"])
    assert (stored.owner_kind, stored.owner_id, stored.status) == ("form_submission", submission.id, "ready")
    assert submission.answers[str(images.id)] == image["id"] and submission.portal_user_id is not None


def test_staff_ticket_attachments_go_to_the_bucket_on_their_own_side(
    s3_app,
    studio,
    other_studio,
    outbox,
    moto_server,
    s3,  # noqa: F811
):
    """A member raises a ticket and adds an internal note, each with a file sent to the bucket; a portal user's
    upload for the same ticket, another studio's, a forged id, an oversized and an expired one are refused and
    write nothing. The note stays a note though the page's script sends the form itself."""
    desk = Desk(s3_app, s3_app.test_client(), s3_app.test_client, studio, outbox)
    staff = desk.staff
    page = staff.get(f"/app/tickets/new?client={desk.client_id}")
    assert 'data-direct-upload="/app/tickets/uploads"' in page.get_data(as_text=True)
    assert f"connect-src 'self' {moto_server}" in page.headers["Content-Security-Policy"]

    def offer(url: str, who=staff, **body):
        sent = {"input": "files", "name": "现场.png", "size": len(png_bytes()), "content_type": "image/png", **body}
        return who.post(url, json=sent, headers={"X-CSRFToken": who.csrf_token()})

    form = {
        "client_id": desk.client_id,
        "subject": "灯箱维修",
        "description": "灯箱不亮",
        "priority": "normal",
        "source": "phone",
        "category": "repair",
    }
    photo = offer("/app/tickets/uploads").get_json()
    assert _to_bucket(photo, png_bytes(), "现场.png") in (200, 204)
    raised = staff.submit("/app/tickets/new", {**form, "files.upload": photo["id"]})
    assert raised.status_code == 302, raised.get_data(as_text=True)[:800]
    ticket_id = raised.headers["Location"].rsplit("/", 1)[1]
    [stored] = query(s3_app, studio.tenant_id, select(StoredFile))
    assert (stored.owner_kind, str(stored.owner_id), stored.status) == ("ticket", ticket_id, "ready")
    assert stored.uploaded_by_id is not None
    detail = staff.get(f"/app/tickets/{ticket_id}").get_data(as_text=True)
    assert f'data-direct-upload="/app/tickets/{ticket_id}/uploads"' in detail

    reply_url, offers = f"/app/tickets/{ticket_id}/reply", f"/app/tickets/{ticket_id}/uploads"

    def refused(upload_id: str, says: str) -> None:
        answer = staff.submit(reply_url, {"body": "补充", "internal": "1", "files.upload": upload_id})
        assert answer.status_code == 422 and says in answer.get_data(as_text=True), upload_id
        assert len(query(s3_app, studio.tenant_id, select(StoredFile).where(StoredFile.status == "ready"))) == 1

    # The client's upload for this very ticket is the portal's: the staff's form does not take it.
    portal_ticket = desk.visitor.submit(
        f"/portal/{studio.slug}/tickets/new", {"subject": "门头", "description": "不亮", "category": "repair"}
    ).headers["Location"]
    theirs = offer(f"{portal_ticket}/uploads", who=desk.visitor).get_json()
    _to_bucket(theirs, png_bytes())
    wrong = staff.submit(
        f"/app/tickets/{portal_ticket.rsplit('/', 1)[1]}/reply", {"body": "x", "files.upload": theirs["id"]}
    )
    assert wrong.status_code == 422 and "not one of this form" in wrong.get_data(as_text=True)
    # Another studio's, a forged id, one offered for a new ticket, an oversized file, an expired offer.
    their_desk_owner = s3_app.test_client()
    their_desk_owner.login(other_studio.owner_email)
    foreign = offer("/app/tickets/uploads", who=their_desk_owner).get_json()
    _to_bucket(foreign, png_bytes())
    refused(foreign["id"], "not one of this form")
    refused(str(uuid.uuid4()), "not one of this form")
    for_new = offer("/app/tickets/uploads").get_json()
    _to_bucket(for_new, png_bytes())
    refused(for_new["id"], "not one of this form")
    assert offer(offers, size=TEN_MB + 1).status_code == 422
    big = offer(offers).get_json()
    _to_bucket(big, png_bytes() + b"\0" * TEN_MB)
    refused(big["id"], "larger than 10 MB")
    late = offer(offers).get_json()
    _to_bucket(late, png_bytes())
    _expire(s3_app, studio.tenant_id, late["id"])
    refused(late["id"], "expired")
    assert offer(f"/app/tickets/{uuid.uuid4()}/uploads").status_code == 404

    note = offer(offers).get_json()
    _to_bucket(note, png_bytes())
    added = staff.submit(reply_url, {"body": NOTE_TEXT, "internal": "1", "files.upload": note["id"]})
    assert added.status_code == 302
    held = next(f for f in query(s3_app, studio.tenant_id, select(StoredFile)) if str(f.id) == note["id"])
    assert (held.owner_kind, held.status) == ("ticket_reply", "ready")
    portal_page = desk.visitor.get(f"/portal/{studio.slug}/tickets/{ticket_id}")
    assert portal_page.status_code in (200, 404) and NOTE_TEXT not in portal_page.get_data(as_text=True)


NOTE_TEXT = "内部：现场照片"


def test_without_s3_the_staff_ticket_and_portal_forms_send_their_files_themselves(
    app, client, new_client, studio, outbox
):
    desk = Desk(app, client, new_client, studio, outbox)
    page = client.get(f"/app/tickets/new?client={desk.client_id}").get_data(as_text=True)
    assert "data-direct-upload" not in page and 'enctype="multipart/form-data"' in page
    body = {"input": "files", "name": "a.png", "size": 9}
    assert (
        client.post("/app/tickets/uploads", json=body, headers={"X-CSRFToken": client.csrf_token()}).status_code == 404
    )
    form = {
        "client_id": desk.client_id,
        "subject": "灯箱维修",
        "description": "灯箱不亮",
        "priority": "normal",
        "source": "phone",
        "category": "repair",
    }
    sent = client.submit("/app/tickets/new", {**form, "files": (io.BytesIO(png_bytes()), "a.png")})
    assert sent.status_code == 302
    assert query(app, studio.tenant_id, select(StoredFile))[0].owner_kind == "ticket"
