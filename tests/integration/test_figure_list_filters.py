"""The list filters the dashboards' and the reports' figures link with are real filters of their lists: in the
filter form (English and Chinese), kept by a saved view, checked (a day that does not exist is said beside its
field on a page, 422 from an export or the API, never a 500), and within what the reader may see. The studio is
test_figure_links's: the dashboards' seed with an archived client (Ash & Co), two more projects of it, the
studio's own fields and an open invoice partly paid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from saas.clients.models import SavedView
from saas.exports.models import Export
from saas.extensions import db
from saas.tenants.models import User
from tests.conftest import query, studio_today
from tests.factories import api, make_token
from tests.integration.dashboards_seed import Seeded, seed
from tests.integration.test_figure_links import rows_in, seed_more


@pytest.fixture
def seeded(app, studio) -> Seeded:
    s = seed(app, studio, studio_today())
    seed_more(app, s)
    return s


def _html(client, url: str, args: dict | None = None) -> str:
    response = client.get(url, query_string=args or {})
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


FILTERS = {
    "/app/clients": (
        *("reached", "archived", "projects", "created_from", "last_contact_to", "left_from", "left_to"),
        "no_source",
    ),
    "/app/projects/list": (
        *("state", "deal", "source", "archived", "due_from", "due_to", "closed_from", "closed_to"),
        *("left_stage", "left_stage_from", "left_stage_to"),
    ),
    "/app/projects": ("state", "deal", "source", "archived", "due_to", "closed_from", "left_stage_from"),  # the board
    "/app/invoices": ("owner", "due_from", "due_to", "source", "type"),
    "/app/payments": ("owner", "source", "type"),
    "/app/contracts": ("owner", "signed_from", "signed_to", "source"),
    "/app/tickets": ("resolved_from", "resolved_to", "cf.area", "owner", "client_source"),
}


def test_each_new_filter_is_in_its_lists_form_in_both_languages(app, client, seeded):
    client.login(seeded.studio.owner_email)
    for url, names in FILTERS.items():
        html = _html(client, url)
        for name in names:
            assert f'name="{name}"' in html, (url, name)
    assert "status=open" in _html(client, "/app/invoices")  # the status chips: every open invoice
    with app.app_context():
        db.session.execute(update(User).where(User.email == seeded.studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    clients = _html(client, "/app/clients")
    assert "推进到" in clients and "意向及以后" in clients and "已归档客户" in clients and "转为历史客户" in clients
    projects = _html(client, "/app/projects/list")
    assert "进行中、赢单或丢单" in projects and "成交进度" in projects and "已归档项目" in projects
    assert "离开阶段" in projects and "离开某阶段" in projects
    assert "客户负责人" in _html(client, "/app/invoices") and "未结清" in _html(client, "/app/invoices")
    assert "客户来源" in _html(client, "/app/payments") and "项目类型" in _html(client, "/app/payments")


def test_what_each_filter_holds(app, client, seeded):
    client.login(seeded.studio.owner_email)
    count = lambda url: rows_in(client, url)  # noqa: E731
    assert count("/app/clients?reached=intent") == 4  # C1 and C5 signed, C2 interested, Old Oak past
    assert count("/app/clients?reached=intent&archived=all") == 5  # and Ash & Co, past and archived
    assert count("/app/clients?archived=1") == 1 and count("/app/clients?archived=all") == 6
    assert count("/app/clients?projects=repeat&archived=all") == 2  # C5 (P2, P3) and Ash & Co (P5, P6)
    assert count("/app/clients?left_from=2026-03-01&left_to=2026-03-31&archived=all") == 1  # Ash & Co
    # Last followed up on 1 April in Shanghai (16:30 UTC on 31 March): April's, not March's.
    assert count("/app/clients?last_contact_from=2026-04-01&last_contact_to=2026-04-01") == 1
    assert count("/app/clients?last_contact_from=2026-02-01&last_contact_to=2026-03-31") == 2
    assert count("/app/projects/list?state=won&archived=all") == 3 and count("/app/projects/list?state=won") == 2
    assert count("/app/projects/list?deal=quoted") == 2 and count("/app/projects/list?deal=signed") == 1
    assert count("/app/projects/list?source=展会") == 1  # P4, of Blue Fox
    assert count("/app/projects/list?due_from=2026-03-03&due_to=2026-03-15") == 2  # P2 and P6
    # P5 was won at 02:00 UTC on 20 March (10:00 in Shanghai); P1 at 04:00 UTC on 11 February.
    assert count("/app/projects/list?closed_from=2026-03-20&closed_to=2026-03-20&archived=all") == 1
    assert count("/app/invoices?status=open") == 3  # INV-2 sent, INV-3 and INV-4 partly paid
    assert count("/app/contracts?status=signed&signed_from=2026-02-01") == 1  # K-2
    assert count("/app/tickets?status=all&resolved_from=2026-04-01") == 1  # T-0003
    assert count("/app/tickets?status=all&cf.area=lobby") == 1  # T-0001
    assert count("/app/tickets?status=all&cf.area.empty=1") == 2


def test_a_saved_view_keeps_the_new_filters(app, client, seeded):
    client.login(seeded.studio.owner_email)
    wanted = {"reached": "signed", "archived": "all", "projects": "repeat", "left_from": "2026-01-01"}
    client.submit("/app/clients/views", {"view_name": "回头客", **wanted})
    with app.app_context():
        views = query(app, seeded.studio.tenant_id, select(SavedView))
    assert [v.filters for v in views] == [wanted]
    assert 'href="/app/clients?' in _html(client, "/app/clients") and "回头客" in _html(client, "/app/clients")


BAD_DAYS = (
    ("/app/clients", {"last_contact_from": "2026-02-30"}),
    ("/app/clients", {"left_from": "2026-04-01", "left_to": "2026-03-01"}),
    ("/app/clients", {"created_to": "soon"}),
    ("/app/projects/list", {"due_to": "2026-13-01"}),
    ("/app/projects/list", {"closed_from": "x" * 300}),
    ("/app/projects", {"closed_to": "yesterday"}),
    ("/app/contracts", {"signed_from": "2026-02-30"}),
    ("/app/tickets", {"resolved_to": "2026-00-10"}),
    ("/app/projects/list", {"left_stage_from": "2026-02-30"}),
    ("/app/projects/list", {"left_stage_from": "2026-03-01", "left_stage_to": "2026-02-01"}),
)


@pytest.mark.parametrize(("url", "args"), BAD_DAYS)
def test_a_bad_day_is_said_beside_its_field_never_a_500(app, client, seeded, url, args):
    client.login(seeded.studio.owner_email)
    html = _html(client, url, args)
    assert "Enter a date as YYYY-MM-DD." in html or "The period ends before it starts." in html


def test_exports_and_the_api_take_the_new_filters_and_refuse_bad_ones(app, client, seeded):
    client.login(seeded.studio.owner_email)
    fine = client.submit("/app/exports", {"list": "clients", "format": "csv", "archived": "all", "reached": "intent"})
    assert fine.status_code == 200 and "Ash & Co" in fine.get_data(as_text=True)
    projects = client.submit("/app/exports", {"list": "projects", "format": "csv", "state": "won", "archived": "all"})
    assert projects.status_code == 200 and "Project P5" in projects.get_data(as_text=True)
    invoices = client.submit("/app/exports", {"list": "invoices", "format": "csv", "status": "open"})
    assert "INV-4" in invoices.get_data(as_text=True) and "INV-1" not in invoices.get_data(as_text=True)
    written = len(query(app, seeded.studio.tenant_id, select(Export)))
    for form in (
        {"list": "clients", "reached": "past"},
        {"list": "clients", "last_contact_from": "2026-02-30"},
        {"list": "clients", "archived": "everything"},
        {"list": "projects", "state": "finished"},
        {"list": "projects", "closed_to": "soon"},
        {"list": "invoices", "status": "unpaid"},
        {"list": "payments", "owner": "someone"},
    ):
        refused = client.submit("/app/exports", {"format": "csv", **form})
        assert refused.status_code == 422, form
    assert len(query(app, seeded.studio.tenant_id, select(Export))) == written
    http = api(app, make_token(client))
    listed = http.get("/api/v1/projects", query_string={"state": "won", "archived": "all"}).get_json()["data"]
    assert {p["name"] for p in listed} == {"Project P1", "Project P2", "Project P5"}
    clients = http.get("/api/v1/clients", query_string={"left_from": "2026-03-01", "archived": "all"}).get_json()
    assert [c["name"] for c in clients["data"]] == ["Ash & Co"]
    open_ = http.get("/api/v1/invoices", query_string={"status": "open"}).get_json()["data"]
    assert {i["number"] for i in open_} == {"INV-2", "INV-3", "INV-4"}
    for url, args, field in (
        ("/api/v1/clients", {"last_contact_to": "2026-02-30"}, "last_contact_to"),
        ("/api/v1/projects", {"closed_from": "2026-04-01", "closed_to": "2026-03-01"}, "closed_to"),
        ("/api/v1/tickets", {"resolved_from": "later"}, "resolved_from"),
    ):
        refused = http.get(url, query_string=args)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], (url, refused.get_json())


def test_the_new_filters_stay_within_what_the_reader_sees(app, client, seeded):
    """Du, a member, sees his own clients: another person's records never come through a filter naming them."""
    client.login("du@aurora.test")
    su = str(seeded.users["su"])
    assert rows_in(client, f"/app/clients?owner={su}&archived=all") == 0
    assert rows_in(client, "/app/clients?archived=all&projects=any") == 4  # C1, Blue Fox, C5, Ash & Co: his own
    assert rows_in(client, "/app/clients?left_from=2026-01-01&archived=all") == 1  # Ash & Co, not Su's Old Oak
    assert rows_in(client, f"/app/invoices?owner={su}") == 0  # INV-4 is of Su's 晨光书店
    assert rows_in(client, "/app/invoices?status=open") == 2  # INV-2 (松石茶舍), INV-3 (Blue Fox)
    assert rows_in(client, f"/app/contracts?owner={su}&status=signed") == 0  # K-2 is of Su's Old Oak
    assert rows_in(client, "/app/projects/list?state=open&archived=all") == 3  # P4, P6 and P3 (C5 is his)


def test_left_stage_holds_the_projects_with_a_recorded_move_out_of_it(app, client, seeded, other_studio):
    """Seeded moves: P1 and P2 left inquiry (17 January, 3 February) and design (11 February, 3 March); P3 left
    inquiry in July 2025. Another studio's stage, or something that is not a stage, finds nothing of anyone's."""
    from saas.isolation import set_tenant
    from saas.projects.models import PipelineStage

    def stage_ids(tenant_id) -> dict[str, str]:
        with app.app_context():
            set_tenant(db.session(), tenant_id)
            return {st.key: str(st.id) for st in db.session.scalars(select(PipelineStage))}

    ours, theirs = stage_ids(seeded.studio.tenant_id), stage_ids(other_studio.tenant_id)
    client.login(seeded.studio.owner_email)
    count = lambda url: rows_in(client, url)  # noqa: E731
    base = "/app/projects/list?archived=all"
    assert count(f"{base}&left_stage={ours['inquiry']}") == 3  # P1, P2 and P3 (any time)
    assert count(f"{base}&left_stage={ours['inquiry']}&left_stage_from=2026-01-01&left_stage_to=2026-03-31") == 2
    assert count(f"{base}&left_stage={ours['design']}&left_stage_from=2026-02-12") == 1  # P2 (3 March)
    assert count(f"{base}&left_stage_from=2026-02-01&left_stage_to=2026-02-28") == 2  # any stage: P1 and P2
    assert count(f"{base}&left_stage={ours['won']}") == 0
    assert count(f"{base}&left_stage={theirs['inquiry']}") == 0  # another studio's stage: nothing
    html = _html(client, "/app/projects/list", {"left_stage": "inquiry"})
    assert "Choose one of the stages offered." in html
    http = api(app, make_token(client))
    listed = http.get("/api/v1/projects", query_string={"left_stage": ours["design"], "archived": "all"}).get_json()
    assert {p["name"] for p in listed["data"]} == {"Project P1", "Project P2"}
    refused = http.get("/api/v1/projects", query_string={"left_stage_to": "2026-02-30"})
    assert refused.status_code == 422 and "left_stage_to" in refused.get_json()["errors"]
    assert http.get("/api/v1/projects", query_string={"left_stage": "x"}).status_code == 422
    sheet = client.submit("/app/exports", {"list": "projects", "format": "csv", "left_stage": ours["design"]})
    assert sheet.status_code == 200 and "Project P2" in sheet.get_data(as_text=True)
    for form in ({"left_stage": "inquiry"}, {"left_stage_from": "2026-13-01"}):
        assert client.submit("/app/exports", {"list": "projects", "format": "csv", **form}).status_code == 422


def test_no_source_holds_the_clients_without_one_everywhere_the_list_is(app, client, seeded):
    """松石茶舍 (C5) has no source; a client with an empty one reads the same. A page, a saved view, an export and the
    API take `no_source=1`; anything else is refused by an export and the API, never a 500."""
    from saas.clients.models import Client
    from saas.isolation import set_tenant

    with app.app_context():
        set_tenant(db.session(), seeded.studio.tenant_id)
        db.session.add(Client(name="Blank Ltd", sort_key="blank", owner_id=seeded.users["su"], source=""))
        db.session.commit()
    client.login(seeded.studio.owner_email)
    assert rows_in(client, "/app/clients?no_source=1") == 2
    assert rows_in(client, "/app/clients?no_source=1&archived=all") == 2  # Ash & Co has one
    assert rows_in(client, "/app/clients?no_source=1&source=展会") == 0  # both: nothing can be
    assert rows_in(client, "/app/clients?no_source=yes") == 6  # not the list's value: no filter (6 current)
    client.submit("/app/clients/views", {"view_name": "无来源", "no_source": "1"})
    with app.app_context():
        views = query(app, seeded.studio.tenant_id, select(SavedView))
    assert [v.filters for v in views] == [{"no_source": "1"}]
    sheet = client.submit("/app/exports", {"list": "clients", "format": "csv", "no_source": "1"}).get_data(as_text=True)
    assert "松石茶舍" in sheet and "Blank Ltd" in sheet and "鹿鸣咖啡" not in sheet
    assert client.submit("/app/exports", {"list": "clients", "format": "csv", "no_source": "yes"}).status_code == 422
    http = api(app, make_token(client))
    listed = http.get("/api/v1/clients", query_string={"no_source": "1"}).get_json()["data"]
    assert {c["name"] for c in listed} == {"松石茶舍", "Blank Ltd"}
    assert http.get("/api/v1/clients", query_string={"no_source": "2"}).status_code == 422
    client.login("du@aurora.test")
    assert rows_in(client, "/app/clients?no_source=1") == 1  # his 松石茶舍, not Su's Blank Ltd


def test_the_money_lists_filter_by_the_clients_source_and_the_projects_type(app, client, seeded, other_studio):
    """INV-1 (鹿鸣咖啡, 转介绍, P1 品牌设计) paid twice; INV-2 (松石茶舍, no source, P2 品牌设计); INV-3 (Blue Fox,
    展会, no project); INV-4 (晨光书店, 转介绍, no project). An invoice without a project is of no type: left out."""
    client.login(seeded.studio.owner_email)
    count = lambda url: rows_in(client, url)  # noqa: E731
    assert count("/app/invoices?source=转介绍") == 2 and count("/app/invoices?source=展会") == 1
    assert count("/app/invoices?type=品牌设计") == 2 and count("/app/invoices?type=空间设计") == 0
    assert count("/app/invoices?type=品牌设计&source=转介绍") == 1  # INV-1
    assert count("/app/payments?source=转介绍") == 2 and count("/app/payments?source=展会") == 1  # INV-3's
    assert count("/app/payments?type=品牌设计") == 2 and count("/app/payments?type=品牌设计&source=展会") == 0
    assert count("/app/contracts?source=展会&status=signed") == 1  # K-2, Old Oak
    assert count("/app/invoices?source=他们的来源") == 0  # another studio's words find nothing here
    http = api(app, make_token(client))
    listed = http.get("/api/v1/invoices", query_string={"type": "品牌设计", "source": "转介绍"}).get_json()["data"]
    assert [i["number"] for i in listed] == ["INV-1"]
    assert http.get("/api/v1/invoices", query_string={"type": "x" * 61}).status_code == 422
    sheet = client.submit("/app/exports", {"list": "payments", "format": "csv", "source": "展会"})
    assert sheet.status_code == 200 and "INV-3" in sheet.get_data(as_text=True)
    sheet = client.submit("/app/exports", {"list": "invoices", "format": "csv", "type": "品牌设计"}).get_data(
        as_text=True
    )
    assert "INV-1" in sheet and "INV-3" not in sheet
    for form in ({"list": "invoices", "type": "x" * 61}, {"list": "payments", "source": "x" * 81}):
        assert client.submit("/app/exports", {"format": "csv", **form}).status_code == 422, form
    client.login("du@aurora.test")  # a member: his clients' invoices only, whatever the filter says
    assert count("/app/invoices?source=转介绍") == 1  # INV-1; INV-4 is of Su's 晨光书店


def test_the_ticket_list_filters_by_its_clients_owner_and_source(app, client, seeded, other_studio):
    """`owner` is the client's owner (as the dashboards narrow tickets), `client_source` the client's source (the
    list's `source` is how a ticket came in). Another studio's person is said beside the field and left out."""
    from saas.isolation import set_tenant
    from saas.tenants.models import Membership

    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        stranger = str(db.session.get(Membership, other_studio.owner_membership_id).user_id)
    client.login(seeded.studio.owner_email)
    du, su = str(seeded.users["du"]), str(seeded.users["su"])
    count = lambda url: rows_in(client, url)  # noqa: E731
    assert count(f"/app/tickets?status=all&owner={du}") == 2  # T-0001 (鹿鸣咖啡), T-0003 (Blue Fox, assigned to Su)
    assert count(f"/app/tickets?status=all&owner={su}") == 1 and count("/app/tickets?status=all&owner=me") == 0
    assert count("/app/tickets?status=all&client_source=转介绍") == 2
    assert count(f"/app/tickets?status=all&client_source=展会&owner={du}") == 1
    html = _html(client, "/app/tickets", {"status": "all", "owner": stranger})
    assert "Choose a person of this studio." in html
    assert re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1).count("<tr") == 3  # the filter left out
    http = api(app, make_token(client))
    listed = http.get("/api/v1/tickets", query_string={"status": "all", "owner": du}).get_json()
    assert {t["number"] for t in listed["data"]} == {"T-0001", "T-0003"}
    assert http.get("/api/v1/tickets", query_string={"owner": "someone"}).status_code == 422
    assert http.get("/api/v1/tickets", query_string={"client_source": "x" * 81}).status_code == 422
    assert http.get("/api/v1/tickets", query_string={"status": "all", "owner": stranger}).get_json()["data"] == []
    client.login("du@aurora.test")
    assert count(f"/app/tickets?status=all&owner={su}") == 0  # Su's 晨光书店 is not his to see
