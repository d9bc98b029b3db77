"""A studio owner signs the studio up and lands in its workspace; bad input is refused and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.tenants.models import AuditEvent, Membership, Tenant, User
from tests.conftest import PASSWORD, create_studio, query

GOOD = {
    "studio_name": "青柚设计 Pomelo",
    "slug": "pomelo",
    "name": "林晓",
    "email": "Lin@Pomelo.test",
    "password": PASSWORD,
}


def _counts(app):
    with app.app_context():
        from saas.extensions import db

        return (len(db.session.scalars(select(Tenant)).all()), len(db.session.scalars(select(User)).all()))


def test_signup_creates_the_studio_and_its_owner_and_opens_the_workspace(app, client):
    response = client.submit("/signup", GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/app/"

    home = client.get("/app/")
    assert home.status_code == 200
    assert "青柚设计 Pomelo" in home.get_data(as_text=True)

    with app.app_context():
        from saas.extensions import db

        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "pomelo"))
        assert (tenant.currency, tenant.timezone, tenant.locale) == ("CNY", "Asia/Shanghai", "en")
    members = query(app, tenant.id, select(Membership))
    assert [(m.role, m.user.email) for m in members] == [("owner", "lin@pomelo.test")]
    actions = [e.action for e in query(app, tenant.id, select(AuditEvent))]
    assert "studio.created" in actions and "login.succeeded" in actions


def test_the_first_run_page_tells_the_owner_what_to_do_next(client):
    client.submit("/signup", GOOD)
    page = client.get("/app/").get_data(as_text=True)
    for step in ("logo", "Invite your team", "time zone"):
        assert step in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "my studio"),  # spaces
        ("slug", "设计工作室"),  # Chinese characters
        ("slug", "ab"),  # too short
        ("slug", "-pomelo"),  # leading hyphen
        ("slug", "api"),  # reserved
        ("email", "not-an-email"),
        ("email", "lin@"),
        ("password", "short"),
        ("password", "password123"),  # common
        ("password", "aaaaaaaaaaaa"),  # too few distinct characters
        ("studio_name", ""),
        ("name", "   "),
    ],
)
def test_bad_signup_input_gets_a_clear_error_and_writes_nothing(app, client, field, value):
    before = _counts(app)
    response = client.submit("/signup", {**GOOD, field: value})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_taken_slug_is_refused(app, client):
    create_studio(app, "pomelo")
    before = _counts(app)
    response = client.submit("/signup", GOOD)
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_an_email_with_an_account_is_told_to_log_in(app, client):
    create_studio(app, "other", owner_email="lin@pomelo.test")
    response = client.submit("/signup", GOOD)
    assert response.status_code == 422
    assert "already has an Atelier account" in response.get_data(as_text=True)


def test_signup_without_a_csrf_token_is_refused(app, client):
    before = _counts(app)
    response = client.submit("/signup", GOOD, csrf=False)
    assert response.status_code == 400
    forged = client.submit("/signup", {**GOOD, "csrf_token": "forged.token.value"}, csrf=False)
    assert forged.status_code == 400
    assert _counts(app) == before


def test_a_studio_signed_up_in_chinese_defaults_to_chinese(app, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    assert client.submit("/signup", GOOD).status_code == 302
    with app.app_context():
        from saas.extensions import db

        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "pomelo"))
        owner = db.session.scalar(select(User).where(User.email == "lin@pomelo.test"))
        assert (tenant.locale, owner.locale) == ("zh_CN", "zh_CN")
    assert "所有者" in client.get("/app/").get_data(as_text=True)


def test_losing_a_race_for_the_slug_is_a_clear_error_not_a_crash(app, client, monkeypatch):
    """Two people sign up `pomelo` at the same moment: both pass the check, one insert wins."""
    from saas.tenants import services

    create_studio(app, "pomelo")
    monkeypatch.setattr(services, "slug_taken", lambda slug, _real=services.slug_taken: False)
    before = _counts(app)
    response = client.submit("/signup", {**GOOD, "email": "second@pomelo.test"})
    assert response.status_code == 422
    assert _counts(app) == before
