"""The client portal: staff invite a client's contact; the one-time link opens a confirm page and signs in
only on its POST, once, within 15 minutes; portal sessions are their own; the contact sees their own client's
projects, the quotes sent to them (and answers them: name, time and IP kept) and their invoices — nothing
of another client or another studio."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from saas.billing.models import Quote
from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.portal_accounts.models import PortalLink, PortalUser
from tests.conftest import query
from tests.factories import client_with_contact, create, invite, new_project, new_quote


def test_a_contact_signs_in_with_a_one_time_link_and_sees_their_projects(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    new_project(client, client_url, name="校园店品牌焕新")
    other_url, _ = client_with_contact(client, app, studio, "Other client", "x@other.test")
    new_project(client, other_url, name="Other client's secret project")
    link = invite(client, contact_url, outbox, "zw@deer.test")
    assert link.startswith("/portal/aurora/signin/")

    visitor = new_client()
    confirm = visitor.get(link)
    assert confirm.status_code == 200 and "Continue" in confirm.get_data(as_text=True)
    assert visitor.get(link).status_code == 200  # opening it (a mail scanner) does not use it up
    signed_in = visitor.submit(link, {})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/portal/aurora/home"
    cookie = visitor.get_cookie("atelier_portal", path="/portal/aurora/")
    assert cookie is not None and cookie.http_only
    home = visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert "校园店品牌焕新" in home and "Other client" not in home
    assert visitor.submit(link, {}).status_code == 410  # used once
    assert visitor.get("/app/").status_code == 302  # a portal session is not a staff session
    staff_home = client.get("/portal/aurora/home")
    assert staff_home.status_code == 302  # and a staff session is not a portal session


def test_an_expired_or_unknown_link_does_nothing(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    _url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    link = invite(client, contact_url, outbox, "zw@deer.test")
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(PortalLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    visitor = new_client()
    assert visitor.get(link).status_code == 410
    assert visitor.submit(link, {}).status_code == 410
    assert visitor.get("/portal/aurora/signin/not-a-token").status_code == 410
    assert visitor.get("/portal/aurora/home").status_code == 302


def test_asking_for_a_link_says_the_same_for_known_and_unknown_addresses(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    _url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    client.submit(f"{contact_url}/portal", {})
    before = len(outbox.messages())
    visitor = new_client()

    def page(email: str) -> str:
        html = visitor.submit("/portal/aurora/login", {"email": email}).get_data(as_text=True)
        return html[html.index("<main") : html.index("</main>")]

    known, unknown = page("ZW@deer.test"), page("nobody@deer.test")
    assert known.replace("ZW@deer.test", "X") == unknown.replace("nobody@deer.test", "X")
    assert len(outbox.messages()) == before + 1 and outbox.last()["To"] == "zw@deer.test"
    assert visitor.submit("/portal/aurora/login", {"email": "not an address"}).status_code == 422


def test_the_client_accepts_a_quote_in_the_portal(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    draft_url = new_quote(client, client_url, [("草稿", "1", "100", "")], title="Draft only")
    sent_url = new_quote(client, client_url, [("品牌设计", "1", "80000", "")])
    client.submit(f"{sent_url}/send", {})
    visitor = new_client()
    visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
    home = visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert "品牌设计" in home and "Draft only" not in home and "¥84,800.00" in home
    draft_id = draft_url.rsplit("/", 1)[1]
    assert visitor.submit(f"/portal/aurora/quotes/{draft_id}/accept", {"name": "张伟"}).status_code == 404
    sent_id = sent_url.rsplit("/", 1)[1]
    accepted = visitor.submit(f"/portal/aurora/quotes/{sent_id}/accept", {"name": "张伟（总经理）"})
    assert accepted.status_code == 302
    quote = query(app, studio.tenant_id, select(Quote).where(Quote.title == "品牌设计"))[0]
    assert (quote.status, quote.decided_by, quote.decided_ip) == ("accepted", "张伟（总经理）", "127.0.0.1")
    assert visitor.submit(f"/portal/aurora/quotes/{sent_id}/decline", {}).status_code == 303  # answered already
    assert "Quote accepted" in client.get(client_url, query_string={"only": "changes"}).get_data(as_text=True)


def test_a_portal_user_sees_nothing_of_another_client_or_studio(app, client, new_client, studio, other_studio, outbox):
    client.login(studio.owner_email)
    _a_url, a_contact = client_with_contact(client, app, studio, "Client A", "a@a.test")
    b_url, _b_contact = client_with_contact(client, app, studio, "Client B", "b@b.test")
    b_quote = new_quote(client, b_url, [("B only", "1", "100", "")])
    client.submit(f"{b_quote}/send", {})
    visitor = new_client()
    visitor.submit(invite(client, a_contact, outbox, "a@a.test"), {})
    b_id = b_quote.rsplit("/", 1)[1]
    assert visitor.submit(f"/portal/aurora/quotes/{b_id}/accept", {"name": "x"}).status_code == 404
    assert "B only" not in visitor.get("/portal/aurora/home").get_data(as_text=True)
    # The cookie is scoped to this studio's portal: another studio's portal does not know the person.
    assert visitor.get("/portal/bamboo/home").status_code == 302
    assert query(app, studio.tenant_id, select(Quote))[0].status == "sent"


def test_stopping_portal_access_ends_the_sessions(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    visitor = new_client()
    visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
    assert visitor.get("/portal/aurora/home").status_code == 200
    user = query(app, studio.tenant_id, select(PortalUser))[0]
    assert client.submit(f"{client_url}/portal/{user.id}/revoke", {}).status_code == 302
    assert visitor.get("/portal/aurora/home").status_code == 302
    no_email = create(client, {"name": "No e-mail Co"})
    client.submit(f"{no_email}/contacts", {"name": "李雷"})
    from saas.clients.models import Contact

    contact = next(c for c in query(app, studio.tenant_id, select(Contact)) if c.name == "李雷")
    assert client.submit(f"{no_email}/contacts/{contact.id}/portal", {}).status_code == 303


def _project_file(client, client_url: str, name: str = "效果图.png") -> tuple[str, dict]:
    from tests.factories import png_bytes

    project_url = new_project(client, client_url, name="菜单设计")
    image = png_bytes()
    body = {"name": name, "size": len(image), "content_type": "image/png", "project_id": project_url.rsplit("/", 1)[1]}
    headers = {"X-CSRFToken": client.csrf_token()}
    ticket = client.post("/app/files", json=body, headers=headers).get_json()
    client.put(ticket["upload"]["url"], data=image, headers=headers)
    client.post(ticket["complete_url"], headers=headers)
    return project_url, {**ticket, "bytes": image}


def test_files_shared_with_the_client_appear_in_the_portal(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    other_url, _ = client_with_contact(client, app, studio, "Other client", "x@other.test")
    _project_url, mine = _project_file(client, client_url)
    _other_project, theirs = _project_file(client, other_url, "other.png")
    visitor = new_client()
    visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
    portal_url = f"/portal/aurora/files/{mine['id']}"
    assert "效果图.png" not in visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert visitor.get(portal_url).status_code == 404  # not shared yet

    assert client.submit(f"/app/files/{mine['id']}/share", {}).status_code == 302
    client.submit(f"/app/files/{theirs['id']}/share", {})
    assert "效果图.png" in visitor.get("/portal/aurora/home").get_data(as_text=True)
    download = visitor.get(portal_url)
    assert download.data == mine["bytes"] and download.headers["Content-Disposition"].startswith("attachment;")
    assert visitor.get(f"{portal_url}?preview=thumb").status_code == 200
    assert visitor.get(f"/portal/aurora/files/{theirs['id']}").status_code == 404  # another client's file

    assert client.submit(f"/app/files/{mine['id']}/unshare", {}).status_code == 302
    assert visitor.get(portal_url).status_code == 404


def test_a_client_chooses_their_language_for_pages_and_mails(app, client, new_client, studio, outbox):
    """The studio works in English here; its client reads Chinese. Signed out the choice is the browser's and
    becomes the person's own when they sign in; signed in it is theirs, and their e-mails follow it."""
    client.login(studio.owner_email)
    _url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    visitor = new_client()
    assert "Sign in" in visitor.get("/portal/aurora/login").get_data(as_text=True)
    switched = visitor.submit("/portal/aurora/language", {"locale": "zh_CN", "next": "/portal/aurora/login"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/portal/aurora/login"
    assert "登录" in visitor.get("/portal/aurora/login").get_data(as_text=True)

    visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
    assert "您好，张伟" in visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert query(app, studio.tenant_id, select(PortalUser))[0].locale == "zh_CN"
    away = visitor.submit("/portal/aurora/language", {"locale": "en", "next": "https://evil.test/"})
    assert away.headers["Location"] == "/portal/aurora/"  # only back into this portal
    assert "Hello, 张伟" in visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert visitor.submit("/portal/aurora/language", {"locale": "fr"}).status_code == 303
    assert query(app, studio.tenant_id, select(PortalUser))[0].locale == "en"  # "fr" refused, nothing changed

    new_client().submit("/portal/aurora/login", {"email": "zw@deer.test"})
    assert "sign-in link" in outbox.last("zw@deer.test")["Subject"].lower()
