"""Background jobs through one helper.

`enqueue(func, *ids)` records the job on the current session; it is dispatched only after that session
commits (and dropped on rollback), so a job never runs against data that was not saved. Dispatch runs the job
inline by default, or puts it on RQ when REDIS_URL is set. Jobs take ids, not objects, and run in an app
context with their studio set; each job commits once, at the end.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import event
from werkzeug.utils import import_string

from saas import origin
from saas.extensions import db
from saas.isolation import TenantSession, set_tenant

log = logging.getLogger(__name__)

QUEUE_NAME = "default"
# Retries are declared here, once, for every job: three more tries, backing off.
RETRY = Retry(max=3, interval=[10, 60, 300])
# Imports, their undo and exports grow with the file or the studio: 100,000 rows take tens of seconds on a quiet
# machine and minutes on a loaded one, past RQ's default of 180 s, which would stop them half-way.
LONG_JOB_SECONDS = 3600
_worker_app: Flask | None = None


@dataclass(frozen=True)
class PendingJob:
    path: str
    args: tuple[Any, ...]
    tenant_id: str | None
    job_id: str | None
    timeout: int | None = None


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    tenant_id: uuid.UUID | None = None,
    job_id: str | None = None,
    timeout: int | None = None,
) -> None:
    """Run `func(*args)` after the current transaction commits. `job_id` makes the enqueue idempotent. `timeout`
    (seconds) is for jobs that grow with the studio's data, such as an import or an export of 100,000 rows: RQ
    stops any other job after its default of 180 s."""
    session = db.session()
    session.connection()  # the job belongs to this transaction: dropped if it rolls back, sent when it commits
    path = f"{func.__module__}:{func.__qualname__}"
    tid = tenant_id or session.info.get("tenant_id")
    args = tuple(str(a) if isinstance(a, uuid.UUID) else a for a in args)
    pending = PendingJob(path, args, str(tid) if tid else None, job_id, timeout)
    session.info.setdefault("pending_jobs", []).append(pending)


@event.listens_for(TenantSession, "after_commit")
def _dispatch_after_commit(session: TenantSession) -> None:
    for job in session.info.pop("pending_jobs", []):
        dispatch(job)


@event.listens_for(TenantSession, "after_soft_rollback")
def _drop_on_rollback(session: TenantSession, _previous: Any) -> None:
    session.info.pop("pending_jobs", None)


def redis_connection(app: Flask | None = None) -> Redis | None:
    app = app or current_app
    settings = app.extensions["atelier.settings"]
    if not settings.redis_url:
        return None
    if "atelier.redis" not in app.extensions:
        app.extensions["atelier.redis"] = Redis.from_url(settings.redis_url)
    return app.extensions["atelier.redis"]


def job_queue(app: Flask | None = None) -> Queue | None:
    connection = redis_connection(app)
    return Queue(QUEUE_NAME, connection=connection) if connection is not None else None


def dispatch(job: PendingJob) -> None:
    queue = job_queue()
    if queue is None:
        _run_inline(job)
        return
    queue.enqueue(
        run_job,
        job.path,
        job.args,
        job.tenant_id,
        job_id=job.job_id,
        retry=RETRY,
        description=job.path,
        job_timeout=job.timeout,
    )


def _run_inline(job: PendingJob) -> None:
    # Inline mode has no retries to fall back on; a failure is logged and must not undo the request that
    # already committed.
    try:
        run_job(job.path, job.args, job.tenant_id)
    except Exception:
        log.exception("inline job %s failed", job.path)


def run_job(path: str, args: tuple[Any, ...], tenant_id: str | None) -> Any:
    """The entry point RQ calls (and inline dispatch): a fresh app context and session, studio set."""
    app = current_app._get_current_object() if has_app_context() else worker_app()
    with app.app_context(), origin.origin_of_job():
        session = db.session()
        set_tenant(session, uuid.UUID(tenant_id) if tenant_id else None)
        try:
            result = import_string(path.replace(":", "."))(*args)
            session.commit()
            return result
        except Exception:
            session.rollback()
            raise


def worker_app() -> Flask:
    """The app a worker runs jobs in: `saas worker` builds it through the same entry as `saas serve` and hands
    it over with `set_worker_app` before the first job (a forked job process inherits it)."""
    if _worker_app is None:
        raise RuntimeError("no app for background jobs: start workers with `saas worker`")
    return _worker_app


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app
