"""Service tickets through every surface: a client raises one in the portal, staff answer it (a reply the client
sees, an internal note that never reaches the portal nor the client's e-mails), the client's answer reopens a
ticket waiting on them, an urgent ticket alerts the assignee and the managers at once, an SLA breach alerts them
once however many sweeps run, the API reads and changes tickets with If-Match, and who sees what: finance
nothing, a portal user their own client's tickets only."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from PIL import Image
from sqlalchemy import select, update

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.notify.models import Notification
from saas.scheduling import tick
from saas.tickets.models import Ticket
from tests.conftest import add_member, body_text, query
from tests.factories import client_with_contact, invite
from tests.integration.test_api import api, make_token

NOTE = "内部备注：客户上次付款拖了两个月"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class Desk:
    """Studio A with a manager, a designer and a finance person; client 鹿鸣咖啡 whose contact 张伟 is signed in to
    the portal (`visitor`); the owner signed in to the workspace (`staff`)."""

    def __init__(self, app, client, new_client, studio, outbox) -> None:
        self.app, self.studio, self.outbox, self.staff = app, studio, outbox, client
        self.manager = add_member(app, studio, "mgr@aurora.test", "manager", "Manager Mei")
        self.designer = add_member(app, studio, "des@aurora.test", "member", "Designer Du")
        add_member(app, studio, "fin@aurora.test", "finance")
        client.login(studio.owner_email)
        self.client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
        self.client_id = self.client_url.rsplit("/", 1)[1]
        self.visitor = new_client()
        self.visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
        self.token = make_token(client)
        self.http = api(app, self.token)

    def user_id(self, email: str) -> str:
        members = self.http.get("/api/v1/members").get_json()["data"]
        return next(m["user_id"] for m in members if m["email"] == email)

    def ticket(self, ticket_id: str) -> Ticket:
        return query(self.app, self.studio.tenant_id, select(Ticket).where(Ticket.id == uuid.UUID(ticket_id)))[0]

    def notes(self, kind: str) -> list[Notification]:
        return query(self.app, self.studio.tenant_id, select(Notification).where(Notification.kind == kind))


def _desk(app, client, new_client, studio, outbox) -> Desk:
    return Desk(app, client, new_client, studio, outbox)


def test_a_client_raises_a_ticket_staff_answer_and_notes_never_reach_the_portal(
    app, client, new_client, studio, outbox
):
    d = _desk(app, client, new_client, studio, outbox)
    form = {"subject": "门头灯箱不亮了", "description": "昨晚开始不亮，请尽快安排维修。", "category": "repair"}
    raised = d.visitor.post(
        "/portal/aurora/tickets/new",
        data={**form, "csrf_token": d.visitor.csrf_token(), "files": (io.BytesIO(png()), "照片.png")},
        content_type="multipart/form-data",
    )
    assert raised.status_code == 302, raised.get_data(as_text=True)[:500]
    ticket_id = raised.headers["Location"].rsplit("/", 1)[1]
    ticket = d.ticket(ticket_id)
    assert (ticket.number, ticket.source, ticket.status, ticket.category) == ("T-0001", "portal", "new", "repair")
    assert ticket.first_response_due_at is not None and ticket.resolution_due_at > ticket.first_response_due_at
    assert d.notes("ticket_from_client")  # the managers heard of it

    page = d.staff.get(f"/app/tickets/{ticket_id}").get_data(as_text=True)
    assert "门头灯箱不亮了" in page and "照片.png" in page
    note = d.staff.submit(f"/app/tickets/{ticket_id}/reply", {"body": NOTE, "internal": "1"})
    assert note.status_code == 302
    assert d.ticket(ticket_id).first_response_at is None  # a note is no answer to the client
    answer = d.staff.submit(
        f"/app/tickets/{ticket_id}/reply", {"body": "明早十点师傅上门。", "internal": "0", "wait": "1"}
    )
    assert answer.status_code == 302
    ticket = d.ticket(ticket_id)
    assert ticket.first_response_at is not None and ticket.status == "waiting"

    portal = d.visitor.get(f"/portal/aurora/tickets/{ticket_id}").get_data(as_text=True)
    assert "明早十点师傅上门。" in portal and NOTE not in portal and "内部备注" not in portal
    assert "照片.png" in portal
    client_mails = [m for m in outbox.messages() if m["To"] == "zw@deer.test"]
    assert any("明早十点师傅上门" in body_text(m) for m in client_mails)
    assert not any(NOTE in body_text(m) or NOTE in m["Subject"] for m in client_mails)
    portal_notes = d.visitor.get("/portal/aurora/notifications").get_data(as_text=True)
    assert NOTE not in portal_notes

    reply = d.visitor.submit(f"/portal/aurora/tickets/{ticket_id}/reply", {"body": "好的，谢谢。"})
    assert reply.status_code == 302
    assert d.ticket(ticket_id).status == "open"  # the client's answer reopens a ticket waiting on them
    assert d.notes("ticket_client_replied")
    staff_page = d.staff.get(f"/app/tickets/{ticket_id}").get_data(as_text=True)
    assert "好的，谢谢。" in staff_page and NOTE in staff_page and "internal-note" in staff_page


def test_staff_raise_an_urgent_ticket_from_the_client_page_and_the_assignee_and_managers_hear_at_once(
    app, client, new_client, studio, outbox
):
    d = _desk(app, client, new_client, studio, outbox)
    assert "New ticket" in d.staff.get(d.client_url).get_data(as_text=True)
    assert d.staff.get(f"/app/tickets/new?client={d.client_id}").status_code == 200
    designer = d.user_id("des@aurora.test")
    form = {
        "client_id": d.client_id,
        "subject": "开业前一天招牌字错了",
        "description": "客户电话：招牌上的“鹿”字写错，明天开业。",
        "priority": "urgent",
        "source": "phone",
        "category": "complaint",
        "assignee_id": designer,
    }
    made = d.staff.submit("/app/tickets/new", form)
    assert made.status_code == 302, made.get_data(as_text=True)[:800]
    urgent = d.notes("ticket_urgent")
    assert {n.user_id for n in urgent} == {uuid.UUID(designer), uuid.UUID(d.user_id("mgr@aurora.test"))}
    assert any(m["To"] == "des@aurora.test" and "Urgent ticket" in m["Subject"] for m in outbox.messages())
    listing = d.staff.get("/app/tickets").get_data(as_text=True)
    assert "开业前一天招牌字错了" in listing
    assert "开业前一天招牌字错了" in d.staff.get(d.client_url).get_data(as_text=True)
    timeline = d.staff.get(d.client_url, query_string={"only": "changes"}).get_data(as_text=True)
    assert "Ticket raised" in timeline and "T-0001" in timeline
    assert d.staff.get("/app/tickets?priority=low").get_data(as_text=True).count("开业前一天") == 0

    refused = d.staff.submit("/app/tickets/new", {**form, "subject": "a\x00b"})
    assert refused.status_code == 422 and "subject" in refused.get_data(as_text=True)
    wrong = d.staff.submit("/app/tickets/new", {**form, "category": "no-such"})
    assert wrong.status_code == 422


def test_an_sla_breach_alerts_once_however_many_sweeps_run(app, client, new_client, studio, outbox):
    d = _desk(app, client, new_client, studio, outbox)
    designer = d.user_id("des@aurora.test")
    body = {"client_id": d.client_id, "subject": "改一下名片", "description": "电话改了", "assignee_id": designer}
    ticket = d.http.post("/api/v1/tickets", json=body).get_json()
    past = utcnow() - timedelta(hours=1)
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(
            update(Ticket).where(Ticket.id == uuid.UUID(ticket["id"])).values(first_response_due_at=past)
        )
        db.session.commit()
    assert d.http.get(f"/api/v1/tickets/{ticket['id']}").get_json()["overdue"] is True
    for _ in range(3):
        tick(app)
    breached = d.notes("ticket_breached")
    assert sorted(str(n.user_id) for n in breached) == sorted([designer, d.user_id("mgr@aurora.test")])
    assert d.ticket(ticket["id"]).response_breach_alerted_at is not None
    mails = [m for m in outbox.messages() if "first-response time" in m["Subject"]]
    assert len(mails) == 2
    first = d.http.get("/api/v1/tickets").get_json()["data"][0]
    assert first["id"] == ticket["id"]  # overdue first
    page = d.staff.get(f"/app/tickets/{ticket['id']}").get_data(as_text=True)
    assert "late" in page


def test_the_api_raises_reads_patches_with_if_match_and_keeps_notes_out_of_the_portal(
    app, client, new_client, studio, outbox
):
    d = _desk(app, client, new_client, studio, outbox)
    made = d.http.post("/api/v1/tickets", json={"client_id": d.client_id, "subject": "咨询", "description": "问"})
    assert made.status_code == 201 and made.headers["Location"].startswith("/api/v1/tickets/")
    ticket = made.get_json()
    url = f"/api/v1/tickets/{ticket['id']}"
    assert ticket["number"] == "T-0001" and ticket["category"] == "other" and ticket["status"] == "new"
    etag = d.http.get(url).headers["ETag"]
    assert d.http.patch(url, json={"priority": "high"}).status_code == 428
    changed = d.http.patch(url, json={"priority": "high", "status": "open"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["priority"] == "high"
    stale = d.http.patch(url, json={"status": "resolved"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert d.http.post(f"{url}/notes", json={"body": NOTE}).status_code == 201
    assert d.http.post(f"{url}/replies", json={"body": "已处理", "wait": True}).status_code == 201
    thread = d.http.get(f"{url}/replies").get_json()["data"]
    assert [m["internal"] for m in thread] == [True, False]
    assert d.http.get(url).get_json()["status"] == "waiting"
    hostile = d.http.post(f"{url}/replies", json={"body": "a\ud800b"})
    assert hostile.status_code == 422 and "body" in hostile.get_json()["errors"]
    portal = d.visitor.get(f"/portal/aurora/tickets/{ticket['id']}").get_data(as_text=True)
    assert "已处理" in portal and NOTE not in portal
    resolved = d.http.patch(url, json={"status": "resolved"}, headers={"If-Match": d.http.get(url).headers["ETag"]})
    assert resolved.get_json()["resolved_at"] is not None

    finance = d.staff  # finance sees no tickets: the list is refused, a ticket reads as missing
    finance_token = make_token(finance, role="finance", name="fin")
    books = api(app, finance_token)
    assert books.get("/api/v1/tickets").status_code == 403
    assert books.get(url).status_code == 404


def test_another_studios_and_another_clients_tickets_are_404_everywhere(
    app, client, new_client, studio, other_studio, outbox
):
    d = _desk(app, client, new_client, studio, outbox)
    b_url, _b_contact = client_with_contact(client, app, studio, "Client B", "b@b.test")
    b_ticket = d.http.post(
        "/api/v1/tickets", json={"client_id": b_url.rsplit("/", 1)[1], "subject": "B 的秘密", "description": "x"}
    ).get_json()
    own = d.http.post("/api/v1/tickets", json={"client_id": d.client_id, "subject": "A 的", "description": "x"})
    a_id, b_id = own.get_json()["id"], b_ticket["id"]
    # A portal user of client A: client B's ticket, in the same studio, is missing.
    assert d.visitor.get(f"/portal/aurora/tickets/{b_id}").status_code == 404
    assert d.visitor.submit(f"/portal/aurora/tickets/{b_id}/reply", {"body": "hi"}).status_code == 404
    assert "B 的秘密" not in d.visitor.get("/portal/aurora/tickets").get_data(as_text=True)

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    before = d.ticket(a_id).version
    for path in (f"/app/tickets/{a_id}",):
        answer = intruder.get(path)
        assert answer.status_code == 404 and "A 的" not in answer.get_data(as_text=True)
    assert intruder.submit(f"/app/tickets/{a_id}/reply", {"body": "hi"}).status_code == 404
    assert intruder.submit(f"/app/tickets/{a_id}/change", {"status": "closed", "version": 1}).status_code == 404
    assert "A 的" not in intruder.get("/app/tickets?status=all").get_data(as_text=True)
    other = api(app, make_token(intruder, name="b"))
    assert other.get(f"/api/v1/tickets/{a_id}").status_code == 404
    assert (
        other.patch(f"/api/v1/tickets/{a_id}", json={"status": "closed"}, headers={"If-Match": 'W/"1"'}).status_code
        == 404
    )
    assert other.post(f"/api/v1/tickets/{a_id}/notes", json={"body": "x"}).status_code == 404
    assert other.get(f"/api/v1/tickets/{a_id}/replies").status_code == 404
    assert other.get("/api/v1/tickets?status=all").get_json()["data"] == []
    assert d.ticket(a_id).version == before and d.ticket(a_id).status == "new"
    # Studio B's portal does not know studio A's tickets either.
    assert d.visitor.get(f"/portal/bamboo/tickets/{a_id}").status_code in (302, 404)


def test_admins_set_business_hours_sla_and_categories(app, client, new_client, studio, outbox):
    d = _desk(app, client, new_client, studio, outbox)
    page = d.staff.get("/app/settings/tickets")
    assert page.status_code == 200 and "Business hours" in page.get_data(as_text=True)
    form = {
        "work_days": ["0", "1", "2", "3", "4", "5"],
        "day_start": "10:00",
        "day_end": "19:00",
        "categories": "design_change\nrepair\n软装补货",
        "low_first_response": "24",
        "low_resolution": "96",
        "normal_first_response": "8",
        "normal_resolution": "40",
        "high_first_response": "2",
        "high_resolution": "16",
        "urgent_first_response": "0.5",
        "urgent_resolution": "6",
    }
    assert d.staff.submit("/app/settings/tickets", form).status_code == 302
    bad = d.staff.submit("/app/settings/tickets", {**form, "day_end": "08:00"})
    assert bad.status_code == 422
    made = d.http.post(
        "/api/v1/tickets",
        json={"client_id": d.client_id, "subject": "补货", "description": "x", "category": "软装补货"},
    )
    assert made.status_code == 201, made.get_json()
    designer = new_client()
    designer.login("des@aurora.test")
    assert designer.get("/app/settings/tickets").status_code == 403


def test_files_of_internal_notes_stay_in_the_studio_and_stale_or_hostile_forms_are_refused(
    app, client, new_client, studio, outbox
):
    from saas.files.models import StoredFile

    d = _desk(app, client, new_client, studio, outbox)
    made = d.visitor.submit("/portal/aurora/tickets/new", {"subject": "补一张效果图", "description": "客厅角度"})
    ticket_id = made.headers["Location"].rsplit("/", 1)[1]
    note = d.staff.post(
        f"/app/tickets/{ticket_id}/reply",
        data={
            "body": NOTE,
            "internal": "1",
            "csrf_token": d.staff.csrf_token(),
            "files": (io.BytesIO(png()), "内部.png"),
        },
        content_type="multipart/form-data",
    )
    assert note.status_code == 302
    [stored] = query(app, studio.tenant_id, select(StoredFile).where(StoredFile.owner_kind == "ticket_reply"))
    assert d.staff.get(f"/app/files/{stored.id}").status_code == 200
    assert d.visitor.get(f"/portal/aurora/tickets/{ticket_id}/files/{stored.id}").status_code == 404
    assert "内部.png" not in d.visitor.get(f"/portal/aurora/tickets/{ticket_id}").get_data(as_text=True)

    fake = d.staff.post(
        f"/app/tickets/{ticket_id}/reply",
        data={
            "body": "x",
            "csrf_token": d.staff.csrf_token(),
            "files": (io.BytesIO(b"<svg onload=alert(1)>"), "a.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "a.png" in fake.get_data(as_text=True)

    version = d.ticket(ticket_id).version
    assert d.staff.submit(f"/app/tickets/{ticket_id}/change", {"status": "open", "version": version}).status_code == 302
    stale = d.staff.submit(f"/app/tickets/{ticket_id}/change", {"status": "closed", "version": version})
    assert stale.status_code in (303, 409) and d.ticket(ticket_id).status == "open"

    hostile = d.visitor.submit("/portal/aurora/tickets/new", {"subject": "a\x00b", "description": "x"})
    assert hostile.status_code == 422 and "subject" in hostile.get_data(as_text=True)
    empty = d.visitor.submit(f"/portal/aurora/tickets/{ticket_id}/reply", {"body": "  "})
    assert empty.status_code == 422
    d.staff.submit(f"/app/tickets/{ticket_id}/change", {"status": "closed", "version": d.ticket(ticket_id).version})
    closed = d.visitor.submit(f"/portal/aurora/tickets/{ticket_id}/reply", {"body": "还在吗"})
    assert closed.status_code == 422 and d.ticket(ticket_id).status == "closed"


def test_a_ticket_carries_the_studios_own_fields_in_the_form_the_page_the_portal_and_the_api(
    app, client, new_client, studio, outbox
):
    """Tickets hold the studio's own fields like clients do: asked on the staff form (required enforced, a bad
    value refused naming the field, nothing written), shown and edited on the ticket's page, defaults applied to
    a ticket the client raises in the portal (who is asked none of them), read and patched through the API."""
    from tests.integration.test_custom_fields import define

    d = _desk(app, client, new_client, studio, outbox)
    define(
        d.staff, "device", "choice", entity="ticket", choices="ac | Air conditioning | 空调\nlight | Lighting | 灯光"
    )
    define(d.staff, "warranty", "boolean", entity="ticket", default="yes", required="on")
    form = {"client_id": d.client_id, "subject": "空调漏水", "description": "吊顶有水渍", "priority": "normal"}
    assert "Air conditioning" in d.staff.get(f"/app/tickets/new?client={d.client_id}").get_data(as_text=True)

    bad = d.staff.submit("/app/tickets/new", {**form, "custom_fields.device": "fridge", "custom_fields.warranty": "5"})
    assert bad.status_code == 422 and "Choose one of the options." in bad.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Ticket)) == []
    made = d.staff.submit("/app/tickets/new", {**form, "custom_fields.device": "ac", "custom_fields.warranty": "no"})
    assert made.status_code == 302, made.get_data(as_text=True)[:800]
    ticket = query(app, studio.tenant_id, select(Ticket))[0]
    assert ticket.custom_fields == {"device": "ac", "warranty": False}
    page = d.staff.get(made.headers["Location"]).get_data(as_text=True)
    assert 'name="custom_fields.device"' in page and 'value="ac" selected' in page.replace("\n", "")

    edit = {"version": str(ticket.version), "with_details": "1", "custom_fields.device": "light"}
    edit["custom_fields.warranty"] = "yes"
    assert d.staff.submit(f"/app/tickets/{ticket.id}/change", edit).status_code == 302
    assert d.ticket(str(ticket.id)).custom_fields == {"device": "light", "warranty": True}

    raised = d.visitor.submit("/portal/aurora/tickets/new", {"subject": "门把手松了", "description": "卧室门"})
    assert raised.status_code == 302
    theirs = next(t for t in query(app, studio.tenant_id, select(Ticket)) if t.subject == "门把手松了")
    assert theirs.custom_fields == {"warranty": True}  # the default; nobody at the client is asked

    url = f"/api/v1/tickets/{theirs.id}"
    read = d.http.get(url)
    assert read.get_json()["custom_fields"] == {"device": None, "warranty": True}
    refused = d.http.patch(
        url, json={"custom_fields": {"device": "fridge"}}, headers={"If-Match": read.headers["ETag"]}
    )
    assert refused.status_code == 422 and "custom_fields.device" in refused.get_json()["errors"]
    patched = d.http.patch(url, json={"custom_fields": {"device": "ac"}}, headers={"If-Match": read.headers["ETag"]})
    assert patched.status_code == 200 and patched.get_json()["custom_fields"]["device"] == "ac"
    assert "custom_fields" not in d.visitor.get(f"/portal/aurora/tickets/{theirs.id}").get_data(as_text=True)


def test_a_closed_ticket_asks_the_client_for_feedback_once_and_the_answer_is_kept_with_the_ticket(
    app, client, new_client, studio, outbox
):
    """Seed 002's satisfaction survey: closing a ticket sends the studio's published feedback form to the client's
    portal people (bell and e-mail) about that ticket, once however often it is closed; the NPS and CSAT answered
    are kept with the ticket and its client, and the answer is on the client's timeline."""
    from saas.forms.models import FormRequest, Submission
    from tests.integration.forms_helpers import answers, build, send, the_form

    d = _desk(app, client, new_client, studio, outbox)
    build(d.staff, "feedback")
    form = the_form(app, studio.tenant_id, "feedback")
    made = d.http.post("/api/v1/tickets", json={"client_id": d.client_id, "subject": "空调漏水", "description": "x"})
    url = made.headers["Location"]
    for status in ("closed", "open", "closed"):  # closed, reopened, closed again: asked once
        etag = d.http.get(url).headers["ETag"]
        assert d.http.patch(url, json={"status": status}, headers={"If-Match": etag}).status_code == 200
    [asked] = query(app, studio.tenant_id, select(FormRequest))
    assert str(asked.ticket_id) == made.get_json()["id"] and asked.project_id is None
    mail = outbox.last("zw@deer.test")
    assert "T-0001 空调漏水" in mail["Subject"] and f"r={asked.id}" in body_text(mail)
    assert f"/portal/aurora/forms/{asked.id}" in d.visitor.get("/portal/aurora/home").get_data(as_text=True)

    data = answers(app, studio.tenant_id, form, {"feedback.nps": "9", "feedback.csat": "4"})
    assert send(new_client(), "aurora", "feedback", {**data, "r": str(asked.id)}).status_code == 303
    [answer] = query(app, studio.tenant_id, select(Submission))
    assert (answer.ticket_id, str(answer.client_id), answer.nps, answer.csat) == (
        asked.ticket_id,
        d.client_id,
        9,
        4,
    )
    assert answer.outcome == "feedback" and answer.interaction_id is not None
