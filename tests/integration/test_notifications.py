"""The notification outbox: written with the event, delivered by a real RQ worker over real SMTP (aiosmtpd),
retried with backoff when the server fails, and sent exactly once even when the worker is killed mid-delivery
(the lease runs out and the sweep hands the row to a new job, which alone may claim it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.notify.models import Delivery
from saas.notify.services import Recipient, notify
from tests.conftest import free_port, need_service, query, wait_until


class StallingSMTP:
    """An SMTP server (aiosmtpd) that holds the first conversation at RCPT until released — the moment to kill
    the worker — and accepts everything after it."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.stalled = threading.Event()
        self.stall_next = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            await asyncio.sleep(120)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def stalling_smtp():
    from aiosmtpd.controller import Controller

    handler = StallingSMTP()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _notify_owner(app, studio) -> uuid.UUID:
    from saas.tenants.models import User

    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.scalar(select(User).where(User.email == studio.owner_email))
        person = Recipient(user_id=owner.id, email=owner.email, locale="en")
        data = {"project": "校园店品牌焕新", "version": 1, "due_on": "2026-12-01"}
        notify([person], "review_reminder", data, "/app/", email=True)
        db.session.commit()
    return query(app, studio.tenant_id, select(Delivery))[0].id


def _worker(env: dict, burst: bool = True) -> subprocess.Popen:
    command = [sys.executable, "-m", "saas.cli", "worker"] + (["--burst"] if burst else [])
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _tick_and_work(env: dict) -> None:
    tick = subprocess.run([sys.executable, "-m", "saas.cli", "tick"], env=env, capture_output=True, text=True)
    assert tick.returncode == 0, tick.stderr[-2000:]
    worker = _worker(env)
    output, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, output[-3000:]


def _kill_with_children(pid: int) -> None:
    """SIGKILL a process and every process under it (RQ's work horse runs in a session of its own)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    doomed, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current and child not in doomed]
        doomed.update(children)
        frontier += children
    for victim in doomed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


@pytest.mark.redis
def test_a_worker_killed_mid_delivery_ends_with_exactly_one_email(make_app, migrated, studio, stalling_smtp):
    redis_url = need_service("TEST_REDIS_URL", os.environ.get("TEST_REDIS_URL"))
    controller, server = stalling_smtp
    settings = {
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(controller.port),
        "SMTP_STARTTLS": "false",
        "DELIVERY_LEASE_SECONDS": "3",
    }
    app = make_app(**settings)
    from saas.jobs import job_queue

    with app.app_context():
        job_queue(app).empty()
        app.extensions["atelier.redis"].delete("atelier:beat:deliveries", "atelier:beat:review-reminders")
    delivery_id = _notify_owner(app, studio)  # committed: the delivery job is now on the queue
    env = {**os.environ, **migrated, **settings}

    worker = _worker(env, burst=False)
    try:
        assert server.stalled.wait(60), "the worker never reached the SMTP server"
        _kill_with_children(worker.pid)  # the worker and its work horse, mid-conversation
    finally:
        worker.wait(30)
    assert server.messages == []
    row = query(app, studio.tenant_id, select(Delivery).where(Delivery.id == delivery_id))[0]
    assert row.status == "sending" and row.attempts == 1  # claimed, never recorded as sent

    wait_until(lambda: utcnow() > row.lease_until, 10, "the dead worker's lease to run out")
    _tick_and_work(env)  # the sweep hands the row to a new job; RQ may also re-run the killed one
    _tick_and_work(env)
    assert len(server.messages) == 1
    assert f"Message-ID: <delivery-{delivery_id}@atelier>" in server.messages[0].decode()
    row = query(app, studio.tenant_id, select(Delivery).where(Delivery.id == delivery_id))[0]
    assert row.status == "sent" and row.attempts == 2, (row.status, row.attempts, row.last_error)


def test_a_failing_smtp_server_is_retried_with_backoff_and_the_error_kept(make_app, studio):
    dead_port = free_port()  # nothing listens here
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(dead_port), SMTP_STARTTLS="false")
    delivery_id = _notify_owner(app, studio)  # inline: the first attempt runs after the commit, and fails
    row = query(app, studio.tenant_id, select(Delivery).where(Delivery.id == delivery_id))[0]
    assert row.status == "pending" and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert 5 <= (row.next_attempt_at - row.created_at).total_seconds() <= 30
    from saas.scheduling import tick

    tick(app)  # not yet due: the sweep leaves it alone
    assert query(app, studio.tenant_id, select(Delivery))[0].attempts == 1
