"""Tenant isolation, layers one and two.

Layer 1 (every backend): each session carries the current studio in `session.info`. Every ORM SELECT,
UPDATE and DELETE that touches a tenant-owned model gets `tenant_id = <current>` added automatically; with no
studio set it raises instead of returning everything. Flushes stamp and check `tenant_id` on writes.

Layer 2 (PostgreSQL): at the start of every transaction the studio (and the signed-in user) are handed to the
database with `set_config(..., true)`, which Row-Level Security policies read. A query that escapes the ORM
still sees one studio, and none when no studio is set.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from sqlalchemy import Engine, ForeignKey, Table, bindparam, event, inspect
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.pool import Pool
from sqlalchemy.sql import visitors

ALL_TENANTS = "all_tenants"  # execution option; used only where a person looks across their own studios


class TenantNotSet(RuntimeError):
    """A tenant-owned model was queried or written with no studio set: a bug, never a silent full scan."""


class CrossTenantWrite(RuntimeError):
    """An object of one studio was written while another studio was current."""


class UnscopableStatement(RuntimeError):
    """An ORM UPDATE given a list of rows by primary key: SQLAlchemy adds no criteria to it, so it could change
    another studio's rows. Refused; the unit of work or an UPDATE … WHERE covers every use."""


class TenantScoped:
    """Mixin for every studio-owned table: `tenant_id NOT NULL`, leading the table's indexes."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


def tenant_tables(metadata: Any) -> list[str]:
    return sorted(t.name for t in metadata.sorted_tables if "tenant_id" in t.c)


class TenantSession(Session):
    """The application's session class; the listeners below are attached to it alone."""

    @property
    def tenant_id(self) -> uuid.UUID | None:
        return self.info.get("tenant_id")


def set_tenant(session: Session, tenant_id: uuid.UUID | None) -> None:
    """Make `tenant_id` the current studio of this session, in the ORM and, mid-transaction, in the database."""
    session.info["tenant_id"] = tenant_id
    _push_if_in_transaction(session)


def set_user(session: Session, user_id: uuid.UUID | None) -> None:
    """The signed-in person: lets the database show them their own memberships across studios, nothing more."""
    session.info["user_id"] = user_id
    _push_if_in_transaction(session)


@contextmanager
def tenant_context(session: Session, tenant_id: uuid.UUID | None) -> Iterator[None]:
    previous = session.info.get("tenant_id")
    set_tenant(session, tenant_id)
    try:
        yield
    finally:
        set_tenant(session, previous)


def _push_if_in_transaction(session: Session) -> None:
    if session.in_transaction():
        _push_to_database(session, session.connection())
        if session.get_nested_transaction() is None:
            session.info[PUSHED] = _values(session)
        else:  # set inside a savepoint, which a rollback would undo: every later savepoint sets it again
            session.info.pop(PUSHED, None)


SET_STUDIO = "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true)"
# On a pooled connection's info: the studio its open transaction must hand to the database before its first
# statement, and the pipeline that carries them together.
PENDING = "isolation.pending_studio"
PIPELINE = "isolation.pipeline"


def _push_to_database(session: Session, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    tenant_id, user_id = session.info.get("tenant_id"), session.info.get("user_id")
    values = (str(tenant_id) if tenant_id else "", str(user_id) if user_id else "")
    raw = connection.connection.dbapi_connection
    if raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        # Nothing sent yet in this transaction: its first statement carries this (_carry_studio), so BEGIN, the
        # studio and that statement cost one round trip instead of two (every request starts here).
        connection.info[PENDING] = values
        return
    raw.execute(SET_STUDIO, values)


def driver_connection(connection: Any) -> Any:
    """The driver's connection under a SQLAlchemy one, for what SQLAlchemy cannot send (COPY). The studio this
    transaction still owes the database (see _carry_studio) is sent first, so Row-Level Security sees it."""
    raw = connection.connection.driver_connection
    values = connection.info.pop(PENDING, None)
    if values is not None:
        raw.execute(SET_STUDIO, values)
    return raw


@event.listens_for(Engine, "before_cursor_execute")
def _carry_studio(conn: Any, cursor: Any, _statement: str, _params: Any, context: Any, executemany: bool) -> None:
    """Before a transaction's first statement: set_config and the statement in one pipeline (psycopg sends BEGIN,
    both, and a sync, and reads the answers in order). The statement still runs after set_config, in the same
    transaction, so Row-Level Security sees the studio. Server-side cursors and executemany cannot join a pipeline:
    they get set_config on its own first."""
    values = conn.info.pop(PENDING, None)
    if values is None:
        return
    raw = cursor.connection
    if executemany or isinstance(cursor, psycopg.ServerCursor):
        raw.execute(SET_STUDIO, values)
        return
    pipeline = raw.pipeline()
    pipeline.__enter__()
    conn.info[PIPELINE] = pipeline
    raw.execute(SET_STUDIO, values)


@event.listens_for(Engine, "after_cursor_execute")
def _close_pipeline(conn: Any, *_args: Any) -> None:
    # Leaving the pipeline syncs: the statement's rows (or its error, raised here and wrapped by SQLAlchemy like
    # any other) are in the cursor before SQLAlchemy reads it.
    pipeline = conn.info.pop(PIPELINE, None)
    if pipeline is not None:
        pipeline.__exit__(None, None, None)


@event.listens_for(Engine, "handle_error")
def _abandon_pipeline(context: Any) -> None:
    connection = context.connection
    pipeline = connection.info.pop(PIPELINE, None) if connection is not None else None
    if pipeline is not None:
        error = context.original_exception
        with suppress(Exception):  # the statement's own error is the one to report
            pipeline.__exit__(type(error), error, error.__traceback__)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _drop_pending(conn: Any) -> None:
    # A transaction that ran no statement leaves its studio unsent: it must never reach the next one.
    conn.info.pop(PENDING, None)


@event.listens_for(Pool, "checkin")
def _drop_pending_on_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info.pop(PENDING, None)
        record.info.pop(PIPELINE, None)


# What was set outside any savepoint in this transaction: a savepoint (after_begin fires for each) inherits it, so
# a batch of a hundred savepoints does not set it a hundred times. Once it is set inside a savepoint, whose
# rollback would undo that, every later savepoint sets it again.
PUSHED = "isolation.pushed"


def _values(session: Session) -> tuple[Any, Any]:
    return session.info.get("tenant_id"), session.info.get("user_id")


@event.listens_for(TenantSession, "after_begin")
def _after_begin(session: Session, transaction: Any, connection: Any) -> None:
    if transaction.nested and session.info.get(PUSHED) == _values(session):
        return
    _push_to_database(session, connection)
    if not transaction.nested:
        session.info[PUSHED] = _values(session)


@event.listens_for(TenantSession, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(PUSHED, None)


def _touches_tenant_model(state: ORMExecuteState) -> bool:
    # The statement's first entity answers most statements at once: all_mappers describes every column of the
    # statement (~0.3 ms for a select of a client's 28 columns), and is needed only when the first is not scoped.
    if (first := state.bind_mapper) is not None and issubclass(first.class_, TenantScoped):
        return True
    # all_mappers misses entities reached only through select_from() or a subquery, so the statement's
    # tables are walked as well.
    if any(issubclass(mapper.class_, TenantScoped) for mapper in state.all_mappers):
        return True
    return any(isinstance(node, Table) and "tenant_id" in node.c for node in visitors.iterate(state.statement))


# The scope is built once and names the studio as a bound parameter that each execution fills in: the statement's
# cache key and compiled SQL are the same for every studio, and no closure or option is built per statement (that
# cost ~0.1 ms of every ORM statement). A path that added the criterion without the value would fail on the
# missing parameter, never run unscoped.
SCOPE_PARAMETER = "atelier_scope_tenant_id"
# Not propagated to later loads: a lazy or selectin load of a relationship is a statement of its own that comes
# through this event (and gets the criterion and the value then), while a reload of an expired object's columns is
# by the primary key of a row already read under the scope (and would carry the criterion without its value).
_SCOPE = with_loader_criteria(
    TenantScoped,
    lambda cls: cls.tenant_id == bindparam("atelier_scope_tenant_id"),
    include_aliases=True,
    propagate_to_loaders=False,
)


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete) or state.is_column_load:
        return
    if state.execution_options.get(ALL_TENANTS) or not _touches_tenant_model(state):
        return
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        raise TenantNotSet("query on a studio-owned table with no studio set")
    if isinstance(state.parameters, list | tuple):
        raise UnscopableStatement("bulk UPDATE by primary key on a studio-owned table")
    state.statement = state.statement.options(_SCOPE)
    state.parameters = {**(state.parameters or {}), SCOPE_PARAMETER: tenant_id}


@event.listens_for(TenantSession, "before_flush")
def _check_writes(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    for obj in session.new:
        if isinstance(obj, TenantScoped):
            if tenant_id is None:
                raise TenantNotSet(f"new {type(obj).__name__} with no studio set")
            related = obj.__dict__.get("tenant")  # a `tenant` relationship would overwrite the id at flush
            if obj.tenant_id is None and (related is None or related.id == tenant_id):
                obj.tenant_id = tenant_id
            elif obj.tenant_id != tenant_id or (related is not None and related.id != tenant_id):
                raise CrossTenantWrite(f"{type(obj).__name__} belongs to another studio")
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        moved = inspect(obj).attrs.tenant_id.history.deleted
        if obj.tenant_id != tenant_id or moved:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another studio")
