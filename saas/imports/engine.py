"""The import's work: stage every row of the file, checked, into temporary tables (saas.imports.staging), decide
in SQL which client each row is about (saas.imports.decide), then write batch after batch in a few set-based
statements — the new clients (each naming the import that made it, `clients.import_id`), their contacts, tags,
typed custom values, external ids and the failed rows' trail by `INSERT … SELECT` from the staging table; the
updated clients through the ORM, with the values they had kept for undo. The new rows end up exactly as
saas.clients.services.create_client leaves them: the same search text, sort key, tag rows and typed index; their
timeline shows the import they came from (saas.imports.listeners) instead of an entry written per client.

Per row, Python only checks the cells and computes what SQL cannot do the same way (the pinyin sort key, the
lower-cased search text, the typed custom values); it keeps nothing of a row once it is staged.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Uuid, bindparam, delete, select, text
from sqlalchemy.orm import selectinload

from saas.clients.models import Client, ClientTag, Contact
from saas.clients.services import refresh_search_text, search_parts
from saas.db import UTCDateTime, utcnow
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.models import FieldDefinition
from saas.i18n import sort_key
from saas.ids import ordered_prefix
from saas.imports import bulk, staging
from saas.imports.decide import decide
from saas.imports.mapping import Fields
from saas.imports.models import ClientExternalId, ClientImport, ImportRow, Outcome
from saas.imports.staging import CLIENT_COLUMNS, COLUMNS, Dialect, KeyRow, Staged, dumps
from saas.imports.validation import Cleaned, Cleaner, RowProblems
from saas.isolation import driver_connection
from saas.schemas import REQUIRED, translate

# What an update may change and undo puts back.
RESTORED = (*CLIENT_COLUMNS, "custom_fields")
GIN_PENDING = "32MB"  # PostgreSQL's default is 4MB
CONTACT = ("c_name", "c_title", "phone", "email", "wechat")  # staged as; the contact's columns without the c_
_ROW = itemgetter(*COLUMNS)  # a staged row's values, in COLUMNS order, from a dict of all of them
_EMPTY = dict.fromkeys(COLUMNS)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


class Importer:
    def __init__(self, job: ClientImport, cleaner: Cleaner, fields: Fields, actor_id: Any) -> None:
        self.job = job
        self.cleaner = cleaner
        self.fields = {"client": {d.key: d for d in fields.client}, "contact": {d.key: d for d in fields.contact}}
        self.defaults = {
            e: {k: d.default for k, d in f.items() if d.default is not None} for e, f in self.fields.items()
        }
        # (key, "Label: This field is required.") of each required field, worded once in the importer's language.
        language, required = _language(), translate(REQUIRED)
        self.required = {
            e: [(d.key, f"{d.label(language)}: {required}") for d in f.values() if d.required]
            for e, f in self.fields.items()
        }
        self.actor_id = actor_id
        self.tenant_id = db.session.info["tenant_id"]
        self.dialect: Dialect = staging.POSTGRES
        self.total = 0
        self.timings: dict[str, float] = defaultdict(float)  # seconds per phase and statement, for the log and bench
        self._json: dict[Any, str] = {}  # the JSON of the few lists every row repeats (filled columns, tags)
        # The next batch's (seq range, its new clients' keys), made while this one was written.
        self._upcoming: tuple[tuple[int, int], list[KeyRow]] | None = None

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] += time.perf_counter() - started

    # --- staging and deciding ------------------------------------------------------------------------------

    def stage(self, data: Any) -> int:
        """Every data row of the file into the staging table, then the decisions; how many rows there are."""
        self.dialect = staging.create()
        rows = (self._staged(seq, number, cells) for seq, (number, cells) in enumerate(data, start=1))
        with self.timed("stage (read, check, COPY)"):
            self.total = staging.load(rows, self.dialect)
            staging.analyze(self.dialect)
        with self.timed("decide (duplicates in SQL)"):
            if self.dialect.name == "postgresql":
                # The planner guesses the within-file groupings at millions of rows and JIT-compiles them: 1.6 s of
                # a 2.5 s decision for 100,000 rows, in statements that then run in a fraction of a second.
                db.session.execute(text("SET LOCAL jit = off"))
            decide(self.dialect, self.tenant_id, self.job.id, self.job.duplicates)
        return self.total

    def _staged(self, seq: int, number: int, cells: list[str]) -> Staged:
        try:
            cleaned = self.cleaner.clean(number, cells)
        except RowProblems as problems:
            failed = _EMPTY | {
                "seq": seq,
                "row_number": number,
                "action": "fail",
                "cells": dumps(cells),
                "reasons": dumps(problems.reasons),
            }
            return Staged(_ROW(failed), [])
        client = cleaned.client
        values = cleaned.custom
        if self.defaults["client"]:
            values = values | {k: v for k, v in self.defaults["client"].items() if k not in values}
        contact = cleaned.contact
        contact_values = cleaned.contact_custom
        if contact is not None and self.defaults["contact"]:
            contact_values = contact_values | {
                k: v for k, v in self.defaults["contact"].items() if k not in contact_values
            }
        missing = [message for key, message in self.required["client"] if key not in values]
        contact_missing = []
        if contact is not None:
            contact_missing = [message for key, message in self.required["contact"] if key not in contact_values]
            missing += contact_missing
        uuid_of = self.dialect.uuid
        contact = contact or {}
        get = client.get
        row = {  # every one of COLUMNS: _ROW takes them in its order
            "seq": seq,
            "row_number": number,
            "action": "create",
            "cells": dumps(cells) if missing else None,
            "reasons": None,
            "missing": dumps(missing) if missing else None,
            "c_missing": dumps(contact_missing) if contact_missing else None,
            "name": client["name"],
            "kind": get("kind", "company"),
            "status": get("status", "potential"),
            "industry": get("industry"),
            "size": get("size"),
            "region": get("region"),
            "source": get("source"),
            "credit_rating": get("credit_rating"),
            "payment_terms": get("payment_terms"),
            "tags": self._dumps_list(get("tags", [])),
            "notes": get("notes"),
            "owner_id": uuid_of(get("owner_id", self.actor_id)),
            "filled": self._dumps_list(cleaned.filled, ordered=False),
            "given": dumps(sorted(cleaned.custom)),
            "custom": dumps(values),
            "c_name": contact.get("name"),
            "c_title": contact.get("title"),
            "phone": contact.get("phone"),
            "email": contact.get("email"),
            "wechat": contact.get("wechat"),
            "c_custom": dumps(contact_values),
            "external_id": cleaned.external_id,
            "client_id": None,
            "contact_id": None,
        }
        if self.dialect.name != "postgresql":  # PostgreSQL gives the ids itself (the columns' default)
            row["client_id"], row["contact_id"] = uuid_of(uuid.uuid4()), uuid_of(uuid.uuid4())
        typed = self._typed(seq, "client", values) if values else []
        if cleaned.contact is not None and contact_values:
            typed += self._typed(seq, "contact", contact_values)
        return Staged(_ROW(row), typed)

    def _dumps_list(self, items: Any, ordered: bool = True) -> str | None:
        """A list as staged JSON (a set sorted first); the few different ones are encoded once (every row of a
        sheet fills the same columns, and most share a handful of tag lists)."""
        key = tuple(items) if ordered else frozenset(items)
        found = self._json.get(key)
        if found is None:
            found = dumps(list(items) if ordered else sorted(items))
            if len(self._json) < 10_000:  # bounded: tag lists may differ on every row
                self._json[key] = found
        return found

    def _typed(self, seq: int, entity: str, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The typed index rows (saas.fields) of a row's custom values."""
        rows = []
        for key, value in values.items():
            definition: FieldDefinition | None = self.fields[entity].get(key)
            if definition is None:
                continue
            for typed in custom.index_rows(definition.type, value):
                field_id = self.dialect.uuid(definition.id)
                rows.append((seq, entity, field_id, typed.get("number"), typed.get("keyed"), typed.get("text")))
        return rows

    # --- writing -------------------------------------------------------------------------------------------

    def write(self, after: int, last: int) -> Counts:
        """Write the staged rows after `after` up to `last` (their seq): what they created, updated, failed. The
        next batch (as long as this one) gets its new clients' sort keys and search texts meanwhile."""
        params = {
            "t": self.tenant_id,
            "job": self.job.id,
            "actor": self.actor_id,
            "now": utcnow(),
            "lo": after,
            "hi": last,
            "ids": ordered_prefix(),  # the batch's tag rows: time-ordered ids
        }
        counts = Counts()
        if self.dialect.name == "postgresql":
            # The clients' trigram index takes new entries into its pending list and merges them when the list is
            # full: a larger list for this transaction merges fewer, larger runs (measured: the clients' INSERT a
            # third shorter); autovacuum merges what is left after the import. Searches read the list meanwhile.
            db.session.execute(text(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING}'"))
            # Every row written is checked by its foreign keys' triggers, one query each (a contact's client, a
            # tag's client, the studio, the owner: ~800,000 for 100,000 rows). Left to choose, PostgreSQL plans
            # each of them afresh for its values, which costs more than the check itself; and for a studio its
            # statistics do not know yet (one that is new, or importing its first clients) it estimates none of
            # its rows and picks any index led by tenant_id — (tenant_id, status) — then reads every client of
            # the studio to find one: 0.9 ms a check, growing with the import. The one generic plan per check
            # looks the key up in its unique index: 5 µs (measured; README, importing clients).
            db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        with self.timed("keys: the first batch's, and COPY"):
            if self._upcoming is not None and self._upcoming[0] == (after, min(last, self.total)):
                keys = self._upcoming[1]
            else:  # the first batch, or a retried job's
                keys = self._keys(self._key_sources(after, last))
            staging.load_keys(keys, self.dialect)
            following = (last, min(last + last - after, self.total))
            sources = self._key_sources(*following) if following[0] < following[1] else []
        upcoming: list[KeyRow] = []

        def meanwhile() -> None:
            with self.timed("keys: the next batch's, during the writes"):
                upcoming.extend(self._keys(sources))

        with self.timed("writes (INSERT … SELECTs, pipelined)"):
            written = self._run(_creating(self.dialect), params, meanwhile)
        self._upcoming = (following, upcoming)
        counts.created, counts.failed = written["clients"], written["failed"]
        with self.timed("updates (ORM)"):
            counts.updated = self._write_updates(after, last)
        counts.skipped = min(last, self.total) - after - counts.created - counts.updated - counts.failed
        return counts

    def _run(self, statements: list[tuple[str, Any]], params: dict[str, Any], meanwhile: Any) -> dict[str, int]:
        """Run the batch's statements, and `meanwhile` (Python) while PostgreSQL runs them: they are sent in one
        pipeline (psycopg), whose results are read once `meanwhile` is done. How many rows each wrote."""
        if self.dialect.name != "postgresql":
            written = {name: db.session.execute(statement, params).rowcount for name, statement in statements}
            meanwhile()
            return written
        driver = driver_connection(db.session.connection())
        dialect = db.session.get_bind().dialect
        cursors = []
        with driver.pipeline():
            for name, statement in statements:
                compiled = statement.compile(dialect=dialect)
                cursor = driver.cursor()
                cursor.execute(str(compiled), {key: params[key] for key in compiled.params})
                cursors.append((name, cursor))
            meanwhile()
        # Leaving the pipeline waited for every statement: their row counts, or the first error, raised above.
        return {name: cursor.rowcount for name, cursor in cursors}

    def _key_sources(self, after: int, last: int) -> list[Any]:
        """What a batch's new clients' sort keys and search texts are made of (plain tuples from the driver)."""
        query = (
            "SELECT seq, name, tags, c_name, phone, email, wechat FROM import_stage WHERE action = 'create'"
            " AND seq > {0} AND seq <= {1} ORDER BY seq"
        )
        if self.dialect.name != "postgresql":
            return list(db.session.execute(text(query.format(":lo", ":hi")), {"lo": after, "hi": last}))
        driver = driver_connection(db.session.connection())
        return driver.execute(query.format("%s", "%s"), (after, last)).fetchall()

    def _keys(self, sources: list[Any]) -> list[KeyRow]:
        """(seq, sort key, search text, the contact's sort key) of each new client: as saas.clients.services and
        the Contact model compute them for a client and a contact made by hand (one function each, shared), from
        the client's name, tags and contact."""
        keys = []
        for seq, name, tags, c_name, phone, email, wechat in sources:
            person = SimpleNamespace(name=c_name, phone=phone, email=email, wechat=wechat)
            shape = SimpleNamespace(name=name, tags=_loads(tags) or [], contacts=[person] if c_name else [])
            keys.append((seq, sort_key(name), search_parts(shape), sort_key(c_name) if c_name else None))
        return keys

    def _write_updates(self, after: int, last: int) -> int:
        columns = f"row_number, target, {', '.join(CLIENT_COLUMNS)}, filled, given, custom, {', '.join(CONTACT)}"
        query = text(
            f"SELECT {columns}, c_custom, external_id, add_contact FROM import_stage WHERE action = 'update'"
            " AND seq > :lo AND seq <= :hi ORDER BY seq"
        )
        found = db.session.execute(query, {"lo": after, "hi": last}).mappings().all()
        if not found:
            return 0
        updates = [(_cleaned(row), _as_uuid(row["target"]), bool(row["add_contact"])) for row in found]
        ids = [client_id for _cleaned_row, client_id, _add in updates]
        query = select(Client).where(Client.id.in_(ids)).options(selectinload(Client.contacts))
        clients = {c.id: c for c in db.session.scalars(query)}
        external = {e for _c, _t, _a in updates if (e := _c.external_id)}
        known = set(
            db.session.scalars(select(ClientExternalId.external_id).where(ClientExternalId.external_id.in_(external)))
        )
        trail = []
        for cleaned, client_id, add_contact in updates:
            client = clients.get(client_id)
            if client is not None:
                trail.append(self._update(client, cleaned, known, add_contact))
        db.session.flush()
        for row in trail:
            row["version_after"] = clients[row["client_id"]].version
        bulk.insert_all(ImportRow.__table__, trail)
        return len(trail)

    def _update(self, client: Client, cleaned: Cleaned, known_external: set[str], add_contact: bool) -> dict[str, Any]:
        previous = {key: _jsonable(getattr(client, key)) for key in RESTORED}
        for key in cleaned.filled:
            setattr(client, key, cleaned.client[key])
        if "tags" in cleaned.filled:
            db.session.execute(delete(ClientTag).where(ClientTag.client_id == client.id))
            db.session.add_all(ClientTag(client_id=client.id, tag=t) for t in cleaned.client["tags"])
        if cleaned.custom:
            custom.write("client", client, {**client.custom_fields, **cleaned.custom})
        added = self._add_contact(client, cleaned) if add_contact else None
        if cleaned.external_id and cleaned.external_id not in known_external:
            db.session.add(ClientExternalId(client_id=client.id, external_id=cleaned.external_id))
            known_external.add(cleaned.external_id)
        client.updated_at = utcnow()
        refresh_search_text(client)
        return _trail(
            self.tenant_id,
            self.job.id,
            cleaned.row_number,
            Outcome.UPDATED,
            client_id=client.id,
            previous=previous,
            added_contact_id=added,
        )

    def _add_contact(self, client: Client, cleaned: Cleaned) -> uuid.UUID:
        """The row's person joins the client: decided in SQL (saas.imports.decide: none of the client's contacts
        has that phone or e-mail, and the contact has every required field of its own, as a new client's must)."""
        added = Contact(id=uuid.uuid4(), client_id=client.id, **(cleaned.contact or {}))
        client.contacts.append(added)
        custom.write("contact", added, {**self.defaults["contact"], **cleaned.contact_custom})
        return added.id


def _creating(found: Dialect) -> list[tuple[str, Any]]:
    """The INSERT … SELECTs of one batch's new rows, each checked row by row by Row-Level Security."""
    batch = "s.seq > :lo AND s.seq <= :hi"
    new = f"FROM import_stage s WHERE s.action = 'create' AND {batch}"
    statements = {
        "clients": "INSERT INTO clients (id, tenant_id, created_at, updated_at, name, sort_key, kind, status, industry,"
        " size, region, source, credit_rating, payment_terms, tags, notes, owner_id, search_text, custom_fields,"
        f" version, import_id) SELECT s.client_id, :t, :now, :now, s.name, k.sort_key, s.kind, s.status, s.industry,"
        f" s.size, s.region, s.source, s.credit_rating, s.payment_terms, {found.json.format('s.tags')}, s.notes,"
        f" s.owner_id, k.search_text, {found.jsonb.format('s.custom')}, 1, :job FROM import_stage s JOIN import_keys k"
        f" ON k.seq = s.seq WHERE s.action = 'create' AND {batch}",
        "contacts": "INSERT INTO contacts (id, tenant_id, created_at, client_id, name, sort_key, title, phone, email,"
        " wechat, decision_maker, custom_fields, version) SELECT s.contact_id, :t, :now, s.client_id, s.c_name,"
        f" k.contact_key, s.c_title, s.phone, s.email, s.wechat, false, {found.jsonb.format('s.c_custom')}, 1"
        f" FROM import_stage s JOIN import_keys k ON k.seq = s.seq WHERE s.action = 'create' AND {batch}"
        " AND s.c_name IS NOT NULL",
        "tags": f"INSERT INTO client_tags (id, tenant_id, client_id, tag) SELECT {found.tag_id}, :t, s.client_id,"
        f" t.value FROM import_stage s {found.tags_join} WHERE s.action = 'create' AND {batch}",
        "values": "INSERT INTO field_values (id, tenant_id, field_id, record_id, number, keyed, text)"
        f" SELECT {found.new_id}, :t, v.field_id, CASE WHEN v.entity = 'client' THEN s.client_id ELSE s.contact_id"
        " END, v.number, v.keyed, v.text FROM import_stage_values v JOIN import_stage s ON s.seq = v.seq"
        f" WHERE s.action = 'create' AND {batch}",
        "external": "INSERT INTO client_external_ids (id, tenant_id, client_id, external_id)"
        f" SELECT {found.new_id}, :t, s.client_id, s.external_id {new} AND s.external_id IS NOT NULL",
        "failed": 'INSERT INTO import_rows (id, tenant_id, import_id, row_number, outcome, "values", reasons)'
        f" SELECT {found.new_id}, :t, :job, s.row_number, 'failed', {found.json.format('s.cells')},"
        f" {found.json.format('s.reasons')} FROM import_stage s WHERE s.action = 'fail' AND {batch}",
    }
    types = [
        bindparam("t", type_=Uuid()),
        bindparam("job", type_=Uuid()),
        bindparam("actor", type_=Uuid()),
        bindparam("now", type_=UTCDateTime()),
    ]
    return [(name, _bound(sql, types)) for name, sql in statements.items()]


def _bound(sql: str, types: list[Any]) -> Any:
    statement = text(sql)
    names = {p.key for p in types if f":{p.key}" in sql}
    return statement.bindparams(*[p for p in types if p.key in names])


def _row(**values: Any) -> tuple[Any, ...]:
    """A staged row from its columns by name (the others empty)."""
    return _ROW(_EMPTY | values)


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _as_uuid(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _cleaned(row: Any) -> Cleaned:
    """A staged row back as the cleaner gave it (for the ORM's update path)."""
    filled = _loads(row["filled"]) or []
    client = {key: row[key] for key in filled if key in CLIENT_COLUMNS}
    if "tags" in client:
        client["tags"] = _loads(client["tags"])
    if "owner_id" in client:
        client["owner_id"] = _as_uuid(client["owner_id"])
    values = _loads(row["custom"]) or {}
    contact = None
    if row["c_name"] is not None:
        contact = {c.removeprefix("c_"): row[c] for c in CONTACT if row[c] is not None}
    return Cleaned(
        row_number=row["row_number"],
        client=client,
        contact=contact,
        custom={key: values[key] for key in _loads(row["given"]) or [] if key in values},
        external_id=row["external_id"],
        filled=set(filled),
        contact_custom=(_loads(row["c_custom"]) or {}) if contact is not None else {},
    )


def _trail(tenant_id: Any, import_id: Any, number: int, outcome: str, **data: Any) -> dict[str, Any]:
    row = {
        "id": uuid.uuid4(),
        "tenant_id": tenant_id,
        "import_id": import_id,
        "row_number": number,
        "outcome": outcome,
        "client_id": None,
        "version_after": None,
        "previous": None,
        "added_contact_id": None,
        "values": None,
        "reasons": None,
    }
    return row | data


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return type(value)(value)
    return value


def _language() -> str:
    from saas.i18n import current_locale

    return current_locale()
