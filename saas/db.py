"""The database: declarative base, column types shared by every domain, and the session bound per app context.

There is exactly one commit point per request (the view, after the services have flushed) and one per job.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy import DateTime, MetaData, create_engine, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator, Uuid

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, prepared: bool = True, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pinged = "poolclass" not in kwargs
    if pinged:
        kwargs.update(pool_size=5, max_overflow=10)
    kwargs.setdefault("connect_args", {}).update(_statement_options(prepared))
    kwargs.setdefault("json_deserializer", _load_json)
    engine = create_engine(url, **kwargs)
    if pinged:
        _ping_when_idle(engine)
    return engine


_JSON = json.JSONDecoder()


def _load_json(data: bytes | memoryview | str) -> Any:
    """JSON values as psycopg hands them over (bytes, always UTF-8 from PostgreSQL). json.loads given bytes first
    guesses their encoding; decoding them first reads a value in half the time (0.95 against 1.6 us: a list page of
    fifty clients reads a hundred)."""
    return _JSON.decode(data if isinstance(data, str) else str(data, "utf-8"))


def _statement_options(prepared: bool) -> dict[str, Any]:
    """Server-side prepared statements (psycopg prepares a statement once it has run twice on a connection) save
    PostgreSQL parsing and rewriting it, the Row-Level Security policies included: half the server's time of a
    primary-key read (211 -> 106 us, bench/bench_http.py's read). Every run is still planned for its own
    values (`plan_cache_mode=force_custom_plan`): a generic plan chosen after five runs made tenant-scoped list
    queries 20x slower under RLS (58 ms vs 3 ms at 100k clients, bench/bench_clients.py). Behind a PgBouncer
    older than 1.21 in transaction mode (or without max_prepared_statements), set
    DATABASE_PREPARED_STATEMENTS=0."""
    if not prepared:
        return {"prepare_threshold": None}
    return {"prepare_threshold": 2, "options": "-c plan_cache_mode=force_custom_plan"}


IDLE_BEFORE_PING = 10.0  # seconds


def _ping_when_idle(engine: Engine) -> None:
    """A pooled connection is checked before use only when it sat idle long enough to have been dropped (a
    database restart, a proxy's idle timeout): a busy server does not pay a round trip per request for it, as
    pool_pre_ping would make it. A dead one is replaced transparently, as with pool_pre_ping."""

    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < IDLE_BEFORE_PING:
            return
        try:
            dbapi_connection.execute(";")
        except Exception as exc:  # any failure: this connection is gone, the pool takes another
            raise DisconnectionError() from exc


def _app_context_id() -> int:
    # One session per pushed app context: a request, a CLI command, a job, or an inline job run after commit.
    return id(app_ctx._get_current_object())


class Database:
    """Created unbound in extensions.py; `init_app` binds an engine per Flask app."""

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(self._new_session, scopefunc=_app_context_id)

    def init_app(self, app: Flask, url: str, prepared: bool = True) -> None:
        from saas.isolation import TenantSession

        engine = make_engine(url, prepared=prepared)
        app.extensions["atelier.db"] = sessionmaker(bind=engine, class_=TenantSession, expire_on_commit=False)
        app.extensions["atelier.engine"] = engine
        app.teardown_appcontext(self._remove)

    @staticmethod
    def _new_session() -> Session:
        return current_app.extensions["atelier.db"]()

    def _remove(self, _exc: BaseException | None) -> None:
        self.session.remove()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["atelier.engine"]


def lock_row(session: Session, obj: Any, *collections: str) -> None:
    """Re-read `obj`'s row FOR UPDATE and refresh it in place (and reload the named collections): the rules
    that follow see what the last committed writer left, and a parallel request on the same row waits for this
    one to end instead of failing at commit. PostgreSQL locks the row; SQLite has one writer at a time anyway."""
    model = type(obj)
    statement = select(model).where(model.id == obj.id).with_for_update(of=model)  # not its joined relations
    session.scalar(statement.execution_options(populate_existing=True))
    if collections:
        session.expire(obj, list(collections))


def set_quietly(session: Session, obj: Any, **values: Any) -> None:
    """Write columns the record derives from its children (last contact, search text, updated at) without the
    optimistic version check and without moving the version: a contact or a follow-up arriving never conflicts
    with another one, nor makes an edit of the record itself look stale. The object in memory follows."""
    model = type(obj)
    statement = update(model).where(model.id == obj.id).values(**values)
    session.execute(statement.execution_options(synchronize_session=False))
    for key, value in values.items():
        set_committed_value(obj, key, value)
