"""Who is acting, and from where, for the length of one request or one job: the audit trail and anything else
that records "who did this" read it here. A request sets it once it knows the person; a job acts for nobody."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    actor_id: uuid.UUID | None = None
    ip: str | None = None


_origin: ContextVar[Origin | None] = ContextVar("origin", default=None)


def current() -> Origin:
    return _origin.get() or Origin()


def set_origin(actor_id: uuid.UUID | None, ip: str | None) -> None:
    _origin.set(Origin(actor_id, ip))


@contextmanager
def origin_of_job() -> Iterator[None]:
    """A job acts for nobody in particular, whatever request ran before it in this thread; an inline job
    hands the origin back to the request that dispatched it."""
    token = _origin.set(None)
    try:
        yield
    finally:
        _origin.reset(token)


def clear_origin() -> None:
    """Called when a request or job ends: worker threads are reused, and the next caller is someone else."""
    _origin.set(None)
