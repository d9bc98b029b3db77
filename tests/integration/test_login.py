"""Staff log in and out; sessions are renewed at login and die at logout and on password change; repeated
wrong passwords lock the account for a while, and the person is told so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from saas.db import utcnow
from saas.extensions import db
from saas.tenants.models import SignInThrottle
from tests.conftest import PASSWORD


def _cookie(client) -> str | None:
    cookie = client.get_cookie("atelier_session")
    return cookie.value if cookie else None


def test_login_opens_the_workspace_and_logout_ends_the_session(client, studio):
    assert client.get("/app/").status_code == 302
    response = client.login(studio.owner_email)
    assert response.status_code == 302 and response.headers["Location"] == "/app/"
    assert client.get("/app/").status_code == 200

    stolen = _cookie(client)
    assert client.submit("/logout").status_code == 302
    assert client.get("/app/").status_code == 302
    # A copy of the cookie taken before logout no longer works either: the session is ended on the server.
    client.set_cookie("atelier_session", stolen)
    assert client.get("/app/").status_code == 302


def test_the_session_is_renewed_at_login(client, studio):
    client.get("/login")
    client.csrf_token()
    before = _cookie(client)
    client.login(studio.owner_email)
    assert _cookie(client) != before


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, studio):
    response = client.login(studio.owner_email, "wrong-password-1")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    unknown = client.login("nobody@nowhere.test", "wrong-password-1")
    assert unknown.status_code == 401
    assert "do not match" in unknown.get_data(as_text=True)


def test_repeated_wrong_passwords_make_that_source_wait_and_say_for_how_long(app, client, studio):
    for _ in range(4):
        assert client.login(studio.owner_email, "wrong-password-1").status_code == 401
    locked = client.login(studio.owner_email, "wrong-password-1")
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    # Even the right password waits, from this browser and address, until the lock expires.
    assert client.login(studio.owner_email).status_code == 429

    with app.app_context():
        db.session.execute(update(SignInThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.login(studio.owner_email).status_code == 302


def test_failed_logins_are_recorded_in_the_studio_audit_trail(app, client, studio):
    from sqlalchemy import select

    from saas.tenants.models import AuditEvent
    from tests.conftest import query

    client.login(studio.owner_email, "wrong-password-1")
    events = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "login.failed"))
    assert [(e.data["attempts"], e.target_type) for e in events] == [(1, "user")]


def test_the_login_rate_limit_answers_429(make_app, studio):
    from tests.conftest import Browser

    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    app.test_client_class = Browser
    browser = app.test_client()
    statuses = [browser.login("nobody@x.test", "wrong-password-1").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    api_style = browser.login("nobody@x.test", "x", headers={"Accept": "application/json"})
    assert api_style.status_code == 429
    assert api_style.is_json and "errors" in api_style.get_json()
    assert api_style.headers.get("Retry-After")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com/",
        "/\\evil.com",
        "https://evil.com/",
        "http:/evil.com",
        "/app\r\nLocation: https://evil.com",
        "javascript:alert(1)",
    ],
)
def test_after_login_redirects_only_to_this_site(client, studio, target):
    response = client.submit("/login", {"email": studio.owner_email, "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/app/"


def test_after_login_a_local_next_is_followed(client, studio):
    response = client.submit("/login", {"email": studio.owner_email, "password": PASSWORD, "next": "/app/account"})
    assert response.headers["Location"] == "/app/account"


def test_changing_the_password_ends_every_other_session(client, new_client, studio):
    other_device = new_client()
    other_device.login(studio.owner_email)
    client.login(studio.owner_email)
    response = client.submit(
        "/app/account/password", {"current_password": PASSWORD, "password": "a-brand-new-secret-9"}
    )
    assert response.status_code == 302
    assert client.get("/app/").status_code == 200  # this browser stays signed in with a fresh session
    assert other_device.get("/app/").status_code == 302
    assert client.submit("/logout").status_code == 302
    assert client.login(studio.owner_email).status_code == 401
    assert client.login(studio.owner_email, "a-brand-new-secret-9").status_code == 302


def test_a_wrong_current_password_changes_nothing(client, studio):
    client.login(studio.owner_email)
    response = client.submit(
        "/app/account/password", {"current_password": "nope-nope-nope", "password": "a-brand-new-secret-9"}
    )
    assert response.status_code == 422
    client.submit("/logout")
    assert client.login(studio.owner_email).status_code == 302
