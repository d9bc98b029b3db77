"""Periodic work, declared by the domains that need it (the delivery sweep, review and invoice reminders, the
Stripe event sweep): each registers with `periodic(...)` in its `listeners.py` at start-up.

A beat thread asks every few seconds which periodic tasks are due. With Redis, a task's turn is a key set with
NX and an expiry of its interval, so however many workers run beats, each turn is taken once and runs as one
RQ job; without Redis (the embedded default) `saas serve` runs the beat and the work inline. `saas tick` runs
every task now, for a cron-driven deployment. Each task runs studio by studio, with that studio set, so Row-
Level Security holds as in a request.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from werkzeug.utils import import_string

from saas.extensions import db
from saas.isolation import set_tenant
from saas.jobs import PendingJob, dispatch, redis_connection
from saas.tenants.models import Tenant

log = logging.getLogger(__name__)
BEAT_SECONDS = 15


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: int
    path: str  # a function run once per studio, or once (per_studio False: platform work, no studio set)
    per_studio: bool = True


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, every_seconds: int, func: Callable[[], int | None], per_studio: bool = True) -> None:
    """Run `func` every `every_seconds`: once per studio with that studio set (it returns how much it did), or
    once with none set (`per_studio=False`: platform work such as the Stripe event sweep)."""
    PERIODIC[name] = Periodic(name, every_seconds, f"{func.__module__}:{func.__qualname__}", per_studio)


def run_everywhere(path: str) -> int:
    """Job: run a periodic function for every studio, committing after each so one studio's failure does not
    undo another's work."""
    func: Callable[[], int | None] = import_string(path.replace(":", "."))
    session = db.session()
    set_tenant(session, None)
    tenant_ids: list[uuid.UUID] = list(session.scalars(select(Tenant.id)))
    done = 0
    for tenant_id in tenant_ids:
        set_tenant(session, tenant_id)
        try:
            done += func() or 0
            session.commit()
        except Exception:
            session.rollback()
            log.exception("periodic %s failed for studio %s", path, tenant_id)
    set_tenant(session, None)
    return done


_last_inline: dict[str, float] = {}


def _take_turn(app: Flask, task: Periodic) -> bool:
    connection = redis_connection(app)
    if connection is not None:
        return bool(connection.set(f"atelier:beat:{task.name}", "1", nx=True, ex=task.every_seconds))
    now = time.monotonic()
    if now - _last_inline.get(task.name, -1e9) < task.every_seconds:
        return False
    _last_inline[task.name] = now
    return True


def _job(task: Periodic) -> PendingJob:
    if task.per_studio:
        return PendingJob(f"{__name__}:run_everywhere", (task.path,), None, None)
    return PendingJob(task.path, (), None, None)


def beat_once(app: Flask) -> None:
    with app.app_context():
        for task in PERIODIC.values():
            if _take_turn(app, task):
                dispatch(_job(task))


def start_beat(app: Flask) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                beat_once(app)
            except Exception:
                log.exception("beat failed")
            time.sleep(BEAT_SECONDS)

    thread = threading.Thread(target=loop, name="atelier-beat", daemon=True)
    thread.start()
    return thread


def tick(app: Flask) -> None:
    with app.app_context():
        for task in PERIODIC.values():
            dispatch(_job(task))
