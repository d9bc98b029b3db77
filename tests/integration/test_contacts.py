"""The staff's contacts list (/app/contacts) and the API's (/api/v1/contacts): every contact of the clients a person
may see, searched by name, phone (however it was typed) or e-mail, Chinese too, and filtered by the studio's contact
fields with each kind of filter (equals, contains, a range, empty) as the clients list filters; keyset pages; a
member sees the contacts of their own clients only, finance the fields each field's visibility lets it see;
another studio sees none of them and knows none of the fields."""

from __future__ import annotations

import re

import pytest

from tests.conftest import add_member
from tests.integration.test_api import api, make_token
from tests.integration.test_custom_fields import define

ROLES = "owner | Owner | 业主\nspouse | Spouse | 配偶"


def _names(page) -> list[str]:
    """The contacts a page lists, in its order."""
    return re.findall(r'<td class="row-title"[^>]*><strong>([^<]+)</strong>', page.get_data(as_text=True))


class Book:
    """Studio A: contact fields (a choice, a number, a text, a text hidden from finance); 鹿鸣咖啡 owned by the
    designer with 李雷, 山海书店 with 王芳 and 张伟, and an archived client with its contact."""

    def __init__(self, app, client, studio) -> None:
        client.login(studio.owner_email)
        add_member(app, studio, "des@aurora.test", "member", "Designer Du")
        define(client, "role_in_family", "choice", entity="contact", choices=ROLES)
        define(client, "shoe_size", "number", entity="contact")
        define(client, "hobby", "text", entity="contact")
        define(client, "private_note", "text", entity="contact", visibility="not_finance")
        self.http = http = api(app, make_token(client))
        members = http.get("/api/v1/members").get_json()["data"]
        self.designer = next(m["user_id"] for m in members if m["email"] == "des@aurora.test")
        deer = http.post("/api/v1/clients", json={"name": "鹿鸣咖啡", "owner_id": str(self.designer)}).get_json()
        book = http.post("/api/v1/clients", json={"name": "山海书店"}).get_json()
        gone = http.post("/api/v1/clients", json={"name": "旧店"}).get_json()
        self.deer, self.book = deer["id"], book["id"]
        li = {"role_in_family": "spouse", "shoe_size": 38, "hobby": "爬山 Hiking", "private_note": "喜欢猫"}
        self._add(deer["id"], "李雷", "138-0013-8000", "lilei@deer.test", li, title="店长")
        self._add(book["id"], "王芳", "021 6234 5678", "wf@book.test", {"role_in_family": "owner", "shoe_size": 42})
        self._add(book["id"], "张伟", None, "zw@book.test", {}, decision_maker=True)
        self._add(gone["id"], "归档人", "13900000000", None, {})
        assert http.delete(f"/api/v1/clients/{gone['id']}").status_code == 204

    def _add(self, client_id, name, phone, email, custom, **more) -> None:
        body = {"name": name, "phone": phone, "email": email, "custom_fields": custom, **more}
        made = self.http.post(f"/api/v1/clients/{client_id}/contacts", json=body)
        assert made.status_code == 201, made.get_json()


def test_the_owner_searches_and_filters_every_contact(app, client, studio):
    book = Book(app, client, studio)
    page = client.get("/app/contacts")
    assert page.status_code == 200 and set(_names(page)) == {"张伟", "李雷", "王芳"}
    html = page.get_data(as_text=True)
    assert f'href="/app/clients/{book.deer}#people">鹿鸣咖啡</a>' in html and "归档人" not in html
    assert 'href="tel:13800138000"' in html and "店长" in html and 'href="/app/contacts" aria-current="page"' in html

    def names(**args) -> set[str]:
        answer = client.get("/app/contacts", query_string=args)
        assert answer.status_code == 200
        return set(_names(answer))

    # Search: Chinese, a phone typed any way (its digits), an e-mail fragment, case aside.
    assert names(q="王芳") == {"王芳"} and names(q="李") == {"李雷"}
    assert names(q="13800138000") == {"李雷"} and names(q="138 0013") == {"李雷"} and names(q="6234-5678") == {"王芳"}
    assert names(q="BOOK.test") == {"王芳", "张伟"} and names(q="nobody") == set()
    # Each kind of filter on the studio's contact fields, and two together.
    assert names(**{"cf.role_in_family": "spouse"}) == {"李雷"}
    assert names(**{"cf.hobby.contains": "hiking"}) == {"李雷"}
    assert names(**{"cf.shoe_size.min": "40"}) == {"王芳"} and names(**{"cf.shoe_size.max": "40"}) == {"李雷"}
    assert names(**{"cf.shoe_size.min": "30", "cf.shoe_size.max": "50"}) == {"李雷", "王芳"}
    assert names(**{"cf.shoe_size.empty": "1"}) == {"张伟"} and names(**{"cf.shoe_size.empty": "0"}) == {"李雷", "王芳"}
    assert names(**{"cf.role_in_family": "owner", "cf.shoe_size.min": "40"}) == {"王芳"}
    assert names(q="王", **{"cf.role_in_family": "spouse"}) == set()
    # A value the type cannot read, an unknown field: nothing, not an error.
    assert names(**{"cf.shoe_size.min": "big"}) == set() and names(**{"cf.nope": "x"}) == set()
    # Columns: the fields asked for, with their values; the filter controls are the clients list's.
    shown = client.get("/app/contacts", query_string={"cols": "role_in_family,shoe_size"}).get_data(as_text=True)
    assert "Spouse" in shown and ">42<" in shown and 'name="cf.hobby.contains"' in shown

    # The API: the same list, the same filters, contact fields in each row.
    data = book.http.get("/api/v1/contacts", query_string={"cf.role_in_family": "owner"}).get_json()["data"]
    assert [(c["name"], c["client_id"], c["custom_fields"]["shoe_size"]) for c in data] == [("王芳", book.book, 42)]
    assert {
        c["name"] for c in book.http.get("/api/v1/contacts", query_string={"q": "138-0013"}).get_json()["data"]
    } == {"李雷"}


def test_pages_follow_the_name_order_without_gaps(app, client, studio, monkeypatch):
    import saas.clients.contact_list as contact_list

    book = Book(app, client, studio)
    monkeypatch.setattr(contact_list, "PAGE_SIZE", 2)
    first = book.http.get("/api/v1/contacts").get_json()
    second = book.http.get("/api/v1/contacts", query_string={"cursor": first["next_cursor"]}).get_json()
    assert len(first["data"]) == 2 and len(second["data"]) == 1 and second["next_cursor"] is None
    everyone = [c["name"] for c in first["data"] + second["data"]]
    assert sorted(everyone) == sorted(["李雷", "王芳", "张伟"]) and len(set(everyone)) == 3
    page = client.get("/app/contacts")
    nxt = re.search(r'href="(/app/contacts\?after=[^"]+)"', page.get_data(as_text=True)).group(1)
    assert set(_names(client.get(nxt.replace("&amp;", "&")))) | set(_names(page)) == set(everyone)
    assert book.http.get("/api/v1/contacts", query_string={"cursor": "garbage|x"}).status_code == 200


def test_a_member_sees_the_contacts_of_their_clients_and_finance_the_fields_it_may(app, client, new_client, studio):
    book = Book(app, client, studio)
    designer = new_client()
    designer.login("des@aurora.test")
    assert set(_names(designer.get("/app/contacts"))) == {"李雷"}
    assert _names(designer.get("/app/contacts", query_string={"q": "王芳"})) == []
    assert _names(designer.get("/app/contacts", query_string={"cf.role_in_family": "owner"})) == []
    # Shared with them, 山海书店's contacts come too.
    shared = client.submit(f"/app/clients/{book.book}/shares", {"user_id": str(book.designer)})
    assert shared.status_code == 302
    assert set(_names(designer.get("/app/contacts"))) == {"李雷", "王芳", "张伟"}

    add_member(app, studio, "fin@aurora.test", "finance")
    finance = new_client()
    finance.login("fin@aurora.test")
    seen = finance.get("/app/contacts", query_string={"cols": "private_note,role_in_family"})
    html = seen.get_data(as_text=True)
    assert set(_names(seen)) == {"李雷", "王芳", "张伟"} and "Spouse" in html and "喜欢猫" not in html
    assert 'name="cf.private_note.contains"' not in html
    assert _names(finance.get("/app/contacts", query_string={"cf.private_note.contains": "猫"})) == []
    fin_http = api(app, make_token(client, role="finance", name="finance"))
    rows = fin_http.get("/api/v1/contacts", query_string={"q": "李雷"}).get_json()["data"]
    assert rows[0]["custom_fields"] == {"role_in_family": "spouse", "shoe_size": 38, "hobby": "爬山 Hiking"}
    assert "birthday" not in rows[0]  # finance reads a contact's commercial side


def test_another_studio_sees_none_of_the_contacts_nor_knows_their_fields(app, client, new_client, studio, other_studio):
    Book(app, client, studio)
    other = new_client()
    other.login(other_studio.owner_email)
    assert _names(other.get("/app/contacts")) == [] and "李雷" not in other.get("/app/contacts").get_data(as_text=True)
    assert _names(other.get("/app/contacts", query_string={"q": "李雷", "cf.role_in_family": "spouse"})) == []
    assert 'name="cf.role_in_family"' not in other.get("/app/contacts").get_data(as_text=True)
    other_http = api(app, make_token(other))
    assert other_http.get("/api/v1/contacts").get_json()["data"] == []
    assert other_http.get("/api/v1/contacts", query_string={"cf.shoe_size.min": "1"}).get_json()["data"] == []
    assert other_http.get("/api/v1/contacts", query_string={"q": "138"}).get_json()["data"] == []


@pytest.mark.postgres
def test_the_search_reads_the_trigram_index_on_postgresql(migrated):
    """The search's expression is the index's (saas.clients.models.contact_search), so PostgreSQL can use it: with
    plain scans, the other indexes and RLS out of the way (in a transaction rolled back), the trigram index answers."""
    from sqlalchemy import select
    from sqlalchemy.pool import NullPool

    from saas.clients.models import Contact, contact_search
    from saas.db import make_engine

    engine = make_engine(migrated["MIGRATION_DATABASE_URL"], poolclass=NullPool)
    query = select(Contact.id).where(contact_search().like("%13800%"))
    compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        for statement in ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_indexscan = off"):
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("DROP INDEX ix_contacts_tenant_id_sort_key, ix_contacts_tenant_id_client_id")
        conn.exec_driver_sql("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY")  # the owner: no tenant clause
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}", {}))
        conn.rollback()
    engine.dispose()
    assert "Bitmap Index Scan on ix_contacts_search_trgm" in plan, plan


def test_saved_views_of_the_contacts_list_are_its_own(app, client, studio):
    """A view saved on the contacts list keeps its search and field filters, shows there and not among the clients
    list's views (the same name may name one of each), and deleting it returns to the contacts list."""
    Book(app, client, studio)
    assert client.submit("/app/clients/views", {"view_name": "业主", "status": "signed"}).status_code == 302
    saved = client.submit("/app/contacts/views", {"view_name": "业主", "cf.role_in_family": "owner", "q": "王"})
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/app/contacts?")
    page = client.get("/app/contacts").get_data(as_text=True)
    link = re.search(r'<a href="(/app/contacts\?[^"]+)">业主</a>', page).group(1).replace("&amp;", "&")
    assert set(_names(client.get(link))) == {"王芳"}
    clients_page = client.get("/app/clients").get_data(as_text=True)
    assert "cf.role_in_family" not in clients_page and 'href="/app/clients?status=signed">业主</a>' in clients_page
    refused = client.submit("/app/contacts/views", {"view_name": "", "q": "王"})
    assert refused.status_code == 422 and "Give the view a name" in refused.get_data(as_text=True)
    assert client.submit("/app/contacts/views", {"view_name": "全部"}).status_code == 422  # no filters: no view
    view_id = re.search(r"/app/clients/views/([0-9a-f-]+)/delete", page).group(1)
    deleted = client.submit(f"/app/clients/views/{view_id}/delete")
    assert deleted.headers["Location"] == "/app/contacts"
    assert "业主</a>" not in client.get("/app/contacts").get_data(as_text=True)
    assert 'href="/app/clients?status=signed">业主</a>' in client.get("/app/clients").get_data(as_text=True)
