"""The client hub's second round: editing and removing contacts, correcting follow-ups, tags as a resource
(exact filter, counts, rename and merge, remove), source and industry filters, and finance seeing only the
commercial side of a client — through the staff UI and the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.clients.models import Client, ClientTag, Contact
from saas.tenants.models import AuditEvent
from tests.conftest import add_member, query
from tests.factories import api, create, make_token
from tests.integration.test_clients import listing


def _contact_url(app, studio, client_url: str) -> str:
    contact = query(app, studio.tenant_id, select(Contact))[0]
    return f"{client_url}/contacts/{contact.id}"


def test_a_contact_is_edited_with_its_version_and_removed_from_the_search(app, client, studio):
    client.login(studio.owner_email)
    url = create(client)
    client.submit(f"{url}/contacts", {"name": "张伟", "phone": "138 0013 8000"})
    contact_url = _contact_url(app, studio, url)
    form = client.get(f"{contact_url}/edit").get_data(as_text=True)
    assert 'value="张伟"' in form and 'name="version" value="1"' in form

    saved = client.submit(f"{contact_url}/edit", {"name": "张伟", "phone": "139 1111 2222", "version": "1"})
    assert saved.status_code == 302
    assert "上海某某设计有限公司" in listing(client, "/app/clients", q="1111")
    assert "上海某某设计有限公司" not in listing(client, "/app/clients", q="0013")
    stale = client.submit(f"{contact_url}/edit", {"name": "Someone else", "version": "1"})
    assert stale.status_code == 409
    bad = client.submit(f"{contact_url}/edit", {"name": "张伟", "email": "not-an-email", "version": "2"})
    assert bad.status_code == 422 and "valid e-mail" in bad.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Contact))[0].email is None

    assert client.submit(f"{contact_url}/remove", {}).status_code == 302
    assert query(app, studio.tenant_id, select(Contact)) == []
    assert "上海某某设计有限公司" not in listing(client, "/app/clients", q="1111")
    timeline = client.get(url, query_string={"only": "changes"}).get_data(as_text=True)
    assert "Contact edited" in timeline and "Contact removed" in timeline


def test_tags_filter_exactly_count_rename_merge_and_remove(app, client, studio):
    client.login(studio.owner_email)
    create(client, {"name": "A Co", "tags": "VIP, 长期合作"})
    create(client, {"name": "B Co", "tags": "VIP"})
    create(client, {"name": "VIPshop", "tags": "电商"})  # the name contains the tag, the tags do not
    assert listing(client, "/app/clients", tag="VIP").count('class="strong"') == 2
    assert "VIPshop" not in listing(client, "/app/clients", tag="VIP")

    page = client.get("/app/clients/tags").get_data(as_text=True)
    assert page.index("VIP") < page.index("长期合作") and '<td data-label="Clients">2</td>' in page

    assert client.submit("/app/clients/tags/rename", {"tag": "长期合作", "name": "VIP"}).status_code == 302
    a_co = next(c for c in query(app, studio.tenant_id, select(Client)) if c.name == "A Co")
    assert a_co.tags == ["VIP"] and a_co.version == 2
    assert sorted(t.tag for t in query(app, studio.tenant_id, select(ClientTag))) == ["VIP", "VIP", "电商"]
    refused = client.submit("/app/clients/tags/rename", {"tag": "VIP", "name": "  "})
    assert refused.status_code == 422 and "required" in refused.get_data(as_text=True).lower()

    assert client.submit("/app/clients/tags/remove", {"tag": "VIP"}).status_code == 302
    assert listing(client, "/app/clients", tag="VIP").count('class="strong"') == 0
    assert "tag.removed" in [e.action for e in query(app, studio.tenant_id, select(AuditEvent))]


def test_a_member_may_not_rename_tags_for_the_whole_studio(app, new_client, studio):
    add_member(app, studio, "wang@aurora.test", "member")
    wang = new_client()
    wang.login("wang@aurora.test")
    create(wang, {"name": "Wang Co", "tags": "VIP"})
    assert "VIP" in wang.get("/app/clients/tags").get_data(as_text=True)
    assert wang.submit("/app/clients/tags/rename", {"tag": "VIP", "name": "x"}).status_code == 403
    assert query(app, studio.tenant_id, select(Client))[0].tags == ["VIP"]


def test_source_and_industry_filters(app, client, studio):
    client.login(studio.owner_email)
    create(client, {"name": "Referral Co", "source": "转介绍", "industry": "餐饮"})
    create(client, {"name": "Fair Co", "source": "展会", "industry": "餐饮"})
    assert listing(client, "/app/clients", source="转介绍").count('class="strong"') == 1
    assert listing(client, "/app/clients", industry="餐饮").count('class="strong"') == 2
    assert "Fair Co" in listing(client, "/app/clients", industry="餐饮", source="展会")


def test_finance_sees_the_commercial_side_only(app, client, new_client, studio):
    client.login(studio.owner_email)
    url = create(client, {"notes": "Hates yellow; the CEO decides on Fridays", "payment_terms": "30 days"})
    client.submit(f"{url}/contacts", {"name": "张伟", "email": "zw@example.com", "birthday": "1990-05-20"})
    client.submit(f"{url}/interactions", {"kind": "call", "summary": "Talked about the secret rebrand"})
    add_member(app, studio, "li@aurora.test", "finance")
    li = new_client()
    li.login("li@aurora.test")
    page = li.get(url).get_data(as_text=True)
    assert "30 days" in page and "zw@example.com" in page
    for hidden in ("Hates yellow", "secret rebrand", "1990-05-20", "Log a follow-up"):
        assert hidden not in page, hidden
    # The list tells finance nothing of the follow-ups either: no "Last follow-up" column, no filter by it.
    listed = li.get("/app/clients").get_data(as_text=True)
    assert "Last follow-up" not in listed and 'name="quiet_days"' not in listed
    assert "Last follow-up" in client.get("/app/clients").get_data(as_text=True)
    quiet = li.get("/app/clients", query_string={"quiet_days": "7"}).get_data(as_text=True)
    assert "No client matches" not in quiet  # the filter is ignored for finance, not answered

    finance_api = api(app, make_token(client, "finance", "accounting"))
    client_id = url.rsplit("/", 1)[1]
    body = finance_api.get(f"/api/v1/clients/{client_id}").get_json()
    assert body["payment_terms"] == "30 days" and "notes" not in body and "last_contact_at" not in body
    contact = finance_api.get(f"/api/v1/clients/{client_id}/contacts").get_json()["data"][0]
    assert contact["email"] == "zw@example.com" and "birthday" not in contact
    assert finance_api.get(f"/api/v1/clients/{client_id}/interactions").status_code == 403
    assert "notes" in api(app, make_token(client, "admin")).get(f"/api/v1/clients/{client_id}").get_json()


def test_contacts_and_follow_ups_patch_with_if_match_through_the_api(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    url = http.post("/api/v1/clients", json={"name": "Deer Coffee"}).headers["Location"]
    contact = http.post(f"{url}/contacts", json={"name": "陈思"})
    assert contact.headers["ETag"] == 'W/"1"'
    contact_url = f"{url}/contacts/{contact.get_json()['id']}"
    assert http.patch(contact_url, json={"title": "CEO"}).status_code == 428
    changed = http.patch(contact_url, json={"title": "CEO"}, headers={"If-Match": 'W/"1"'})
    assert changed.status_code == 200 and changed.get_json()["title"] == "CEO" and changed.headers["ETag"] == 'W/"2"'
    assert http.patch(contact_url, json={"title": "CTO"}, headers={"If-Match": 'W/"1"'}).status_code == 412
    wrong_type = http.patch(contact_url, json={"decision_maker": "maybe"}, headers={"If-Match": 'W/"2"'})
    assert wrong_type.status_code == 422 and "decision_maker" in wrong_type.get_json()["errors"]
    assert http.get(contact_url).get_json()["title"] == "CEO"

    logged = http.post(f"{url}/interactions", json={"kind": "call", "summary": "Frist call"})
    follow_up = f"{url}/interactions/{logged.get_json()['id']}"
    fixed = http.patch(follow_up, json={"summary": "First call"}, headers={"If-Match": logged.headers["ETag"]})
    assert fixed.status_code == 200 and fixed.get_json()["summary"] == "First call"
    assert http.patch(follow_up, json={"kind": "fax"}, headers={"If-Match": fixed.headers["ETag"]}).status_code == 422
    assert http.delete(contact_url).status_code == 204 and http.get(contact_url).status_code == 404


def test_tags_through_the_api(app, client, new_client, studio):
    client.login(studio.owner_email)
    admin_api = api(app, make_token(client))
    for name, tags in (("A", ["VIP", "餐饮"]), ("B", ["VIP"])):
        admin_api.post("/api/v1/clients", json={"name": name, "tags": tags})
    assert admin_api.get("/api/v1/tags").get_json()["data"] == [
        {"name": "VIP", "clients": 2},
        {"name": "餐饮", "clients": 1},
    ]
    renamed = admin_api.patch("/api/v1/tags/餐饮", json={"name": "VIP"})
    assert renamed.get_json() == {"name": "VIP", "clients": 2}
    assert admin_api.patch("/api/v1/tags/VIP", json={"name": "x" * 41}).status_code == 422
    assert admin_api.patch("/api/v1/tags/nope", json={"name": "y"}).status_code == 404
    member_api = api(app, make_token(client, "member", "designer tool"))
    assert member_api.delete("/api/v1/tags/VIP").status_code == 403
    assert admin_api.delete("/api/v1/tags/VIP").status_code == 204
    assert admin_api.get("/api/v1/tags").get_json()["data"] == []
    assert admin_api.get("/api/v1/clients", query_string={"tag": "VIP"}).get_json()["data"] == []


@pytest.mark.parametrize("role", ["owner", "manager", "member"])
def test_the_relationship_side_is_visible_to_client_workers(app, new_client, studio, role):
    email = f"{role}-x@aurora.test"
    add_member(app, studio, email, "member" if role == "owner" else role)
    person = new_client()
    person.login(email)
    url = create(person, {"notes": "Prefers calls after 3pm"})
    assert "Prefers calls after 3pm" in person.get(url).get_data(as_text=True)
