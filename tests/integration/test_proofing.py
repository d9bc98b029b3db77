"""Design proofing (seed 000): a designer prepares version N of a draft, submits it to the client's reviewers;
they get an e-mail and a portal notification, pin comments, decide; the decision moves the project and gives
the designer a task with the feedback. Earlier versions lock; staff reply and resolve; a reviewer who has not
decided by the due date is reminded once. Bad input is refused with a message and writes nothing."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from sqlalchemy import select

from saas.clients.models import ClientEvent
from saas.notify.models import Delivery, Notification
from saas.portal_accounts.models import PortalUser
from saas.projects.models import Project, Task
from saas.proofing.models import Comment, Draft, Reviewer
from tests.conftest import link_in, query, studio_today
from tests.factories import client_with_contact, invite, new_project, png_bytes


def pdf_bytes(pages: int = 2) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for number in range(1, pages + 1):
        sheet.drawString(100, 700, f"Logo proposal, page {number}")
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def upload_to_draft(browser, draft_url: str, name: str, data: bytes, content_type: str) -> dict:
    headers = {"X-CSRFToken": browser.csrf_token()}
    body = {"name": name, "size": len(data), "content_type": content_type, "draft_id": draft_url.rsplit("/", 1)[1]}
    ticket = browser.post("/app/files", json=body, headers=headers)
    assert ticket.status_code == 201, ticket.get_json()
    ticket = ticket.get_json()
    assert browser.put(ticket["upload"]["url"], data=data, headers=headers).status_code == 204
    done = browser.post(ticket["complete_url"], headers=headers)
    assert done.status_code == 200, done.get_json()
    return done.get_json()


class Setup:
    """A studio with a client, its contact invited and signed in to the portal, and a project."""

    def __init__(self, app, client, new_client, studio, outbox, email: str = "zw@deer.test") -> None:
        self.app, self.staff, self.studio, self.outbox = app, client, studio, outbox
        client.login(studio.owner_email)
        self.client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", email)
        self.project_url = new_project(client, self.client_url, name="校园店品牌焕新")
        self.project_id = self.project_url.rsplit("/", 1)[1]
        self.reviewer = new_client()
        link = invite(client, contact_url, outbox, email)
        assert self.reviewer.submit(link, {}).status_code == 302
        self.portal_user = next(u for u in query(app, studio.tenant_id, select(PortalUser)) if u.email == email)

    def new_version(self) -> str:
        response = self.staff.submit(f"{self.project_url}/drafts", {})
        assert response.status_code == 302
        return response.headers["Location"]

    def submit(self, draft_url: str, **extra) -> object:
        form = {"reviewers": str(self.portal_user.id), "message": "请看第一版", **extra}
        return self.staff.submit(f"{draft_url}/submit", form)

    def prepared(self, files: tuple = ("logo.png",)) -> tuple[str, list[dict]]:
        draft_url = self.new_version()
        uploaded = []
        for name in files:
            if name.endswith(".pdf"):
                uploaded.append(upload_to_draft(self.staff, draft_url, name, pdf_bytes(), "application/pdf"))
            else:
                uploaded.append(upload_to_draft(self.staff, draft_url, name, png_bytes((400, 300)), "image/png"))
        return draft_url, uploaded

    def portal_url(self, draft_url: str) -> str:
        return f"/portal/{self.studio.slug}/drafts/{draft_url.rsplit('/', 1)[1]}"

    def rows(self, model, *where):
        return query(self.app, self.studio.tenant_id, select(model).where(*where))


def _stage_key(app, studio, project_id: str) -> str | None:
    return query(app, studio.tenant_id, select(Project).where(Project.id == uuid.UUID(project_id)))[0].stage.key


def test_the_whole_approval_flow_from_upload_to_approval(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, files = s.prepared(("logo.png", "方案.pdf"))
    assert s.reviewer.get(s.portal_url(draft_url)).status_code == 404  # still being prepared: not the client's yet

    due = (studio_today() + timedelta(days=3)).isoformat()
    assert s.submit(draft_url, due_on=due).status_code == 302
    mail = outbox.last("zw@deer.test")
    assert "校园店品牌焕新" in mail["Subject"] and mail["Message-ID"].startswith("<delivery-")
    assert link_in(mail) == s.portal_url(draft_url)
    assert "请看第一版" in mail.get_body(preferencelist=("html",)).get_content()
    home = s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
    assert "Drafts waiting for your review" in home and s.portal_url(draft_url) in home
    bell = s.reviewer.get("/portal/aurora/notifications").get_data(as_text=True)
    assert "asks for your review" in bell

    page = s.reviewer.get(s.portal_url(draft_url)).get_data(as_text=True)
    image = f"{s.portal_url(draft_url)}/files/{files[0]['id']}?preview=large"
    assert image.replace("?", "?") in page.replace("&amp;", "&")
    assert s.reviewer.get(image).status_code == 200
    assert s.reviewer.get(f"{s.portal_url(draft_url)}/files/{files[0]['id']}").status_code == 200  # large by default
    assert s.reviewer.get(f"{s.portal_url(draft_url)}/files/{files[0]['id']}?preview=thumb").status_code == 404

    comments = f"{s.portal_url(draft_url)}/comments"
    pin = {"file_id": files[0]["id"], "page": "1", "x": "0.25", "y": "0.4", "body": "Logo 再大一点"}
    assert s.reviewer.submit(comments, pin).status_code == 302
    on_pdf = {"file_id": files[1]["id"], "page": "2", "x": "0.8", "y": "0.1", "body": "第二页的字体换一下"}
    assert s.reviewer.submit(comments, on_pdf).status_code == 302
    assert s.reviewer.submit(comments, {"body": "整体方向很好"}).status_code == 302
    assert len(s.rows(Comment)) == 3
    designer_bell = s.staff.get("/app/notifications").get_data(as_text=True)
    assert "张伟 commented on 校园店品牌焕新, version 1" in designer_bell

    # Staff see every comment on the same page, reply in the thread and resolve pins.
    staff_page = s.staff.get(draft_url).get_data(as_text=True)
    assert "Logo 再大一点" in staff_page and "第二页的字体换一下" in staff_page
    first = next(c for c in s.rows(Comment) if c.body == "Logo 再大一点")
    assert s.staff.submit(f"{draft_url}/comments", {"parent_id": str(first.id), "body": "好的"}).status_code == 302
    assert "replied on" in s.reviewer.get("/portal/aurora/notifications").get_data(as_text=True)
    general = next(c for c in s.rows(Comment) if c.body == "整体方向很好")
    assert s.staff.submit(f"{draft_url}/resolve", {"resolve": str(general.id)}).status_code == 302

    decision = {"choice": "request_changes", "rating": "3", "note": "配色再暖一些"}
    assert s.reviewer.submit(f"{s.portal_url(draft_url)}/decision", decision).status_code == 302
    assert _stage_key(app, studio, s.project_id) == "revision"
    task = next(t for t in s.rows(Task) if t.title.startswith("Revise per feedback"))
    texts = [item["text"] for item in task.checklist]
    pins = ["Pin 1, logo.png: Logo 再大一点", "Pin 2, 方案.pdf page 2: 第二页的字体换一下"]
    assert texts == [*pins, "张伟: 配色再暖一些"]
    assert "asked for changes to" in outbox.last(studio.owner_email)["Subject"]
    reviewer = s.rows(Reviewer)[0]
    assert reviewer.choice == "request_changes" and reviewer.rating == 3 and reviewer.ip == "127.0.0.1"

    # Version 2: version 1 locks; the client compares and approves.
    draft2_url, _files2 = s.prepared(("logo-v2.png",))
    assert s.submit(draft2_url).status_code == 302
    assert s.reviewer.submit(comments, {"body": "v1 again"}).status_code == 303  # locked: refused
    assert len(s.rows(Comment, Comment.body == "v1 again")) == 0
    compare = s.reviewer.get(f"{s.portal_url(draft2_url)}?compare=1").get_data(as_text=True)
    assert "Version 1" in compare and "Version 2" in compare and files[0]["id"] in compare
    approve = {"choice": "approve", "rating": "5"}
    assert s.reviewer.submit(f"{s.portal_url(draft2_url)}/decision", approve).status_code == 302
    assert _stage_key(app, studio, s.project_id) == "delivery"
    assert any(t.title.startswith("Prepare delivery files") for t in s.rows(Task))

    # History on the project and the client's timeline.
    project_page = s.staff.get(s.project_url).get_data(as_text=True)
    assert "Version 2" in project_page and "Approve" in project_page and "IP 127.0.0.1" in project_page
    kinds = [e.kind for e in s.rows(ClientEvent)]
    assert kinds.count("draft.submitted") == 2 and kinds.count("draft.decided") == 2
    timeline = s.staff.get(s.client_url).get_data(as_text=True)
    assert "Draft sent for review" in timeline and "127.0.0.1" in timeline


def test_the_studio_chooses_where_an_approved_draft_takes_the_project(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    from saas.projects.models import PipelineStage

    final = next(st for st in s.rows(PipelineStage) if st.key == "final")
    assert client.submit("/app/settings/pipeline/proofing", {"approved_stage_id": str(final.id)}).status_code == 302
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    s.reviewer.submit(f"{s.portal_url(draft_url)}/decision", {"choice": "approve_with_changes"})
    assert _stage_key(app, studio, s.project_id) == "final"
    assert s.rows(Draft)[0].status == "approved_with_changes"


def test_bad_input_is_refused_with_a_message_and_writes_nothing(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, files = s.prepared()
    assert s.submit(draft_url, due_on="2020-01-01").status_code == 303
    assert s.staff.submit(f"{draft_url}/submit", {"message": "x"}).status_code == 303  # no reviewer
    assert s.rows(Draft)[0].status == "preparing"
    assert s.submit(draft_url).status_code == 302
    comments = f"{s.portal_url(draft_url)}/comments"
    cases = [
        ({"file_id": files[0]["id"], "page": "1", "x": "1.5", "y": "0.2", "body": "off the page"}, "on the page"),
        ({"file_id": files[0]["id"], "page": "2", "x": "0.5", "y": "0.2", "body": "no such page"}, "on the page"),
        ({"file_id": files[0]["id"], "x": "0.5", "body": "half a spot"}, "on the page"),
        ({"body": "x" * 100_000}, "under 5000 characters"),
        ({"body": "   "}, "Write a comment"),
        ({"file_id": str(uuid.uuid4()), "page": "1", "x": "0.5", "y": "0.5", "body": "unknown file"}, "this version"),
    ]
    for form, message in cases:
        response = s.reviewer.submit(comments, form, follow_redirects=True)
        assert message in response.get_data(as_text=True), form.get("body", "")[:20]
    assert s.rows(Comment) == []
    decision = f"{s.portal_url(draft_url)}/decision"
    assert "Choose approve" in s.reviewer.submit(decision, {"rating": "4"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "1 to 5" in s.reviewer.submit(
        decision, {"choice": "approve", "rating": "9"}, follow_redirects=True
    ).get_data(as_text=True)
    assert s.rows(Reviewer)[0].decided_at is None and s.rows(Draft)[0].status == "in_review"
    # A submitted version's files are fixed.
    body = {"name": "late.png", "size": 10, "content_type": "image/png", "draft_id": draft_url.rsplit("/", 1)[1]}
    late = s.staff.post("/app/files", json=body, headers={"X-CSRFToken": s.staff.csrf_token()})
    assert late.status_code == 422 and "Start a new version" in str(late.get_json())
    zip_body = {**body, "name": "package.zip", "content_type": "application/zip"}
    draft2 = s.new_version()
    zip_body["draft_id"] = draft2.rsplit("/", 1)[1]
    refused = s.staff.post("/app/files", json=zip_body, headers={"X-CSRFToken": s.staff.csrf_token()})
    assert refused.status_code == 422


def test_a_reviewer_who_has_not_decided_is_reminded_once(app, client, new_client, studio, outbox):
    from saas.scheduling import tick

    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url, due_on=studio_today().isoformat())
    before = len([m for m in outbox.messages() if m["To"] == "zw@deer.test"])
    tick(app)  # inline: the periodic work runs now, studio by studio
    tick(app)
    reminders = [m for m in outbox.messages() if m["To"] == "zw@deer.test" and "reminder" in m["Subject"]]
    assert len(reminders) == 1 and len(outbox.messages()) >= before + 1
    assert s.rows(Reviewer)[0].reminded_at is not None
    assert len(s.rows(Notification, Notification.kind == "review_reminder")) == 1


def test_every_email_goes_through_the_outbox_once(app, client, new_client, studio, outbox):
    from saas.scheduling import tick

    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    deliveries = s.rows(Delivery)
    assert [d.status for d in deliveries] == ["sent"] and deliveries[0].attempts == 1
    tick(app)  # the sweep finds nothing due: nothing is sent again
    assert len([m for m in outbox.messages() if m["Message-ID"] == f"<delivery-{deliveries[0].id}@atelier>"]) == 1


def test_the_bell_counts_unread_and_opening_marks_read(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    draft_url, _files = s.prepared()
    s.submit(draft_url)
    home = s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
    assert 'class="bell-count" data-unread>1<' in home
    note = s.rows(Notification)[0]
    opened = s.reviewer.get(f"/portal/aurora/notifications/{note.id}")
    assert opened.status_code == 302 and opened.headers["Location"] == s.portal_url(draft_url)
    assert "bell-count" not in s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
    assert s.staff.get(f"/app/notifications/{note.id}").status_code == 404  # not the staff member's
