"""Follow-ups counted per studio day: how many were logged and how many next actions were done, per day in the
studio's time zone, author and kind. The dashboards and the report builder read a year of these (a few thousand
rows) instead of half a million follow-ups (issue 17).

Exact, and in the same transaction as the write: the counts move at every ORM flush that creates, edits or deletes
a follow-up, whichever service, listener, import or seed wrote it (a session hook, not a domain event, so the
events stay what happened to a record, for the automation rules and webhooks that will read them). What the ORM
does not see is caught here too: a client deleted (its follow-ups go by the database's cascade) and a bulk
`delete(Client)` (an import undone). Increments are `INSERT … ON CONFLICT DO UPDATE` with the keys in one order,
so parallel writers add up instead of overwriting, and queue on a row rather than deadlock.

Days are the studio's days, as the dashboards count them. When a studio changes its time zone every stored day
would be off by the difference, so the change rebuilds the studio's rows in the same transaction (a rare,
owner-only settings change; a few seconds for a million follow-ups). A UTC hour key would have avoided that but
cannot serve zones with half- and quarter-hour offsets (India, Nepal), and holds 24 times the rows.

After a restore, a bulk load in SQL, or on upgrading to this version: `saas rollups rebuild` (README), then ANALYZE.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Select,
    String,
    Uuid,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from saas.clients.bulk_delete import before_clients_deleted
from saas.clients.models import Client, Interaction
from saas.db import Base
from saas.isolation import TenantScoped, TenantSession, tenant_context
from saas.tenants.models import Tenant

NOBODY = uuid.UUID(int=0)  # the author of a follow-up nobody logged (a key column cannot be NULL)
GONE = "rollups.clients_gone"
REZONED = "rollups.rezoned"
WAS = "rollups.was"


class FollowUpDay(TenantScoped, Base):
    """Per studio, local day, author and kind: follow-ups logged that day, next actions done that day."""

    __tablename__ = "follow_up_days"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "day", "author_id", "kind"),  # tenant_id first, as in every key
        Index("ix_follow_up_days_tenant_id_author_id_day", "tenant_id", "author_id", "day"),
    )

    day: Mapped[date] = mapped_column(Date)
    author_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(10))
    logged: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)


KEY = ("tenant_id", "day", "author_id", "kind")
Key = tuple[uuid.UUID, date, uuid.UUID, str]


def author(value: Any) -> Any:
    """The rollup's author as the follow-up's: NOBODY read back as NULL."""
    return func.nullif(value, literal(NOBODY, Uuid()), type_=Uuid())


# --- the studio's day of a stored instant -------------------------------------------------------------------


def local_day(when: datetime, zone: str) -> date:
    moment = when if when.tzinfo else when.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date()


def _local_day_sqlite(value: Any, zone: str) -> str | None:
    if value is None:
        return None
    return local_day(datetime.fromisoformat(str(value)), zone).isoformat()


def _local_day_sql(session: Session, column: Any, zone: Any) -> Any:
    """The local day in SQL: PostgreSQL's zone rules (summer time included); on SQLite, zoneinfo's, registered
    on the connection in use."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return cast(func.timezone(zone, column), Date)
    raw = connection.connection.driver_connection
    raw.create_function("atelier_local_day", 2, _local_day_sqlite, deterministic=True)
    return func.atelier_local_day(column, zone)


# --- applying changes ------------------------------------------------------------------------------------------


def _upsert(session: Session, rows: Any) -> Any:
    """INSERT … ON CONFLICT DO UPDATE adding the new counts to the stored ones (rows: values or a SELECT)."""
    table = FollowUpDay.__table__
    insert = postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    if isinstance(rows, list):
        statement = insert(table).values(rows)
    else:
        statement = insert(table).from_select([*KEY, "logged", "done"], rows)
    return statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={"logged": table.c.logged + statement.excluded.logged, "done": table.c.done + statement.excluded.done},
    )


def _counted(session: Session, tenant_id: uuid.UUID, zone: Any, *where: Any, sign: int = 1) -> Any:
    """A SELECT of the counts of the follow-ups `where` holds, grouped on the rollup's key (times `sign`)."""
    who = func.coalesce(Interaction.author_id, literal(NOBODY))
    mine = (Interaction.tenant_id == tenant_id, *where)
    logged = select(
        Interaction.tenant_id.label("tenant_id"),
        _local_day_sql(session, Interaction.occurred_at, zone).label("day"),
        who.label("author_id"),
        Interaction.kind.label("kind"),
        literal(sign).label("logged"),
        literal(0).label("done"),
    ).where(*mine)
    done = select(
        Interaction.tenant_id,
        _local_day_sql(session, Interaction.next_action_done_at, zone),
        who,
        Interaction.kind,
        literal(0),
        literal(sign),
    ).where(*mine, Interaction.next_action_done_at.is_not(None))
    moves = union_all(logged, done).subquery()
    c = moves.c
    return (
        select(c.tenant_id, c.day, c.author_id, c.kind, func.sum(c.logged), func.sum(c.done))
        .where(c.day.is_not(None))
        .group_by(c.tenant_id, c.day, c.author_id, c.kind)
        .order_by(c.tenant_id, c.day, c.author_id, c.kind)  # one locking order for every writer
    )


def _zone(session: Session, tenant_id: uuid.UUID) -> str:
    found = session.connection().execute(select(Tenant.__table__.c.timezone).where(Tenant.__table__.c.id == tenant_id))
    return found.scalar_one()


def rebuild(session: Session, tenant_id: uuid.UUID) -> None:
    """Count the studio's follow-ups afresh (after a restore, a bulk load, a change of time zone)."""
    table = FollowUpDay.__table__
    session.connection().execute(delete(table).where(table.c.tenant_id == tenant_id))
    counts = _counted(session, tenant_id, _zone(session, tenant_id))
    session.connection().execute(_upsert(session, counts))


def _old(obj: Interaction, name: str) -> Any:
    """An attribute as the database holds it before this flush."""
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, name) if not history.added else None


def _moves(values: dict[str, Any], zone: str, sign: int) -> Counter[tuple[Key, str]]:
    found: Counter[tuple[Key, str]] = Counter()
    who = values["author_id"] or NOBODY
    if values["occurred_at"] is not None:
        found[(values["tenant_id"], local_day(values["occurred_at"], zone), who, values["kind"]), "logged"] += sign
    if values["next_action_done_at"] is not None:
        day = local_day(values["next_action_done_at"], zone)
        found[(values["tenant_id"], day, who, values["kind"]), "done"] += sign
    return found


FIELDS = ("tenant_id", "author_id", "kind", "occurred_at", "next_action_done_at")


def _was(session: Session) -> list[dict[str, Any]]:
    """Before the flush: what the follow-ups edited or deleted in it were, as the database holds them (read now,
    while an expired attribute can still be loaded)."""
    gone = session.info.get(GONE, set())
    edited = [o for o in session.dirty if isinstance(o, Interaction) and session.is_modified(o)]
    deleted = [o for o in session.deleted if isinstance(o, Interaction) and o.client_id not in gone]
    return [{f: _old(obj, f) for f in FIELDS} for obj in (*edited, *deleted)]  # a deleted client's: counted out


def _changes(session: Session, zone: str) -> Counter[tuple[Key, str]]:
    found: Counter[tuple[Key, str]] = Counter()
    for values in session.info.pop(WAS, []):
        found.update(_moves(values, zone, -1))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Interaction) and (obj in session.new or session.is_modified(obj)):
            found.update(_moves({f: getattr(obj, f) for f in FIELDS}, zone, 1))
    return found


def _interactions_touched(session: Session) -> bool:
    return any(isinstance(o, Interaction) for o in (*session.new, *session.dirty, *session.deleted))


@event.listens_for(TenantSession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    gone = {c.id for c in session.deleted if isinstance(c, Client)}
    session.info[GONE] = gone
    if gone and tenant_id is not None:
        # The database deletes their follow-ups by cascade, out of the ORM's sight: count them out first.
        zone = _zone(session, tenant_id)
        counts = _counted(session, tenant_id, zone, Interaction.client_id.in_(gone), sign=-1)
        session.connection().execute(_upsert(session, counts))
    session.info[WAS] = _was(session)
    rezoned = {t.id for t in session.dirty if isinstance(t, Tenant) and inspect(t).attrs.timezone.history.has_changes()}
    session.info[REZONED] = rezoned


@event.listens_for(TenantSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    if tenant_id is not None and (_interactions_touched(session) or session.info.get(WAS)):
        found = _changes(session, _zone(session, tenant_id))
        rows = [
            {**dict(zip(KEY, key, strict=True)), "logged": logged, "done": done} for key, logged, done in _by_key(found)
        ]
        if rows:
            session.connection().execute(_upsert(session, rows))
    for studio in session.info.pop(REZONED, set()):
        if studio == tenant_id:
            rebuild(session, studio)
    session.info.pop(GONE, None)
    session.info.pop(WAS, None)


def _by_key(found: Counter[tuple[Key, str]]) -> list[tuple[Key, int, int]]:
    """The non-zero changes per rollup row, in key order (every writer locks rows in the same order)."""
    keys = sorted({key for key, _m in found}, key=lambda k: (str(k[0]), k[1], str(k[2]), k[3]))
    rows = [(key, found[(key, "logged")], found[(key, "done")]) for key in keys]
    return [row for row in rows if row[1] or row[2]]


@event.listens_for(TenantSession, "do_orm_execute")
def _bulk_writes(state: Any) -> Any:
    """A statement that writes around the unit of work: an `update(Tenant)` of the zone (bulk client deletes: below)."""
    target = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if state.is_update and target is Tenant and _sets_timezone(state.statement):
        result = state.invoke_statement()
        studios = select(Tenant.id)
        if state.statement.whereclause is not None:
            studios = studios.where(state.statement.whereclause)
        for studio in state.session.connection().execute(studios).scalars().all():
            with tenant_context(state.session, studio):  # the studio's follow-ups, under Row-Level Security
                rebuild(state.session, studio)
        return result
    return None


def _sets_timezone(statement: Any) -> bool:
    values = getattr(statement, "_values", None) or {}
    return any(getattr(column, "key", column) == "timezone" for column in values)


@before_clients_deleted
def _count_out_follow_ups(session: Session, tenant_id: uuid.UUID, doomed: Select) -> None:
    """An import undone: count out the follow-ups the cascade is about to remove."""
    counts = _counted(session, tenant_id, _zone(session, tenant_id), Interaction.client_id.in_(doomed), sign=-1)
    session.connection().execute(_upsert(session, counts))
