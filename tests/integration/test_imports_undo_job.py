"""Undo as a job on a real RQ worker (PostgreSQL, Redis): the click only queues it; the page shows the undo's
progress (clients removed or restored of all) and survives a reload; a second click while it waits or runs is
refused with a message, never a 500; a client changed between the click and the job stops it, said on the page,
with nothing undone; the worker then undoes it as a whole."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from saas.clients.models import Client
from saas.extensions import db
from saas.isolation import set_tenant
from tests.conftest import Browser, need_service

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SHEET = "客户名称,手机\n甲,13800000001\n乙,13800000002\n丙,13800000003\n"


def _worker(migrated: dict[str, str], redis_url: str) -> None:
    env = {**os.environ, **migrated, "REDIS_URL": redis_url}
    worker = subprocess.run(
        [sys.executable, "-m", "saas.cli", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=300
    )
    assert worker.returncode == 0, worker.stderr[-2000:]


@pytest.fixture
def queued(make_app, migrated, studio):
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    app = make_app(REDIS_URL=redis_url)
    from saas.jobs import job_queue

    with app.app_context():
        job_queue(app).empty()
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    upload = browser.submit(
        "/app/clients/import", {"file": (io.BytesIO(SHEET.encode()), "a.csv")}, content_type="multipart/form-data"
    )
    job_url = upload.headers["Location"]
    form = {"column_0": "name", "column_1": "phone", "duplicates": "skip", "action": "start"}
    assert browser.submit(f"{job_url}/mapping", form).status_code == 302
    _worker(migrated, redis_url)
    assert browser.get(f"{job_url}/progress.json").get_json()["created"] == 3
    return app, browser, job_url, redis_url


def _count(app, studio) -> int:
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        return db.session.scalar(select(func.count()).select_from(Client))


def test_undo_runs_as_a_job_with_its_progress_and_a_second_click_is_refused(queued, migrated, studio):
    app, browser, job_url, redis_url = queued
    assert browser.submit(f"{job_url}/undo").status_code == 302
    state = browser.get(f"{job_url}/progress.json").get_json()
    assert (state["status"], state["finished"], state["undo"]["done"], state["undo"]["total"]) == (
        "undoing",
        False,
        0,
        3,
    )
    page = browser.get(job_url).get_data(as_text=True)  # a reload while it waits: the undo's bar, no button
    assert "Undoing this import" in page and 'id="undo-bar"' in page and "Undo the import</button>" not in page
    again = browser.submit(f"{job_url}/undo", follow_redirects=True)
    assert again.status_code == 200 and "This import is being undone already." in again.get_data(as_text=True)
    assert _count(app, studio) == 3  # nothing undone before the worker runs it

    _worker(migrated, redis_url)
    state = browser.get(f"{job_url}/progress.json").get_json()
    assert (state["status"], state["finished"], state["undo"]["done"], state["undo"]["percent"]) == (
        "undone",
        True,
        3,
        100,
    )
    assert _count(app, studio) == 0
    assert "Undone on" in browser.get(job_url).get_data(as_text=True)


def test_a_client_changed_after_the_click_stops_the_undo_job(queued, migrated, studio):
    app, browser, job_url, redis_url = queued
    assert browser.submit(f"{job_url}/undo").status_code == 302
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        changed = db.session.scalar(select(Client).where(Client.name == "乙"))
        changed_id, version = changed.id, changed.version
    edit = browser.submit(
        f"/app/clients/{changed_id}/edit",
        {"name": "乙（已改）", "kind": "company", "status": "intent", "version": version},
    )
    assert edit.status_code == 302
    _worker(migrated, redis_url)
    state = browser.get(f"{job_url}/progress.json").get_json()
    assert state["status"] == "done" and "1 of the clients" in state["undo"]["error"]
    assert _count(app, studio) == 3
    assert "Undo is not possible: 1 of the clients" in browser.get(job_url).get_data(as_text=True)
