"""A forgotten password is reset by an e-mailed, single-use, short-lived link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from saas.db import utcnow
from saas.extensions import db
from saas.tenants.models import PasswordReset
from tests.conftest import link_in

NEW = "a-fresh-password-42"


def test_reset_by_emailed_link_signs_in_and_the_link_works_once(client, new_client, studio, outbox):
    other_device = new_client()
    other_device.login(studio.owner_email)

    response = client.submit("/password/forgot", {"email": studio.owner_email.upper()})
    assert response.status_code == 200
    link = link_in(outbox.last(studio.owner_email))
    assert link.startswith("/password/reset/")

    assert client.get(link).status_code == 200
    assert client.submit(link, {"password": NEW}).status_code == 302
    assert client.get("/app/").status_code == 200
    assert other_device.get("/app/").status_code == 302  # every other session ended

    assert new_client().get(link).status_code == 404  # used
    assert new_client().submit(link, {"password": "another-password-77"}).status_code == 404


def test_an_unknown_email_looks_the_same_and_sends_nothing(client, studio, outbox):
    known = client.submit("/password/forgot", {"email": studio.owner_email})
    unknown = client.submit("/password/forgot", {"email": "nobody@nowhere.test"})
    assert known.status_code == unknown.status_code == 200
    assert len(outbox.messages()) == 1


def test_an_expired_link_is_refused(app, client, studio, outbox):
    client.submit("/password/forgot", {"email": studio.owner_email})
    link = link_in(outbox.last())
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    page = client.get(link)
    assert page.status_code == 404
    assert "expired" in page.get_data(as_text=True)


def test_a_weak_new_password_is_refused_and_the_link_stays_usable(client, studio, outbox):
    client.submit("/password/forgot", {"email": studio.owner_email})
    link = link_in(outbox.last())
    assert client.submit(link, {"password": "12345"}).status_code == 422
    assert client.get(link).status_code == 200


def test_a_made_up_token_is_refused(client):
    assert client.get("/password/reset/not-a-real-token").status_code == 404
