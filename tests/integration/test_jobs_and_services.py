"""Jobs run after commit (inline by default, a real RQ worker with Redis); mail over real SMTP; files on S3
over HTTP (the moto server); health checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.isolation import set_tenant
from saas.jobs import enqueue
from saas.tenants.models import AuditEvent
from tests.conftest import Browser, body_text, free_port, need_service, query


def record_marker(label: str) -> None:
    """A job: writes an audit row in the studio the job was enqueued for."""
    from saas.tenants import audit

    audit.record("studio.settings_changed", None, fields=[label])


def _markers(app, studio) -> list[str]:
    events = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "studio.settings_changed"))
    return [e.data["fields"][0] for e in events]


def test_a_job_runs_after_commit_with_its_studio_set(app, studio):
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        enqueue(record_marker, "committed")
        assert _markers(app, studio) == []  # not before the commit
        db.session.commit()
    assert _markers(app, studio) == ["committed"]


def test_a_job_is_dropped_when_the_transaction_rolls_back(app, studio):
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        enqueue(record_marker, "rolled-back")
        db.session.rollback()
        db.session.commit()
    assert _markers(app, studio) == []


@pytest.mark.redis
def test_mail_goes_through_a_real_rq_worker_process(make_app, migrated, studio, outbox):
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    app = make_app(REDIS_URL=redis_url)
    from saas.jobs import job_queue

    with app.app_context():
        job_queue(app).empty()
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    assert (
        browser.submit("/app/settings/members/invite", {"email": "queued@aurora.test", "role": "member"}).status_code
        == 302
    )
    assert [m for m in outbox.messages() if m["To"] == "queued@aurora.test"] == []  # queued, not sent inline

    env = {**os.environ, **migrated, "REDIS_URL": redis_url}
    worker = subprocess.run(
        [sys.executable, "-m", "saas.cli", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    mail = outbox.last("queued@aurora.test")
    assert "/join/aurora/" in body_text(mail)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_mail_is_delivered_over_smtp_when_configured(make_app, studio, smtp_server):
    controller, handler = smtp_server
    app = make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(controller.port),
        SMTP_STARTTLS="false",
        MAIL_FROM="Atelier <hello@atelier.test>",
    )
    app.test_client_class = Browser
    browser = app.test_client()
    browser.submit("/password/forgot", {"email": studio.owner_email})
    assert len(handler.messages) == 1
    raw = handler.messages[0].decode()
    assert "To: lin@aurora.test" in raw and "/password/reset/" in raw and "multipart/alternative" in raw


def test_logos_go_to_s3_under_the_studio_prefix(make_app, studio, moto_server):
    import boto3

    from tests.factories import png_bytes

    s3 = boto3.client(
        "s3", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    s3.create_bucket(Bucket="atelier-test")
    app = make_app(
        S3_BUCKET="atelier-test", S3_ENDPOINT_URL=moto_server, S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test"
    )
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    import io

    data = png_bytes()
    response = browser.submit(
        "/app/settings/studio/logo", {"logo": (io.BytesIO(data), "logo.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="atelier-test").get("Contents", [])]
    assert len(keys) == 1 and keys[0].startswith(f"tenants/{studio.tenant_id}/branding/logo-")
    assert s3.get_object(Bucket="atelier-test", Key=keys[0])["ContentType"] == "image/png"
    assert browser.get("/brand/aurora/logo").data == data

    # A second upload replaces the first object rather than piling up files.
    browser.submit(
        "/app/settings/studio/logo",
        {"logo": (io.BytesIO(png_bytes(color=(1, 2, 3))), "l.png")},
        content_type="multipart/form-data",
    )
    assert len(s3.list_objects_v2(Bucket="atelier-test").get("Contents", [])) == 1


def test_health_and_readiness(client, make_app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok"}

    broken = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0").test_client()
    answer = broken.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}
