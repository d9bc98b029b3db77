"""The client hub through the staff UI: create and edit clients, contacts, follow-ups, the 360° page and its
timeline, search by fragments, archive, and My follow-ups."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.clients.models import Client, ClientEvent, Contact, Interaction
from saas.db import utcnow
from tests.conftest import add_member, query
from tests.factories import NEW, create


def listing(client, path: str, **params) -> str:
    """The client table (or its empty state) of a list page, without flash messages left by earlier posts."""
    html = client.get(path, query_string=params or None).get_data(as_text=True)
    start = html.find("<tbody>")
    return html[start:] if start >= 0 else html[html.find('class="empty"') :]


def test_a_client_with_contacts_and_follow_ups_shows_on_its_360_page(app, client, studio):
    client.login(studio.owner_email)
    page_url = create(client)
    assert (
        client.submit(
            f"{page_url}/contacts",
            {
                "name": "张伟",
                "title": "总经理",
                "phone": "138 0013 8000",
                "email": "zhang@example.cn",
                "wechat": "zhangwei_sh",
                "preferred_channel": "wechat",
                "decision_maker": "on",
                "birthday": "1985-06-01",
            },
        ).status_code
        == 302
    )
    assert client.submit(f"{page_url}/contacts", {"name": "李娜", "phone": "+86 21 5555 0000"}).status_code == 302
    assert (
        client.submit(
            f"{page_url}/interactions",
            {"kind": "call", "summary": "First call about the new shop", "outcome": "Wants a proposal"},
        ).status_code
        == 302
    )
    assert (
        client.submit(
            f"{page_url}/interactions",
            {
                "kind": "wechat",
                "summary": "Sent the mood board",
                "next_action": "Send the quote",
                "next_action_due": "2030-01-15",
            },
        ).status_code
        == 302
    )
    page = client.get(page_url).get_data(as_text=True)
    for text in (
        "上海某某设计有限公司",
        "张伟",
        "总经理",
        "李娜",
        "First call about the new shop",
        "Sent the mood board",
        "Send the quote",
        "Decision maker",
        "VIP",
        "Client created",
        "Contact added",
    ):
        assert text in page, text
    assert page.index("Sent the mood board") < page.index("First call about the new shop")  # newest first
    calls_only = client.get(f"{page_url}?only=call").get_data(as_text=True)
    assert "First call about the new shop" in calls_only and "Sent the mood board" not in calls_only


def test_search_by_name_fragment_phone_fragment_email_wechat_and_tag(app, client, studio):
    client.login(studio.owner_email)
    page_url = create(client)
    create(client, {"name": "Northwind Trading", "tags": ""})
    client.submit(f"{page_url}/contacts", {"name": "张伟", "phone": "138 0013 8000", "wechat": "zhangwei_sh"})
    for fragment in ("设计", "某某", "0013", "13800138", "zhangwei", "VIP", "长期"):
        found = listing(client, "/app/clients", q=fragment)
        assert "上海某某设计有限公司" in found and "Northwind" not in found, fragment
    assert "Northwind" in listing(client, "/app/clients", q="north")
    assert "No client matches" in listing(client, "/app/clients", q="%_")  # wildcards are literal


def test_filters_and_keyset_pages(app, client, studio):
    client.login(studio.owner_email)
    for n in range(55):
        create(client, {"name": f"Client {n:02d}", "status": "signed" if n % 5 == 0 else "potential", "tags": ""})
    first = listing(client, "/app/clients")
    assert "Client 00" in first and "Client 49" in first and "Client 50" not in first
    after = re.search(r'href="(/app/clients\?after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = listing(client, after)
    assert "Client 50" in second and "Client 54" in second and "Client 49" not in second
    signed = listing(client, "/app/clients", status="signed")
    assert signed.count('class="strong"') == 11


def test_no_follow_up_for_n_days(app, client, studio):
    client.login(studio.owner_email)
    quiet = create(client, {"name": "Quiet Co", "tags": ""})
    busy = create(client, {"name": "Busy Co", "tags": ""})
    client.submit(f"{busy}/interactions", {"kind": "call", "summary": "Talked today"})
    quiet_id = quiet.rsplit("/", 1)[1]
    with app.app_context():
        from saas.extensions import db
        from saas.isolation import set_tenant

        set_tenant(db.session(), studio.tenant_id)
        db.session.get(Client, __import__("uuid").UUID(quiet_id)).last_contact_at = utcnow() - timedelta(days=40)
        db.session.commit()
    found = listing(client, "/app/clients", quiet_days="30")
    assert "Quiet Co" in found and "Busy Co" not in found


def test_editing_a_client_records_the_changes_and_a_stale_form_conflicts(app, client, new_client, studio):
    member_id = add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    assert member_id
    client.login(studio.owner_email)
    page_url = create(client)
    edit = client.get(f"{page_url}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', edit).group(1)
    owner = query(app, studio.tenant_id, select(Client))[0]
    wang = next(u for u in _team(app, studio) if u.email == "wang@aurora.test")
    form = {**NEW, "status": "signed", "owner_id": str(wang.id), "version": version}
    assert client.submit(f"{page_url}/edit", form).status_code == 302
    assert client.submit(f"{page_url}/edit", {**form, "name": "Stale"}).status_code == 409
    saved = query(app, studio.tenant_id, select(Client))[0]
    assert (saved.status, saved.owner_id, saved.name) == ("signed", wang.id, NEW["name"])
    kinds = {e.kind for e in query(app, studio.tenant_id, select(ClientEvent))}
    assert {"client.owner_changed", "client.status_changed", "client.updated"} <= kinds
    page = client.get(page_url).get_data(as_text=True)
    assert "Owner changed" in page and "王磊" in page
    assert owner.id == saved.id


def _team(app, studio):
    from saas.tenants.models import Membership

    return [m.user for m in query(app, studio.tenant_id, select(Membership))]


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("/new", {"name": ""}, "name"),
        ("/new", {"status": "famous"}, "status"),
        ("/new", {"tags": "x" * 500}, "tags"),
        ("/new", {"owner_id": "00000000-0000-0000-0000-000000000000"}, "owner_id"),
    ],
)
def test_bad_client_input_is_refused_and_writes_nothing(app, client, studio, path, data, field):
    client.login(studio.owner_email)
    response = client.submit(f"/app/clients{path}", {**NEW, **data})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or field in ("tags", "owner_id")
    assert query(app, studio.tenant_id, select(Client)) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "X", "email": "not-an-email"}, "valid e-mail"),
        ({"name": "X", "phone": "call me maybe"}, "phone number"),
        ({"name": "X", "birthday": "31/02/1990"}, "date like"),
    ],
)
def test_bad_contact_input_is_refused(app, client, studio, data, message):
    client.login(studio.owner_email)
    page_url = create(client)
    response = client.submit(f"{page_url}/contacts", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Contact)) == []


def test_bad_follow_up_input_is_refused(app, client, studio):
    client.login(studio.owner_email)
    page_url = create(client)
    assert client.submit(f"{page_url}/interactions", {"kind": "telepathy", "summary": "x"}).status_code == 422
    assert client.submit(f"{page_url}/interactions", {"kind": "call", "summary": ""}).status_code == 422
    assert (
        client.submit(
            f"{page_url}/interactions", {"kind": "call", "summary": "x", "next_action_due": "soon"}
        ).status_code
        == 422
    )
    assert query(app, studio.tenant_id, select(Interaction)) == []


def test_my_follow_ups_lists_what_is_due_and_done_removes_it(app, client, studio):
    client.login(studio.owner_email)
    page_url = create(client)
    client.submit(
        f"{page_url}/interactions",
        {"kind": "call", "summary": "x", "next_action": "Call back", "next_action_due": "2020-01-01"},
    )
    client.submit(
        f"{page_url}/interactions",
        {"kind": "call", "summary": "y", "next_action": "Far future", "next_action_due": "2099-01-01"},
    )
    page = client.get("/app/follow-ups").get_data(as_text=True)
    assert "Call back" in page and "Overdue since 2020-01-01" in page and "Far future" not in page
    due = next(i for i in query(app, studio.tenant_id, select(Interaction)) if i.next_action == "Call back")
    assert client.submit(f"{page_url}/interactions/{due.id}/done", {"back": "follow-ups"}).status_code == 302
    assert "Call back" not in client.get("/app/follow-ups").get_data(as_text=True)


def test_archive_and_restore(app, client, studio):
    client.login(studio.owner_email)
    page_url = create(client)
    assert client.submit(f"{page_url}/archive").status_code == 302
    assert "上海某某" not in listing(client, "/app/clients")
    assert "上海某某" in listing(client, "/app/clients", archived="1")
    assert client.submit(f"{page_url}/restore").status_code == 302
    assert "上海某某" in listing(client, "/app/clients")


def test_only_an_owner_deletes_for_good_after_typing_the_name(app, client, new_client, studio):
    from saas.tenants.models import AuditEvent

    add_member(app, studio, "zhou@aurora.test", "admin")
    client.login(studio.owner_email)
    page_url = create(client)
    client.submit(f"{page_url}/contacts", {"name": "张伟"})
    admin = new_client()
    admin.login("zhou@aurora.test")
    assert admin.submit(f"{page_url}/delete", {"confirm_name": NEW["name"]}).status_code == 403
    assert client.submit(f"{page_url}/delete", {"confirm_name": "wrong"}).status_code == 422
    assert len(query(app, studio.tenant_id, select(Client))) == 1
    assert client.submit(f"{page_url}/delete", {"confirm_name": NEW["name"]}).status_code == 302
    assert query(app, studio.tenant_id, select(Client)) == [] and query(app, studio.tenant_id, select(Contact)) == []
    assert client.get(page_url).status_code == 404
    deleted = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "client.deleted"))
    assert [e.data["name"] for e in deleted] == [NEW["name"]]


def test_saved_views_are_per_person_and_another_persons_view_is_404(app, client, new_client, studio):
    from saas.clients.models import SavedView

    add_member(app, studio, "wang@aurora.test", "member")
    client.login(studio.owner_email)
    create(client, {"name": "Signed Co", "status": "signed", "tags": ""})
    create(client, {"name": "Maybe Co", "status": "potential", "tags": ""})
    response = client.submit("/app/clients/views", {"view_name": "已签约", "status": "signed"})
    assert response.status_code == 302 and "status=signed" in response.headers["Location"]
    page = client.get("/app/clients").get_data(as_text=True)
    assert "已签约" in page
    assert "Signed Co" in listing(client, "/app/clients", status="signed")
    assert client.submit("/app/clients/views", {"view_name": ""}).status_code == 422  # no name, no filters

    wang = new_client()
    wang.login("wang@aurora.test")
    assert "已签约" not in wang.get("/app/clients").get_data(as_text=True)
    view = query(app, studio.tenant_id, select(SavedView))[0]
    assert wang.submit(f"/app/clients/views/{view.id}/delete").status_code == 404
    assert client.submit(f"/app/clients/views/{view.id}/delete").status_code == 302
    assert query(app, studio.tenant_id, select(SavedView)) == []
