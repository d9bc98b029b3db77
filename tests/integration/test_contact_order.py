"""Contacts sort by name as a Chinese reader expects (issue 16): pinyin with tones, Latin names among them by their
letters, in the staff's contacts list and the API's, across keyset pages; a renamed contact moves; a contact the
import wrote (the set-based INSERT of new clients, or the ORM when an update adds a client's person) has the very
key of one typed in; and a name whose pinyin fills the key's whole column still pages through the API."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from saas.clients import services
from saas.clients.contact_list import PAGE_SIZE
from saas.clients.models import Client, Contact
from saas.extensions import db
from saas.i18n import sort_key
from saas.isolation import set_tenant
from saas.tenants.models import Membership
from tests.conftest import query
from tests.factories import api, make_token
from tests.integration.test_imports import csv_bytes, run_import

# In pinyin order (what a Chinese reader expects), written out by hand rather than computed by the code under test:
# a1 ming2, anna smith, bei3 dao3, bob, [ce4 shi4 NN…], chen2 chen2 (twice: the page ends between them), li3 lei2,
# ou1 yang2 na4 na4, wang2 fang1, zhang1 wei3, zoe. By code point, Latin would come first and 张 before 李 before 王.
BEFORE = ["阿明", "Anna Smith", "北岛", "Bob"]
AFTER = ["陈晨", "陈晨", "李雷", "欧阳娜娜", "王芳", "张伟", "Zoe"]
FILLERS = [f"测试{n:02d}" for n in range(PAGE_SIZE - len(BEFORE) - 1)]  # ce4 shi4 00…: the first page ends at 陈晨


def _names(page) -> list[str]:
    """The contacts a page of /app/contacts lists, in its order."""
    return re.findall(r'<td class="row-title"[^>]*><strong>([^<]+)</strong>', page.get_data(as_text=True))


def _add(app, studio, client_id: str, names: list[str]) -> None:
    """Contacts added by the service every surface calls, in one go (cheaper than a request each)."""
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.get(Membership, studio.owner_membership_id)
        client = db.session.get(Client, uuid.UUID(client_id))
        for name in names:
            services.add_contact(owner, client, {"name": name})
        db.session.commit()


def _api_pages(http, **args) -> list[list[dict]]:
    """Every page of GET /contacts, following next_cursor (at most 20: a cursor that leads back would loop)."""
    pages, cursor = [], ""
    for _ in range(20):
        answer = http.get("/api/v1/contacts", query_string={**args, "cursor": cursor})
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        pages.append(body["data"])
        if not (cursor := body["next_cursor"]):
            return pages
    raise AssertionError("the pages never end")


def test_contacts_come_in_pinyin_order_across_pages(app, client, studio):
    """More than a page of contacts (PAGE_SIZE as it is), added in an order unlike the list's, some typed in through
    the API: both lists give the pinyin order, the first page ending between two contacts of the same name, and the
    second page starting with the other — none left out, none twice."""
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    deer = http.post("/api/v1/clients", json={"name": "鹿鸣咖啡"}).get_json()["id"]
    book = http.post("/api/v1/clients", json={"name": "Book & Co"}).get_json()["id"]
    for name in ("张伟", "Zoe", "阿明", "陈晨"):
        assert http.post(f"/api/v1/clients/{deer}/contacts", json={"name": name}).status_code == 201
    _add(app, studio, book, [*reversed(FILLERS), "王芳", "Bob", "欧阳娜娜", "陈晨", "北岛", "李雷", "Anna Smith"])
    expected = BEFORE + FILLERS + AFTER
    assert len(expected) > PAGE_SIZE

    first, second = _api_pages(http)
    assert [c["name"] for c in first] == expected[:PAGE_SIZE] and first[-1]["name"] == "陈晨"
    assert [c["name"] for c in second] == expected[PAGE_SIZE:] and second[0]["name"] == "陈晨"
    assert len({c["id"] for c in first + second}) == len(expected)

    page = client.get("/app/contacts")
    assert _names(page) == expected[:PAGE_SIZE]
    following = re.search(r'href="(/app/contacts\?after=[^"]+)"', page.get_data(as_text=True)).group(1)
    assert _names(client.get(following.replace("&amp;", "&"))) == expected[PAGE_SIZE:]
    # A search keeps the order: 陈晨 and 测试… share nothing, Latin names among the Chinese.
    assert [c["name"] for c in http.get("/api/v1/contacts", query_string={"q": "o"}).get_json()["data"]] == [
        "Bob",
        "Zoe",
    ]


def test_a_renamed_contact_moves_to_its_new_place(app, client, studio):
    """Renamed through the API (If-Match) and through the staff's edit form, a contact moves in the list."""
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    url = http.post("/api/v1/clients", json={"name": "山海书店"}).headers["Location"]
    made = {n: http.post(f"{url}/contacts", json={"name": n}).get_json() for n in ("王芳", "李雷", "张伟")}

    def names() -> list[str]:
        return [c["name"] for c in http.get("/api/v1/contacts").get_json()["data"]]

    assert names() == ["李雷", "王芳", "张伟"]
    contact_url = f"{url}/contacts/{made['张伟']['id']}"
    etag = http.get(contact_url).headers["ETag"]
    assert http.patch(contact_url, json={"name": "艾伦"}, headers={"If-Match": etag}).status_code == 200
    assert names() == ["艾伦", "李雷", "王芳"]  # ai4 lun2 first
    edit = f"/app/clients/{url.rsplit('/', 1)[1]}/contacts/{made['李雷']['id']}/edit"
    assert client.submit(edit, {"name": "Zhu Li", "version": "1"}).status_code == 302
    assert _names(client.get("/app/contacts")) == ["艾伦", "王芳", "Zhu Li"]  # wang2 fang1 < zhu li
    keys = {c.name: c.sort_key for c in query(app, studio.tenant_id, select(Contact))}
    assert keys == {"艾伦": "ai4 lun2", "王芳": "wang2 fang1", "Zhu Li": "zhu li"}


def test_an_imported_contact_has_the_key_of_one_typed_in(app, client, studio):
    """The import writes new clients' contacts by INSERT … SELECT (their keys made in Python per batch, beside the
    clients') and adds a person to an existing client through the ORM: either way the contact's key is the one the
    same name gets when typed in, and the list interleaves imported and typed-in contacts by it."""
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    typed = http.post("/api/v1/clients", json={"name": "手工录入"}).headers["Location"]
    for name in ("重庆 王芳", "Anna Smith", "欧阳娜娜"):
        assert http.post(f"{typed}/contacts", json={"name": name}).status_code == 201
    header = "客户名称,联系人,手机\n"
    created = run_import(
        client, app, studio, csv_bytes(header + "山城设计,重庆 王芳,13800000001\n北辰,Bob,13800000002\n")
    )
    assert created.created_count == 2
    # 北辰 again, by its contact's phone, bringing another person: the update adds 欧阳娜娜 to it (the ORM path).
    updated = run_import(client, app, studio, csv_bytes(header + "北辰,欧阳娜娜,13800000003\n"), duplicates="update")
    assert updated.updated_count == 1

    contacts = query(app, studio.tenant_id, select(Contact))
    keys: dict[str, set[str]] = {}
    for contact in contacts:
        keys.setdefault(contact.name, set()).add(contact.sort_key)
    assert keys == {
        "重庆 王芳": {"chong2 qing4 wang2 fang1"},  # typed in and imported: one key
        "Anna Smith": {"anna smith"},
        "欧阳娜娜": {"ou1 yang2 na4 na4"},  # typed in and added by the update: one key
        "Bob": {"bob"},
    }
    assert [c["name"] for c in http.get("/api/v1/contacts").get_json()["data"]] == [
        "Anna Smith",
        "Bob",
        "重庆 王芳",
        "重庆 王芳",
        "欧阳娜娜",
        "欧阳娜娜",
    ]


def test_a_name_whose_pinyin_fills_the_key_still_pages(app, client, studio, monkeypatch):
    """120 Chinese characters (the longest name) make more pinyin than the key's 400 characters: the key is cut to
    its column, the same for a name typed in and one imported, and the cursor that carries it (longer than the 200
    characters other cursors get) is taken back by the API. Longer names and hostile ones are refused clearly."""
    import saas.clients.contact_list as contact_list

    client.login(studio.owner_email)
    http = api(app, make_token(client))
    url = http.post("/api/v1/clients", json={"name": "长名字"}).headers["Location"]
    long_names = ["庄" * 120, "壮" * 119 + "甲"]
    for name in long_names:
        assert http.post(f"{url}/contacts", json={"name": name}).status_code == 201
    keys = {c.name: c.sort_key for c in query(app, studio.tenant_id, select(Contact))}
    assert {len(k) for k in keys.values()} == {400} and keys["庄" * 120] == sort_key("庄" * 120)
    assert keys["庄" * 120].startswith("zhuang1 zhuang1") and keys["壮" * 119 + "甲"].startswith("zhuang4 zhuang4")

    monkeypatch.setattr(contact_list, "PAGE_SIZE", 1)
    pages = _api_pages(http)
    assert [c["name"] for page in pages for c in page] == long_names
    first = http.get("/api/v1/contacts").get_json()["next_cursor"]
    assert len(first) > 400

    refused = {
        "x" * 121: "name",
        "Nul\x00Byte": "name",
        "  ": "name",
    }
    for name, field in refused.items():
        answer = http.post(f"{url}/contacts", json={"name": name})
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (name, answer.get_json())
    broken = http.post(f"{url}/contacts", data=b'{"name": "\xed\xa0\x80"}', content_type="application/json")
    assert broken.status_code in (400, 422)
    assert len(query(app, studio.tenant_id, select(Contact))) == 2


def test_names_without_letters_have_an_empty_key_and_still_page(app, client, studio, monkeypatch):
    """A name of combining accents alone keeps nothing of its letters: its key is empty, and the cursor after it
    (`<id>|`) still leads on to the next page rather than back to the first."""
    import saas.clients.contact_list as contact_list

    client.login(studio.owner_email)
    http = api(app, make_token(client))
    url = http.post("/api/v1/clients", json={"name": "无字"}).headers["Location"]
    for name in ("\u0301", "\u0302\u0302", "Ada"):
        assert http.post(f"{url}/contacts", json={"name": name}).status_code == 201
    assert {c.sort_key for c in query(app, studio.tenant_id, select(Contact))} == {"", "ada"}
    monkeypatch.setattr(contact_list, "PAGE_SIZE", 1)
    pages = _api_pages(http)
    assert len(pages) == 3 and pages[-1][0]["name"] == "Ada"
    assert len({page[0]["id"] for page in pages}) == 3
