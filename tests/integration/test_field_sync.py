"""The field app's server side: the office schedules a visit, the worker's phone sends what was recorded on site
through /field/api/sync — each change applied exactly once, refusals said and never blocking, conflicts with the
office's edits returned field by field — and the visit lands on the client's timeline as a follow-up."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from saas.clients.models import Client, Interaction
from saas.visits.models import SyncChange, Visit
from tests.conftest import add_member, create_studio, query
from tests.factories import api

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = {"lat": 31.2304, "lng": 121.4737}


class Field:
    """A studio with a client, a field worker and the office's token; the worker's phone talks to /field/api."""

    def __init__(self, app, studio, seeded, new_client) -> None:
        self.app, self.studio, self.seeded = app, studio, seeded
        self.office = api(app, seeded["token"])
        add_member(app, studio, "zhao@aurora.test", "field")
        self.phone = new_client()
        self.phone.login("zhao@aurora.test")
        self.csrf = self.phone.get("/field/api/session").get_json()["csrf_token"]
        self.worker_id = self.phone.get("/field/api/session").get_json()["user_id"]

    def schedule(self, assignee: str | None = None, **extra) -> dict:
        start = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        body = {
            "client_id": self.seeded["client_id"],
            "assignee_id": assignee or self.worker_id,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(hours=2)).isoformat(),
            "site_address": "上海市静安区南京西路 1266 号",
            "site_lat": SITE["lat"],
            "site_lng": SITE["lng"],
            "purpose": "量房与现场沟通",
            **extra,
        }
        made = self.office.post("/api/v1/visits", json=body)
        assert made.status_code == 201, made.get_json()
        return made.get_json()

    def sync(self, *changes: dict, phone=None):
        phone = phone or self.phone
        csrf = phone.get("/field/api/session").get_json()["csrf_token"]
        answer = phone.post("/field/api/sync", json={"changes": list(changes)}, headers={"X-CSRFToken": csrf})
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return answer.get_json()["results"]

    def visit(self, visit_id: str) -> Visit:
        return query(self.app, self.studio.tenant_id, select(Visit).where(Visit.id == uuid.UUID(visit_id)))[0]


def change(kind: str, visit_id: str | None, data: dict, at: datetime | None = None, change_id: str | None = None):
    body = {"id": change_id or str(uuid.uuid4()), "kind": kind, "data": data}
    if visit_id:
        body["visit_id"] = visit_id
    if at:
        body["at"] = at.isoformat()
    return body


@pytest.fixture
def field(app, studio, seeded, new_client) -> Field:
    return Field(app, studio, seeded, new_client)


def test_a_visit_recorded_on_site_lands_once_and_becomes_a_follow_up(field):
    visit = field.schedule()
    primed = field.phone.get("/field/api/visits").get_json()["data"]
    assert [b["visit"]["id"] for b in primed] == [visit["id"]]
    assert primed[0]["client"]["name"] == "属性测试客户" and primed[0]["contacts"][0]["phone"] == "13800138000"

    now = datetime.now(SHANGHAI)
    here = {"position": {"lat": SITE["lat"] + 0.0009, "lng": SITE["lng"], "accuracy": 8}}
    batch = [
        change("visit.check_in", visit["id"], here, now),
        change(
            "visit.update", visit["id"], {"fields": {"notes": "客厅 32 平，业主想要暖色。", "outcome": "确认方案方向"}}
        ),
        change("visit.check_out", visit["id"], {"position_problem": "unavailable"}, now + timedelta(hours=1)),
    ]
    first = field.sync(*batch)
    assert [a["result"] for a in first] == ["applied", "applied", "applied"]
    again = field.sync(*batch)  # the phone never heard the answer and sends the same batch
    assert [a["result"] for a in again] == ["applied"] * 3 and all(a["replayed"] for a in again)

    recorded = field.visit(visit["id"])
    assert recorded.status == "checked_out" and recorded.check_out_problem == "unavailable"
    assert 95 < recorded.check_in_distance_m < 105  # 0.0009° of latitude, about 100 m from the site
    assert len(query(field.app, field.studio.tenant_id, select(SyncChange))) == 3
    follow_ups = query(field.app, field.studio.tenant_id, select(Interaction).where(Interaction.kind == "visit"))
    assert len(follow_ups) == 1 and follow_ups[0].summary.startswith("客厅 32 平")
    client = query(field.app, field.studio.tenant_id, select(Client))[0]
    assert client.last_contact_at is not None and client.version == 1
    # A refresh tells the phone where each was recorded, or why not, as the phone showed it when it recorded it.
    state = first[-1]["visit"]
    refreshed = field.phone.get("/field/api/visits").get_json()["data"][0]["visit"]
    for seen in (state, refreshed):
        assert seen["check_in_position"] == {"lat": SITE["lat"] + 0.0009, "lng": SITE["lng"], "accuracy": 8}
        assert seen["check_in_problem"] is None and 95 < seen["check_in_distance_m"] < 105
        assert seen["check_out_position"] is None and seen["check_out_problem"] == "unavailable"


def test_changes_out_of_order_unknown_fields_and_bad_positions_are_answered_one_by_one(field):
    visit = field.schedule()
    now = datetime.now(SHANGHAI)
    answers = field.sync(
        change("visit.check_out", visit["id"], {"position": {"lat": 31.23, "lng": 121.47}}, now + timedelta(hours=1)),
        change("visit.check_in", visit["id"], {"position": {"lat": 91, "lng": 121.47}}, now),
        change("visit.update", visit["id"], {"fields": {"notes": "ok"}, "colour": "red"}),
        change("visit.check_in", visit["id"], {"position_problem": "denied"}, now),
        change("visit.update", visit["id"], {"fields": {"mood": "happy"}}),
    )
    assert [(a["result"], a["status"]) for a in answers] == [
        ("applied", 200),
        ("refused", 422),  # a latitude of 91
        ("refused", 422),  # a field the server does not know is refused, not dropped
        ("applied", 200),  # the check-in arriving after the check-out fills in the arrival
        ("refused", 422),
    ]
    assert "position.lat" in answers[1]["errors"] and "colour" in answers[2]["errors"]
    recorded = field.visit(visit["id"])
    assert recorded.status == "checked_out" and recorded.check_in_problem == "denied" and recorded.notes is None


def test_another_studios_or_another_workers_visit_is_404_and_nothing_changes(field, app, new_client):
    other = create_studio(app, "bamboo", "wu@bamboo.test")
    theirs = api(app, None)
    assert theirs.get("/field/api/visits").status_code == 401
    mine = field.schedule()
    add_member(app, field.studio, "qian@aurora.test", "field")
    colleague = new_client()
    colleague.login("qian@aurora.test")
    csrf = colleague.get("/field/api/session").get_json()["csrf_token"]
    sent = colleague.post(
        "/field/api/sync",
        json={"changes": [change("visit.check_in", mine["id"], {"position_problem": "denied"})]},
        headers={"X-CSRFToken": csrf},
    ).get_json()["results"]
    assert (sent[0]["result"], sent[0]["status"]) == ("refused", 404)
    assert field.visit(mine["id"]).status == "scheduled"

    outsider = new_client()
    outsider.login(other.owner_email)
    csrf = outsider.get("/field/api/session").get_json()["csrf_token"]
    sent = outsider.post(
        "/field/api/sync",
        json={"changes": [change("visit.update", mine["id"], {"fields": {"notes": "x"}})]},
        headers={"X-CSRFToken": csrf},
    ).get_json()["results"]
    assert sent[0]["status"] == 404 and field.visit(mine["id"]).notes is None
    assert outsider.get(f"/app/visits/{mine['id']}").status_code == 404


def test_a_change_id_reused_for_another_change_is_refused(field):
    visit = field.schedule()
    change_id = str(uuid.uuid4())
    assert (
        field.sync(change("visit.update", visit["id"], {"fields": {"notes": "一"}}, change_id=change_id))[0]["result"]
        == "applied"
    )
    reused = field.sync(change("visit.update", visit["id"], {"fields": {"notes": "二"}}, change_id=change_id))[0]
    assert (reused["result"], reused["status"]) == ("refused", 409)
    assert field.visit(visit["id"]).notes == "一"


def test_an_office_edit_meanwhile_merges_or_comes_back_as_a_conflict(field):
    visit = field.schedule()
    field.sync(change("visit.update", visit["id"], {"fields": {"notes": "初稿", "outcome": "待定"}}))
    # The office corrects the outcome while the worker, offline, rewrites notes and outcome.
    field.sync(change("visit.update", visit["id"], {"fields": {"outcome": "已确认"}}), phone=_office_browser(field))
    answer = field.sync(
        change(
            "visit.update",
            visit["id"],
            {"fields": {"notes": "终稿", "outcome": "再约"}, "base": {"notes": "初稿", "outcome": "待定"}},
        )
    )[0]
    assert answer["result"] == "merged"
    assert answer["conflicts"] == {"outcome": {"theirs": "已确认", "mine": "再约"}}
    recorded = field.visit(visit["id"])
    assert (recorded.notes, recorded.outcome) == ("终稿", "已确认")  # one-sided merged, two-sided kept as theirs
    chosen = field.sync(
        change("visit.update", visit["id"], {"fields": {"outcome": "再约"}, "base": {"outcome": "已确认"}})
    )[0]
    assert chosen["result"] == "applied" and field.visit(visit["id"]).outcome == "再约"


def _office_browser(field):
    from tests.conftest import Browser

    field.app.test_client_class = Browser
    office = field.app.test_client()
    office.login(field.studio.owner_email)
    return office


def test_a_visit_reassigned_or_cancelled_meanwhile_is_refused_with_the_reason(field, app):
    add_member(app, field.studio, "qian@aurora.test", "field", name="钱七")
    visit = field.schedule()
    etag = field.office.get(f"/api/v1/visits/{visit['id']}").headers["ETag"]
    colleague = next(m for m in field.office.get("/api/v1/members").get_json()["data"] if m["name"] == "钱七")
    moved = field.office.patch(
        f"/api/v1/visits/{visit['id']}", json={"assignee_id": colleague["user_id"]}, headers={"If-Match": etag}
    )
    assert moved.status_code == 200
    answer = field.sync(change("visit.check_in", visit["id"], {"position_problem": "timeout"}))[0]
    assert answer["status"] in (404, 422)  # no longer theirs: never written
    assert field.visit(visit["id"]).check_in_at is None

    second = field.schedule()
    assert field.office.post(f"/api/v1/visits/{second['id']}/cancel", json={"reason": "客户改期"}).status_code == 200
    refused = field.sync(change("visit.check_in", second["id"], {"position_problem": "timeout"}))[0]
    assert refused["status"] == 422 and "cancelled" in str(refused["errors"]).lower()


def test_the_worker_sees_the_clients_of_their_visits_and_nothing_else(field, app):
    client_url = f"/app/clients/{field.seeded['client_id']}"
    assert field.phone.get(client_url).status_code == 404
    field.schedule()
    assert field.phone.get(client_url).status_code == 200
    other = field.office.post("/api/v1/clients", json={"name": "别人的客户"}).get_json()
    assert field.phone.get(f"/app/clients/{other['id']}").status_code == 404
    names = [c["name"] for c in field.phone.get("/field/api/clients").get_json()["data"]]
    assert names == ["属性测试客户"]


def test_leads_follow_ups_and_unplanned_visits_from_the_field(field):
    lead_id = str(uuid.uuid4())
    lead = {"id": lead_id, "name": "街角花店", "contact": {"name": "李老板", "phone": "139-0000-1111"}}
    start = datetime.now(SHANGHAI)
    new_visit = {
        "id": str(uuid.uuid4()),
        "client_id": lead_id,
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(hours=1)).isoformat(),
        "site_address": "淮海中路 1 号",
        "purpose": "顺路拜访",
    }
    follow_up = {"client_id": lead_id, "kind": "visit", "summary": "对门头设计感兴趣"}
    answers = field.sync(
        change("client.create", None, lead),
        change("visit.create", None, new_visit),
        change("interaction.log", None, follow_up),
    )
    assert [a["result"] for a in answers] == ["applied"] * 3, answers
    made = query(field.app, field.studio.tenant_id, select(Client).where(Client.id == uuid.UUID(lead_id)))[0]
    assert (made.status, made.source, str(made.owner_id)) == ("potential", "field", field.worker_id)
    assert "13900001111" in made.search_text
    assert field.visit(new_visit["id"]).assignee_id == uuid.UUID(field.worker_id)


def test_photos_go_through_the_file_owners_and_a_signature_is_kept(field, app):
    visit = field.schedule()
    headers = {"X-CSRFToken": field.csrf}
    photo_id = str(uuid.uuid4())
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(image, "JPEG")
    body = {
        "id": photo_id,
        "name": "现场.jpg",
        "size": len(image.getvalue()),
        "purpose": "photo",
        "owner_kind": "visit",
        "owner_id": visit["id"],
    }
    begun = field.phone.post("/app/files", json=body, headers=headers)
    assert begun.status_code == 201, begun.get_json()
    again = field.phone.post("/app/files", json=body, headers=headers)  # resent: the same upload, not a second
    assert again.status_code == 201 and again.get_json()["id"] == photo_id
    field.phone.put(begun.get_json()["upload"]["url"], data=image.getvalue(), headers=headers)
    assert field.phone.post(begun.get_json()["complete_url"], headers=headers).get_json()["status"] == "ready"

    fake = {**body, "id": str(uuid.uuid4()), "name": "not-a-photo.jpg", "size": 20}
    fake_ticket = field.phone.post("/app/files", json=fake, headers=headers).get_json()
    field.phone.put(fake_ticket["upload"]["url"], data=b"this is not a jpeg!!", headers=headers)
    refused = field.phone.post(fake_ticket["complete_url"], headers=headers)
    assert refused.status_code == 422

    png = io.BytesIO()
    Image.new("RGBA", (120, 60), (0, 0, 0, 0)).save(png, "PNG")
    signature = {"png": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode(), "signed_by": "张伟"}
    assert field.sync(change("visit.sign", visit["id"], signature))[0]["visit"]["has_signature"] is True
    not_png = field.sync(change("visit.sign", visit["id"], {"png": base64.b64encode(b"GIF89a...").decode()}))[0]
    assert not_png["status"] == 422
    assert field.phone.get(f"/app/files/{photo_id}").status_code == 200


def test_the_office_schedules_sees_the_day_and_week_and_cancels(field, app, client):
    client.login(field.studio.owner_email)
    picked = client.get("/app/visits/new?q=属性")
    assert picked.status_code == 200 and "属性测试客户" in picked.get_data(as_text=True)
    today = datetime.now(SHANGHAI).date()
    form = {
        "client_id": field.seeded["client_id"],
        "assignee_id": field.worker_id,
        "day": today.isoformat(),
        "start_time": "23:30",
        "end_time": "23:55",
        "site_address": "上海市徐汇区",
        "purpose": "夜间灯光检查",
    }
    bad = client.submit("/app/visits/new", {**form, "end_time": "23:00"})
    assert bad.status_code == 422 and "ends after it starts" in bad.get_data(as_text=True)
    made = client.submit("/app/visits/new", form)
    assert made.status_code == 302
    visit_url = made.headers["Location"]
    day = client.get(f"/app/visits?day={today.isoformat()}").get_data(as_text=True)
    assert "夜间灯光检查" in day and "23:30" in day  # 23:30 in Shanghai is on the Shanghai day
    week = client.get(f"/app/visits?view=week&day={today.isoformat()}")
    assert week.status_code == 200 and "夜间灯光检查" in week.get_data(as_text=True)
    page = client.get(visit_url).get_data(as_text=True)
    assert "上海市徐汇区" in page and "geo:" in page
    assert field.phone.get(visit_url).status_code == 200  # the worker it is assigned to
    assert field.phone.get("/app/visits").status_code == 200
    cancelled = client.submit(f"{visit_url}/cancel", {"reason": "客户出差"})
    assert cancelled.status_code == 302
    assert "客户出差" in client.get(visit_url).get_data(as_text=True)


def test_a_field_workers_home_starts_with_the_days_visits_and_the_way_to_the_field_app(field):
    """The workspace's home of someone who records visits lists their own visits of the studio's day (not
    tomorrow's) with a way into the field app."""
    day = datetime.now(SHANGHAI).date()
    early = datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(minutes=30)
    mine = {"scheduled_start": early.isoformat(), "scheduled_end": (early + timedelta(hours=1)).isoformat()}
    field.schedule(purpose="今天：量房", **mine)
    later = {k: (datetime.fromisoformat(v) + timedelta(days=1)).isoformat() for k, v in mine.items()}
    field.schedule(purpose="明天：复尺", **later)
    home = field.phone.get("/app/").get_data(as_text=True)
    assert "Today's visits" in home and "今天：量房" in home and 'href="/field/"' in home
    assert "00:30–01:30" in home and "明天：复尺" not in home
