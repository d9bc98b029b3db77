"""Drafts, pins and notifications across clients and studios: another studio's staff get 404 on every proofing
route; a portal user of client B (same studio or another) cannot open, pin or decide on client A's drafts; a pin
naming another studio's file is refused; and nothing of theirs changes."""

from __future__ import annotations

from sqlalchemy import select

from saas.notify.models import Notification
from saas.proofing.models import Comment, Draft, Reviewer
from tests.conftest import query
from tests.factories import client_with_contact, invite
from tests.integration.test_proofing import Setup


def test_another_studios_staff_get_404_on_every_proofing_route(app, client, new_client, studio, other_studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, files = s.prepared()
    s.submit(draft_url)
    s.reviewer.submit(f"{s.portal_url(draft_url)}/comments", {"body": "A 的意见"})
    comment = s.rows(Comment)[0]
    note = s.rows(Notification, Notification.user_id.is_not(None))[0]

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    for method, path, data in (
        ("get", draft_url, None),
        ("post", f"{s.project_url}/drafts", {}),
        ("post", f"{draft_url}/submit", {"reviewers": str(s.portal_user.id)}),
        ("post", f"{draft_url}/comments", {"body": "hacked"}),
        ("post", f"{draft_url}/resolve", {"resolve": str(comment.id)}),
        ("post", f"{draft_url}/files/{files[0]['id']}/remove", {}),
        ("get", f"/app/files/{files[0]['id']}?preview=large", None),
        ("get", f"/app/notifications/{note.id}", None),
    ):
        response = intruder.get(path) if method == "get" else intruder.submit(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "A 的意见" not in response.get_data(as_text=True)
    headers = {"X-CSRFToken": intruder.csrf_token()}
    body = {"name": "x.png", "size": 10, "content_type": "image/png", "draft_id": draft_url.rsplit("/", 1)[1]}
    assert intruder.post("/app/files", json=body, headers=headers).status_code == 422
    assert "A 的意见" not in intruder.get("/app/notifications").get_data(as_text=True)
    assert [c.body for c in s.rows(Comment)] == ["A 的意见"] and s.rows(Comment)[0].resolved_at is None
    assert s.rows(Draft)[0].status == "in_review"


def test_a_portal_user_of_another_client_or_studio_cannot_open_pin_or_decide(
    app, client, new_client, studio, other_studio, outbox
):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, files = s.prepared()
    s.submit(draft_url)
    portal_draft = s.portal_url(draft_url)

    # Client B of the same studio, signed in to the same portal.
    _url, contact_b = client_with_contact(client, app, studio, "Client B", "b@other-client.test")
    neighbour = new_client()
    assert neighbour.submit(invite(client, contact_b, outbox, "b@other-client.test"), {}).status_code == 302
    # A contact of a client of another studio.
    stranger_staff = new_client()
    stranger_staff.login(other_studio.owner_email)
    _url, contact_c = client_with_contact(stranger_staff, app, other_studio, "Bamboo client", "c@bamboo-client.test")
    stranger = new_client()
    assert stranger.submit(invite(stranger_staff, contact_c, outbox, "c@bamboo-client.test"), {}).status_code == 302

    file_url = f"{portal_draft}/files/{files[0]['id']}?preview=large"
    for visitor, prefix in ((neighbour, "/portal/aurora"), (stranger, "/portal/bamboo")):
        moved = portal_draft.replace("/portal/aurora", prefix)
        assert visitor.get(moved).status_code == 404
        assert visitor.get(file_url.replace("/portal/aurora", prefix)).status_code == 404
        pin = {"file_id": files[0]["id"], "page": "1", "x": "0.5", "y": "0.5", "body": "intruding"}
        assert visitor.submit(f"{moved}/comments", pin).status_code == 404
        assert visitor.submit(f"{moved}/decision", {"choice": "approve"}).status_code == 404
    assert s.rows(Comment) == [] and s.rows(Reviewer)[0].decided_at is None


def test_a_pin_on_another_studios_draft_file_is_refused(app, client, new_client, studio, other_studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    theirs_staff = new_client()
    theirs = Setup(app, theirs_staff, new_client, other_studio, outbox, email="x@bamboo-client.test")
    their_draft, their_files = theirs.prepared()
    theirs.submit(their_draft)

    pin = {"file_id": their_files[0]["id"], "page": "1", "x": "0.5", "y": "0.5", "body": "pin elsewhere"}
    refused = s.reviewer.submit(f"{s.portal_url(draft_url)}/comments", pin, follow_redirects=True)
    assert "Pin a comment on one of this version" in refused.get_data(as_text=True)
    staff_refused = client.submit(f"{draft_url}/comments", pin, follow_redirects=True)
    assert "Pin a comment on one of this version" in staff_refused.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Comment)) == []
    assert query(app, other_studio.tenant_id, select(Comment)) == []
