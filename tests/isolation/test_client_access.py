"""Who sees which client: record-level access by role, shares that expire with nobody acting, and another
studio's client ids answering 404 on every client route."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from saas.clients.models import Client, ClientShare, Contact, Interaction, SavedView
from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import User
from tests.conftest import add_member, query


def _create(browser, name: str) -> str:
    response = browser.submit("/app/clients/new", {"name": name})
    assert response.status_code == 302
    return response.headers["Location"]


def _user_id(app, email: str):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_members_see_their_own_and_shared_clients_managers_and_finance_see_all(app, client, new_client, studio):
    for email, role in (
        ("wang@aurora.test", "member"),
        ("emma@aurora.test", "member"),
        ("chen@aurora.test", "manager"),
        ("li@aurora.test", "finance"),
        ("zhao@aurora.test", "field"),
    ):
        add_member(app, studio, email, role)
    people = {}
    for email in ("wang@aurora.test", "emma@aurora.test", "chen@aurora.test", "li@aurora.test", "zhao@aurora.test"):
        people[email] = new_client()
        people[email].login(email)
    wang_client = _create(people["wang@aurora.test"], "Wang's client")
    emma_client = _create(people["emma@aurora.test"], "Emma's client")

    def sees(email: str, url: str) -> bool:
        return people[email].get(url).status_code == 200

    assert sees("wang@aurora.test", wang_client) and not sees("wang@aurora.test", emma_client)
    assert "Emma's client" not in people["wang@aurora.test"].get("/app/clients").get_data(as_text=True)
    for email in ("chen@aurora.test", "li@aurora.test"):
        assert sees(email, wang_client) and sees(email, emma_client)
    assert not sees("zhao@aurora.test", wang_client)
    # Finance reads clients but does not change them.
    assert (
        people["li@aurora.test"].submit(f"{wang_client}/interactions", {"kind": "call", "summary": "x"}).status_code
        == 403
    )
    # A member may not post into a client they cannot see: 404, not 403, so nothing leaks.
    assert (
        people["wang@aurora.test"].submit(f"{emma_client}/interactions", {"kind": "call", "summary": "x"}).status_code
        == 404
    )


def test_a_share_lets_a_colleague_in_until_it_expires(app, new_client, studio):
    add_member(app, studio, "wang@aurora.test", "member")
    add_member(app, studio, "emma@aurora.test", "member")
    wang, emma = new_client(), new_client()
    wang.login("wang@aurora.test")
    emma.login("emma@aurora.test")
    url = _create(wang, "Shared Co")
    assert emma.get(url).status_code == 404

    emma_id = _user_id(app, "emma@aurora.test")
    until = (date.today() + timedelta(days=7)).isoformat()
    assert wang.submit(f"{url}/shares", {"user_id": str(emma_id), "expires_on": until}).status_code == 302
    assert emma.get(url).status_code == 200
    assert "Shared Co" in emma.get("/app/clients").get_data(as_text=True)

    # Time passes: the share expires with nobody acting.
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(ClientShare).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert emma.get(url).status_code == 404
    assert "Shared Co" not in emma.get("/app/clients").get_data(as_text=True)


def test_a_share_in_the_past_or_to_an_outsider_is_refused(app, new_client, studio, other_studio):
    add_member(app, studio, "wang@aurora.test", "member")
    wang = new_client()
    wang.login("wang@aurora.test")
    url = _create(wang, "Shared Co")
    outsider = _user_id(app, other_studio.owner_email)
    past = (date.today() - timedelta(days=2)).isoformat()
    owner_id = _user_id(app, studio.owner_email)
    assert wang.submit(f"{url}/shares", {"user_id": str(owner_id), "expires_on": past}).status_code == 422
    assert wang.submit(f"{url}/shares", {"user_id": str(outsider)}).status_code == 422
    assert query(app, studio.tenant_id, select(ClientShare)) == []


def test_another_studios_client_ids_are_404_everywhere(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    url = _create(client, "极光的客户")
    client.submit(f"{url}/contacts", {"name": "张伟", "phone": "138 0013 8000"})
    contact = query(app, studio.tenant_id, select(Contact))[0]
    version = query(app, studio.tenant_id, select(Client))[0].version
    assert (
        client.submit(f"{url}/edit", {"name": "极光的客户", "tags": "极光标签", "version": version}).status_code == 302
    )
    client.submit(
        f"{url}/interactions",
        {"kind": "call", "summary": "secret", "next_action": "x", "next_action_due": "2020-01-01"},
    )
    interaction = query(app, studio.tenant_id, select(Interaction))[0]
    client.submit("/app/clients/views", {"view_name": "极光视图", "status": "intent"})
    view = query(app, studio.tenant_id, select(SavedView))[0]
    client.submit(f"{url}/shares", {"user_id": str(_user_id(app, studio.owner_email))})
    before = (
        query(app, studio.tenant_id, select(Client))[0].version,
        len(query(app, studio.tenant_id, select(Contact))),
        len(query(app, studio.tenant_id, select(Interaction))),
    )

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    attempts = [
        ("get", url, None),
        ("get", f"{url}/edit", None),
        ("post", f"{url}/edit", {"name": "hacked", "version": "1"}),
        ("post", f"{url}/archive", {}),
        ("post", f"{url}/restore", {}),
        ("post", f"{url}/contacts", {"name": "x"}),
        ("post", f"{url}/interactions", {"kind": "call", "summary": "x"}),
        ("post", f"{url}/interactions/{interaction.id}/done", {}),
        ("post", f"{url}/shares", {"user_id": str(_user_id(app, other_studio.owner_email))}),
        ("post", f"/app/clients/views/{view.id}/delete", {}),
        ("get", f"{url}/contacts/{contact.id}/edit", None),
        ("post", f"{url}/contacts/{contact.id}/edit", {"name": "hacked", "version": "1"}),
        ("post", f"{url}/contacts/{contact.id}/remove", {}),
    ]
    for method, path, data in attempts:
        response = intruder.get(path) if method == "get" else intruder.submit(path, data)
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        assert "极光的客户" not in body and "张伟" not in body and "secret" not in body, path
    intruder.submit("/app/clients/tags/rename", {"tag": "极光标签", "name": "hacked"})
    intruder.submit("/app/clients/tags/remove", {"tag": "极光标签"})
    pages = ("/app/clients", "/app/clients?q=张伟", "/app/follow-ups", "/app/clients/tags", "/app/clients?tag=极光标签")
    pages += ("/app/follow-ups/logged", "/app/follow-ups/logged?kind=call", "/app/tickets?status=all&client_source=x")
    for path in pages:
        body = intruder.get(path).get_data(as_text=True)
        assert "极光的客户" not in body and "secret" not in body and "极光视图" not in body, path
        if path.endswith("/tags"):
            assert "极光标签" not in body
    assert query(app, studio.tenant_id, select(Client))[0].tags == ["极光标签"]
    assert len(query(app, studio.tenant_id, select(SavedView))) == 1
    after = (
        query(app, studio.tenant_id, select(Client))[0].version,
        len(query(app, studio.tenant_id, select(Contact))),
        len(query(app, studio.tenant_id, select(Interaction))),
    )
    assert after == before
