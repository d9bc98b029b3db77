"""Uploads straight to the bucket from a public form and from the portal's tickets (issue 16): with S3 (the moto
server over HTTP) the page's script asks the app for a presigned POST reserved for one question (or ticket), sends
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
from saas.forms.models import Submission
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
