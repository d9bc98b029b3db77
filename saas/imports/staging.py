"""The import's staging tables: every row of the file, checked, with what it will save, goes into a temporary table
(`import_stage`, and the typed custom values of each row in `import_stage_values`) on the job's own connection —
on PostgreSQL by COPY in chunks, on SQLite by executemany. The file is streamed into them, so the job's memory does
not grow with the file: duplicates are then found and the rows written by set-based SQL over these tables
(saas.imports.decide, saas.imports.engine).

Temporary tables have no Row-Level Security and belong to one connection: nobody else sees them. What leaves them
goes through an `INSERT … SELECT` into the real tables, which RLS checks row by row (COPY FROM cannot write a table
under RLS). The dialect's few differences are the fragments in `Dialect`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from saas.extensions import db
from saas.isolation import driver_connection

TEMP_BUFFERS = "128MB"  # an upper bound: only what the staging tables use is taken
CHUNK = 5000  # rows per COPY (a bounded buffer: the job's memory stays flat)

# The client's own columns a file may fill (tags as a JSON list), as staged and as written.
CLIENT_COLUMNS = (
    "name",
    "kind",
    "status",
    "industry",
    "size",
    "region",
    "source",
    "credit_rating",
    "payment_terms",
    "tags",
    "notes",
    "owner_id",
)

# The columns of a staged row, in the order the loaders write them. `action` starts as create / fail and is
# decided by saas.imports.decide; `studio`, `target` and `add_contact` are filled there too.
COLUMNS = (
    "seq",  # the data row's ordinal (done_rows counts these)
    "row_number",  # as a spreadsheet numbers it
    "action",
    "cells",  # failed: the cells as read (JSON)
    "reasons",  # failed: "column: message" (JSON)
    "missing",  # would fail if created: required custom fields without a value (JSON)
    "c_missing",  # of these, the contact's own: an update row adding its contact to a client fails for them too
    *CLIENT_COLUMNS,
    "filled",  # JSON list of the client columns the file gave (an update changes only these)
    "given",  # JSON list of the custom field keys the file gave (an update writes only these)
    "custom",  # JSON {key: value}, with the studio's defaults for a new client
    "c_name",  # the contact, when the row names anyone
    "c_title",
    "phone",
    "email",
    "wechat",
    "c_custom",  # JSON {key: value} of the contact's own fields
    "external_id",
    "client_id",  # the new client's id, if the row creates one
    "contact_id",
)
VALUE_COLUMNS = ("seq", "entity", "field_id", "number", "keyed", "text")
# A batch's new clients' sort keys and search texts, and their contacts' sort keys (none for a row without one).
KEY_COLUMNS = ("seq", "sort_key", "search_text", "contact_key")
KeyRow = tuple[int, str, str, str | None]  # one new client's, in KEY_COLUMNS order

_PG_TABLE = """
CREATE TEMP TABLE import_stage (
    seq integer PRIMARY KEY, row_number integer NOT NULL, action text NOT NULL, cells text, reasons text,
    missing text, c_missing text, name text, kind text, status text, industry text, size text, region text,
    source text, credit_rating text, payment_terms text, tags text, notes text, owner_id uuid, filled text,
    given text, custom text, c_name text, c_title text, phone text, email text, wechat text, c_custom text,
    external_id text, client_id uuid DEFAULT {uuid7}, contact_id uuid DEFAULT {uuid7}, studio uuid, target uuid,
    add_contact boolean
)"""
# A new client's and its contact's ids, given by PostgreSQL as the rows are copied in: version 7 UUIDs (RFC 9562),
# the time in milliseconds then 74 random bits — unguessable, as every public id (DESIGN), yet in the order they
# were made, so the clients' and contacts' id indexes take them at their right edge instead of anywhere (measured:
# half the time per index entry). gen_random_uuid()'s version 4 with its first 48 bits replaced by the time.
_UUID7 = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING"
    " substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),"
    " 52, 1), 53, 1), 'hex')::uuid"
)
_PG_VALUES = """
CREATE TEMP TABLE import_stage_values (
    seq integer NOT NULL, entity text NOT NULL, field_id uuid NOT NULL, number double precision, keyed text, text text
)"""
_SQLITE_TABLE = (
    "CREATE TEMP TABLE import_stage (seq INTEGER PRIMARY KEY, "
    + ", ".join(c for c in COLUMNS[1:])
    + ", studio, target, add_contact)"
)
_SQLITE_VALUES = "CREATE TEMP TABLE import_stage_values (seq INTEGER NOT NULL, entity, field_id, number, keyed, text)"
# The sort keys and search texts of one batch's new clients, and their contacts' sort keys: computed while the batch
# before it is written (saas.imports.engine), so they are not staged with the rows.
_KEYS = (
    "CREATE TEMP TABLE import_keys (seq integer PRIMARY KEY, sort_key text NOT NULL, search_text text NOT NULL,"
    " contact_key text)"
)
TABLES = ("import_stage", "import_stage_values", "import_keys")


@dataclass(frozen=True)
class Dialect:
    """The SQL that differs between PostgreSQL and SQLite, as format strings over one expression."""

    name: str
    digits: str  # the ASCII digits of a phone
    new_id: str  # a fresh UUID per row
    tag_id: str  # the id of a batch's n-th tag row, `:ids` a prefix of saas.ids.ordered_prefix
    json: str  # a staged JSON text as the JSON column takes it
    jsonb: str
    tags_join: str  # one row per tag of the staged row `s`, the tag as `t.value`
    event_data: str  # the client.created entry's data

    def uuid(self, value: uuid.UUID | None) -> Any:
        """A UUID as the staging table holds it."""
        if value is None or self.name == "postgresql":
            return value
        return value.hex


POSTGRES = Dialect(
    name="postgresql",
    digits="regexp_replace({}, '[^0-9]', '', 'g')",
    new_id="gen_random_uuid()",
    tag_id="(:ids || lpad(to_hex(row_number() OVER ()), 12, '0'))::uuid",
    json="{}::json",
    jsonb="{}::jsonb",
    tags_join="CROSS JOIN LATERAL json_array_elements_text(s.tags::json) AS t(value)",
    event_data="json_build_object('name', s.name)",
)
SQLITE = Dialect(
    name="sqlite",
    digits="atelier_digits({})",
    new_id="atelier_uuid()",
    tag_id="atelier_uuid()",
    json="{}",
    jsonb="{}",
    tags_join="JOIN json_each(s.tags) AS t",
    event_data="json_object('name', s.name)",
)


def dialect() -> Dialect:
    return POSTGRES if db.session.connection().dialect.name == "postgresql" else SQLITE


def _ascii_digits(value: str | None) -> str:
    return "".join(ch for ch in value or "" if "0" <= ch <= "9")


def create() -> Dialect:
    """Fresh staging tables on this connection (a retried job stages its file again)."""
    found = dialect()
    session = db.session
    drop()
    if found.name == "postgresql":
        _more_temp_buffers()
        session.execute(text(_PG_TABLE.format(uuid7=_UUID7)))
        session.execute(text(_PG_VALUES))
    else:
        raw = session.connection().connection.driver_connection
        raw.create_function("atelier_digits", 1, _ascii_digits, deterministic=True)
        raw.create_function("atelier_uuid", 0, lambda: uuid.uuid4().hex)
        session.execute(text(_SQLITE_TABLE))
        session.execute(text(_SQLITE_VALUES))
    session.execute(text(_KEYS))
    return found


def _more_temp_buffers() -> None:
    """Temporary tables live in the session's own buffers (8 MB by default): a 100,000-row staging table is about
    40 MB, which the decisions' passes would otherwise read back from the file system each time. The setting can
    only change before the connection's first temporary table: a pooled connection that had one keeps its size."""
    try:
        with db.session.begin_nested():
            db.session.execute(text(f"SET temp_buffers = '{TEMP_BUFFERS}'"))
    except DBAPIError:
        pass


def drop() -> None:
    for table in TABLES:
        db.session.execute(text(f"DROP TABLE IF EXISTS {table}"))


@dataclass
class Staged:
    """One row as staged: the stage row (COLUMNS order) and its typed custom values (VALUE_COLUMNS order)."""

    row: tuple[Any, ...]
    values: list[tuple[Any, ...]]


def load(staged: Iterable[Staged], found: Dialect) -> int:
    """Write every staged row, in chunks; how many there were."""
    count = 0
    stream: Iterator[Staged] = iter(staged)
    while chunk := list(islice(stream, CHUNK)):
        rows = [s.row for s in chunk]
        values = [v for s in chunk for v in s.values]
        if found.name == "postgresql":
            _copy(rows, values)
        else:
            _insert(rows, values)
        count += len(chunk)
    return count


def _copy(rows: list[tuple[Any, ...]], values: list[tuple[Any, ...]]) -> None:
    # The ids of new rows come from the table's default (gen_random_uuid, in C): two columns fewer to send.
    driver = driver_connection(db.session.connection())
    names = ", ".join(COLUMNS[:-2])
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY import_stage ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row[:-2])
        if values:
            with cursor.copy(f"COPY import_stage_values ({', '.join(VALUE_COLUMNS)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)


def _insert(rows: list[tuple[Any, ...]], values: list[tuple[Any, ...]]) -> None:
    raw = db.session.connection().connection.driver_connection
    marks = ", ".join("?" for _c in COLUMNS)
    raw.executemany(f"INSERT INTO import_stage ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    if values:
        marks = ", ".join("?" for _c in VALUE_COLUMNS)
        raw.executemany(f"INSERT INTO import_stage_values ({', '.join(VALUE_COLUMNS)}) VALUES ({marks})", values)


def load_keys(keys: list[KeyRow], found: Dialect) -> None:
    """One batch's (seq, sort key, search text, contact's sort key), beside the batches' before (a retried batch's
    replace its own)."""
    if keys:
        db.session.execute(text("DELETE FROM import_keys WHERE seq >= :first"), {"first": keys[0][0]})
    if found.name != "postgresql":
        raw = db.session.connection().connection.driver_connection
        marks = ", ".join("?" for _c in KEY_COLUMNS)
        raw.executemany(f"INSERT INTO import_keys ({', '.join(KEY_COLUMNS)}) VALUES ({marks})", keys)
        return
    driver = driver_connection(db.session.connection())
    with driver.cursor() as cursor, cursor.copy(f"COPY import_keys ({', '.join(KEY_COLUMNS)}) FROM STDIN") as copy:
        for key in keys:
            copy.write_row(key)


def analyze(found: Dialect) -> None:
    """Statistics for the planner: without them a temporary table is guessed at a few rows (nested loops)."""
    db.session.execute(text("ANALYZE import_stage"))
    if found.name == "postgresql":
        db.session.execute(text("ANALYZE import_stage_values"))


def dumps(value: Any) -> str | None:
    if value is None:
        return None
    if not value and isinstance(value, dict | list):  # most rows: no custom values, no contact fields
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
