"""/api/v1 for proofing and the bell: a project's drafts, one draft with its files and comment threads, staff
comments, replies and resolving through the API (the same rules as the staff pages, seen on them), bad input
refused with nothing written, other studios' ids answered 404, and the token person's notifications."""

from __future__ import annotations

import uuid

from saas.notify.models import Notification
from saas.proofing.models import Comment
from tests.factories import api, make_token
from tests.integration.test_proofing import Setup


def _reviewed(app, client, new_client, studio, outbox) -> tuple[Setup, str, list[dict]]:
    """A submitted version (a PNG and a two-page PDF) the client pinned twice and commented on once."""
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, files = s.prepared(("logo.png", "方案.pdf"))
    assert s.submit(draft_url).status_code == 302
    comments = f"{s.portal_url(draft_url)}/comments"
    pins = (
        {"file_id": files[0]["id"], "page": "1", "x": "0.25", "y": "0.4", "body": "Logo 再大一点"},
        {"file_id": files[1]["id"], "page": "2", "x": "0.8", "y": "0.1", "body": "第二页的字体换一下"},
        {"body": "整体方向很好"},
    )
    for form in pins:
        assert s.reviewer.submit(comments, form).status_code == 302
    return s, draft_url, files


def _draft_id(draft_url: str) -> str:
    return draft_url.rsplit("/", 1)[1]


def _comment(s: Setup, body: str) -> Comment:
    return next(c for c in s.rows(Comment) if c.body == body)


def test_list_drafts_and_read_one_with_its_files_and_threads(app, client, new_client, studio, outbox):
    s, draft_url, files = _reviewed(app, client, new_client, studio, outbox)
    draft2_url = s.new_version()  # being prepared: staff see it too, newest first
    http = api(app, make_token(client))

    listed = http.get(f"/api/v1/projects/{s.project_id}/drafts")
    assert listed.status_code == 200
    drafts = listed.get_json()["data"]
    assert [(d["id"], d["number"], d["status"]) for d in drafts] == [
        (_draft_id(draft2_url), 2, "preparing"),
        (_draft_id(draft_url), 1, "in_review"),
    ]
    first = drafts[1]
    assert first["locked"] is False and first["submitted_at"] and first["decided_at"] is None
    assert first["project_id"] == s.project_id
    assert first["reviewers"] == [{"name": "张伟", "choice": None, "rating": None, "decided_at": None, "ip": None}]

    read = http.get(f"/api/v1/drafts/{_draft_id(draft_url)}")
    assert read.status_code == 200
    body = read.get_json()
    assert {k: body[k] for k in ("id", "number", "status", "locked")} == {
        "id": _draft_id(draft_url),
        "number": 1,
        "status": "in_review",
        "locked": False,
    }
    assert [(f["id"], f["name"], f["content_type"], f["pages"]) for f in body["files"]] == [
        (files[0]["id"], "logo.png", "image/png", 1),
        (files[1]["id"], "方案.pdf", "application/pdf", 2),
    ]
    threads = body["comments"]
    assert [(t["number"], t["body"], t["author_name"]) for t in threads] == [
        (1, "Logo 再大一点", "张伟"),
        (2, "第二页的字体换一下", "张伟"),
        (None, "整体方向很好", "张伟"),
    ]
    pin = threads[1]
    assert (pin["file_id"], pin["page"], pin["x"], pin["y"]) == (files[1]["id"], 2, 0.8, 0.1)
    assert threads[2]["file_id"] is None and threads[2]["x"] is None
    assert all(t["replies"] == [] and t["resolved_at"] is None and t["created_at"] for t in threads)


def test_staff_reply_pin_and_resolve_through_the_api_show_on_the_staff_page(app, client, new_client, studio, outbox):
    s, draft_url, files = _reviewed(app, client, new_client, studio, outbox)
    http = api(app, make_token(client))
    base = f"/api/v1/drafts/{_draft_id(draft_url)}"
    first, general = _comment(s, "Logo 再大一点"), _comment(s, "整体方向很好")

    reply = http.post(f"{base}/comments", json={"parent_id": str(first.id), "body": "好的，马上改"})
    assert reply.status_code == 201, reply.get_json()
    made = reply.get_json()
    assert (made["parent_id"], made["body"], made["author_name"]) == (str(first.id), "好的，马上改", "Owner of aurora")
    assert "replied on" in s.reviewer.get("/portal/aurora/notifications").get_data(as_text=True)
    staff_pin = {"file_id": files[1]["id"], "page": 1, "x": 0.5, "y": 0.75, "body": "我们这里也调整一下"}
    pinned = http.post(f"{base}/comments", json=staff_pin)
    assert pinned.status_code == 201
    assert {k: pinned.get_json()[k] for k in ("file_id", "page", "x", "y", "parent_id")} == {
        "file_id": files[1]["id"],
        "page": 1,
        "x": 0.5,
        "y": 0.75,
        "parent_id": None,
    }

    resolved = http.post(f"{base}/comments/{general.id}/resolve")
    assert resolved.status_code == 200
    assert resolved.get_json()["id"] == str(general.id) and resolved.get_json()["resolved_at"]
    assert resolved.get_json()["number"] is None
    reopened = http.post(f"{base}/comments/{general.id}/reopen")
    assert reopened.status_code == 200 and reopened.get_json()["resolved_at"] is None
    thread = http.post(f"{base}/comments/{first.id}/resolve").get_json()
    assert thread["number"] == 1 and thread["resolved_at"]
    assert [r["body"] for r in thread["replies"]] == ["好的，马上改"]
    assert _comment(s, "Logo 再大一点").resolved_at is not None and _comment(s, "整体方向很好").resolved_at is None

    reply_id = made["id"]
    refused = http.post(f"{base}/comments/{reply_id}/resolve")
    assert refused.status_code == 422 and "comment" in refused.get_json()["errors"]
    other_draft = _draft_id(s.new_version())  # a real comment id, but not of this draft
    assert http.post(f"/api/v1/drafts/{other_draft}/comments/{general.id}/resolve").status_code == 404

    threads = http.get(base).get_json()["comments"]
    assert [t["number"] for t in threads] == [1, 2, None, 3]
    assert threads[0]["replies"][0]["author_name"] == "Owner of aurora"
    page = s.staff.get(draft_url).get_data(as_text=True)
    assert "好的，马上改" in page and "我们这里也调整一下" in page
    assert f'<li class="thread resolved" id="c-{first.id}">' in page
    assert f'<li class="thread" id="c-{general.id}">' in page


def test_bad_input_and_roles_are_refused_and_write_nothing(app, client, new_client, studio, outbox):
    s, draft_url, files = _reviewed(app, client, new_client, studio, outbox)
    http = api(app, make_token(client))
    base = f"/api/v1/drafts/{_draft_id(draft_url)}"
    first = _comment(s, "Logo 再大一点")
    cases = [
        ({"body": "x" * 100_000}, "body"),
        ({"body": "   "}, "body"),
        ({"body": 42}, "body"),
        ({"file_id": files[0]["id"], "page": 1, "x": 2, "y": 0.5, "body": "off the page"}, "pin"),
        ({"file_id": files[0]["id"], "page": 2, "x": 0.5, "y": 0.5, "body": "no such page"}, "pin"),
        ({"file_id": files[0]["id"], "x": 0.5, "body": "half a spot"}, "pin"),
        ({"file_id": str(uuid.uuid4()), "page": 1, "x": 0.5, "y": 0.5, "body": "unknown file"}, "pin"),
        ({"parent_id": str(uuid.uuid4()), "body": "reply to nothing"}, "parent_id"),
        ({"body": "fine", "colour": "red"}, "colour"),  # unknown fields are refused, as everywhere in the API
        ({"body": "fine", "x": "far left", "file_id": files[0]["id"], "y": 0.5}, "x"),
    ]
    before = len(s.rows(Comment))
    for payload, field in cases:
        response = http.post(f"{base}/comments", json=payload)
        assert response.status_code == 422, payload.get("body", "")[:20]
        assert field in response.get_json()["errors"], response.get_json()
    assert "5000" in http.post(f"{base}/comments", json={"body": "x" * 100_000}).get_json()["errors"]["body"][0]
    not_json = http.post(f"{base}/comments", data="body=x", content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 422
    assert len(s.rows(Comment)) == before

    finance = api(app, make_token(client, "finance", "books"))  # sees the project, does not work on it
    assert finance.get(base).status_code == 200
    assert finance.post(f"{base}/comments", json={"body": "from finance"}).status_code == 403
    assert finance.post(f"{base}/comments/{first.id}/resolve").status_code == 403
    assert len(s.rows(Comment)) == before and _comment(s, "Logo 再大一点").resolved_at is None

    draft2_url, _files2 = s.prepared(("logo-v2.png",))
    assert http.post(f"/api/v1/drafts/{_draft_id(draft2_url)}/comments", json={"body": "too early"}).status_code == 422
    assert s.submit(draft2_url).status_code == 302  # version 1 locks
    locked = http.get(base).get_json()
    assert locked["locked"] is True and locked["status"] == "superseded"
    late = http.post(f"{base}/comments", json={"body": "too late"})
    assert late.status_code == 422 and "draft" in late.get_json()["errors"]
    assert http.post(f"{base}/comments/{first.id}/resolve").status_code == 422
    assert len(s.rows(Comment)) == before and _comment(s, "Logo 再大一点").resolved_at is None


def test_another_studios_token_gets_404_and_changes_nothing(app, client, new_client, studio, other_studio, outbox):
    s, draft_url, files = _reviewed(app, client, new_client, studio, outbox)
    ours = api(app, make_token(client))
    base = f"/api/v1/drafts/{_draft_id(draft_url)}"
    first, general = _comment(s, "Logo 再大一点"), _comment(s, "整体方向很好")
    assert ours.post(f"{base}/comments/{general.id}/resolve").status_code == 200
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    theirs = api(app, make_token(intruder))
    pin = {"file_id": files[0]["id"], "page": 1, "x": 0.5, "y": 0.5, "body": "hacked"}

    for method, path, payload in (
        ("get", f"/api/v1/projects/{s.project_id}/drafts", None),
        ("get", base, None),
        ("post", f"{base}/comments", {"body": "hacked"}),
        ("post", f"{base}/comments", pin),
        ("post", f"{base}/comments", {"parent_id": str(first.id), "body": "hacked"}),
        ("post", f"{base}/comments/{first.id}/resolve", None),
        ("post", f"{base}/comments/{general.id}/reopen", None),
    ):
        response = getattr(theirs, method)(path, json=payload)
        assert response.status_code == 404, (method, path)
        text = response.get_data(as_text=True)
        assert not any(word in text for word in ("鹿鸣", "校园店", "Logo", "张伟", "整体")), text
    assert theirs.get("/api/v1/notifications").get_json() == {"data": [], "unread": 0}
    assert theirs.post("/api/v1/notifications/read").status_code == 204

    assert len(s.rows(Comment)) == 3 and not s.rows(Comment, Comment.body == "hacked")
    assert _comment(s, "Logo 再大一点").resolved_at is None and _comment(s, "整体方向很好").resolved_at is not None
    mine = ours.get("/api/v1/notifications").get_json()
    assert mine["unread"] == 3 and all(n["read_at"] is None for n in mine["data"])  # their "read all" is theirs


def test_notifications_list_unread_and_read_for_the_designer(app, client, new_client, studio, outbox):
    s, draft_url, _files = _reviewed(app, client, new_client, studio, outbox)
    http = api(app, make_token(client))

    listed = http.get("/api/v1/notifications")
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["unread"] == 3 == len(s.rows(Notification, Notification.kind == "draft_commented"))
    newest = body["data"][0]
    assert newest["kind"] == "draft_commented" and newest["read_at"] is None and newest["created_at"]
    assert newest["title"] == "张伟 commented on 校园店品牌焕新, version 1"
    assert newest["detail"] == "整体方向很好"
    assert newest["link"] == f"/app/drafts/{_draft_id(draft_url)}"
    assert sorted(n["detail"] for n in body["data"]) == sorted(["Logo 再大一点", "第二页的字体换一下", "整体方向很好"])
    chinese = http.get("/api/v1/notifications", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_json()
    assert chinese["data"][0]["title"] == "张伟 评论了「校园店品牌焕新」第 1 版"

    assert http.post("/api/v1/notifications/read").status_code == 204
    after = http.get("/api/v1/notifications").get_json()
    assert after["unread"] == 0 and all(n["read_at"] for n in after["data"]) and len(after["data"]) == 3
    assert "Mark all as read" not in s.staff.get("/app/notifications").get_data(as_text=True)
    # Only the token person's: the client's own bell is untouched.
    assert 'class="bell-count" data-unread>1<' in s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
