"""The portal's optional password: set on the account page after a link sign-in, then usable instead of a link;
a failure says one generic thing and writes nothing; it works only for an active portal user of this studio;
setting or removing it ends the person's other sessions."""

from __future__ import annotations

import re

from sqlalchemy import select

from saas.portal_accounts.models import PortalSession, PortalUser
from tests.conftest import link_in, query
from tests.factories import client_with_contact, invite, new_project

EMAIL = "zw@deer.test"
SECRET = "violet-teapot-harbour"
GENERIC = "That e-mail and password do not match."


def _signed_in_visitor(app, client, new_client, studio, outbox):
    """Staff invite a contact who signs in by link; returns (the contact's browser, the client's URL)."""
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", EMAIL)
    visitor = new_client()
    assert visitor.submit(invite(client, contact_url, outbox, EMAIL), {}).status_code == 302
    return visitor, client_url


def _another_session(new_client, outbox):
    """The same person in a second browser, signed in by a fresh link."""
    other = new_client()
    other.submit("/portal/aurora/login", {"email": EMAIL})
    assert other.submit(link_in(outbox.last(EMAIL)), {}).status_code == 302
    return other


def _set_password(visitor, password: str = SECRET, confirm: str | None = None):
    return visitor.submit("/portal/aurora/account", {"password": password, "confirm": confirm or password})


def _password_login(browser, password: str = SECRET, email: str = EMAIL, slug: str = "aurora"):
    return browser.submit(f"/portal/{slug}/login/password", {"email": email, "password": password})


def _hash(app, studio) -> str | None:
    return query(app, studio.tenant_id, select(PortalUser))[0].password_hash


def _session_count(app, studio) -> int:
    return len(query(app, studio.tenant_id, select(PortalSession)))


def test_a_client_sets_a_password_and_signs_in_with_it(app, client, new_client, studio, outbox):
    visitor, client_url = _signed_in_visitor(app, client, new_client, studio, outbox)
    new_project(client, client_url, name="校园店品牌焕新")
    assert 'href="/portal/aurora/account"' in visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert "Set a password" in visitor.get("/portal/aurora/account").get_data(as_text=True)
    saved = _set_password(visitor)
    assert saved.status_code == 302 and saved.headers["Location"] == "/portal/aurora/account"
    assert "Your password is saved." in visitor.get("/portal/aurora/account").get_data(as_text=True)
    assert _hash(app, studio) and SECRET not in _hash(app, studio)
    visitor.submit("/portal/aurora/logout", {})
    assert visitor.get("/portal/aurora/home").status_code == 302

    assert "Sign in with a password" in visitor.get("/portal/aurora/login").get_data(as_text=True)
    signed_in = _password_login(visitor, email="  ZW@Deer.test ")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/portal/aurora/home"
    cookie = visitor.get_cookie("atelier_portal", path="/portal/aurora/")
    assert cookie is not None and cookie.http_only
    assert "校园店品牌焕新" in visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert new_client().get("/portal/aurora/account").status_code == 302  # signed-in only


def test_a_wrong_password_or_unknown_address_says_one_thing_and_writes_nothing(app, client, new_client, studio, outbox):
    visitor, _url = _signed_in_visitor(app, client, new_client, studio, outbox)
    _set_password(visitor)
    sessions = _session_count(app, studio)
    stranger = new_client()

    def main(response) -> str:
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))  # timestamped
        return html[html.index("<main") : html.index("</main>")]

    wrong, unknown = _password_login(stranger, "not-the-password"), _password_login(stranger, email="x@deer.test")
    assert wrong.status_code == unknown.status_code == 422
    assert GENERIC in main(wrong) and main(wrong).replace(EMAIL, "X") == main(unknown).replace("x@deer.test", "X")
    assert stranger.get_cookie("atelier_portal", path="/portal/aurora/") is None
    assert _session_count(app, studio) == sessions


def test_a_weak_or_unconfirmed_password_is_refused(app, client, new_client, studio, outbox):
    visitor, _url = _signed_in_visitor(app, client, new_client, studio, outbox)
    weak = _set_password(visitor, "short")
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.get_data(as_text=True)
    mismatched = _set_password(visitor, SECRET, "violet-teapot-harbor")
    assert mismatched.status_code == 422 and "The two passwords do not match." in mismatched.get_data(as_text=True)
    assert _hash(app, studio) is None
    _set_password(visitor)
    before = _hash(app, studio)
    assert _set_password(visitor, "password123").status_code == 422
    assert _hash(app, studio) == before


def test_a_revoked_portal_user_cannot_sign_in_with_a_password(app, client, new_client, studio, outbox):
    visitor, client_url = _signed_in_visitor(app, client, new_client, studio, outbox)
    _set_password(visitor)
    user = query(app, studio.tenant_id, select(PortalUser))[0]
    assert client.submit(f"{client_url}/portal/{user.id}/revoke", {}).status_code == 302
    refused = _password_login(new_client())
    assert refused.status_code == 422 and GENERIC in refused.get_data(as_text=True)


def test_the_password_does_not_open_another_studios_portal(app, client, new_client, studio, other_studio, outbox):
    visitor, _url = _signed_in_visitor(app, client, new_client, studio, outbox)
    _set_password(visitor)
    browser = new_client()
    assert _password_login(browser, slug="bamboo").status_code == 422
    assert browser.get_cookie("atelier_portal", path="/portal/bamboo/") is None
    assert _password_login(browser).status_code == 302  # the same password, in its own studio


def test_removing_the_password_leaves_only_the_link(app, client, new_client, studio, outbox):
    visitor, _url = _signed_in_visitor(app, client, new_client, studio, outbox)
    _set_password(visitor)
    other = _another_session(new_client, outbox)
    removed = visitor.submit("/portal/aurora/account", {"remove": "1"})
    assert removed.status_code == 302 and _hash(app, studio) is None
    assert visitor.get("/portal/aurora/home").status_code == 200
    assert other.get("/portal/aurora/home").status_code == 302  # signed out elsewhere
    assert _password_login(new_client()).status_code == 422


def test_setting_a_password_ends_the_other_sessions(app, client, new_client, studio, outbox):
    visitor, _url = _signed_in_visitor(app, client, new_client, studio, outbox)
    other = _another_session(new_client, outbox)
    assert other.get("/portal/aurora/home").status_code == 200
    assert _set_password(visitor).status_code == 302
    assert visitor.get("/portal/aurora/home").status_code == 200
    assert other.get("/portal/aurora/home").status_code == 302
    assert _session_count(app, studio) == 1
