"""The import's work: stage every row of the file, checked, into temporary tables (saas.imports.staging), decide
in SQL which client each row is about (saas.imports.decide), then write batch after batch in a few set-based
statements — the new clients, their contacts, tags, typed custom values, timeline entries, external ids and the
import's own trail by `INSERT … SELECT` from the staging table; the updated clients through the ORM, with the values
they had kept for undo. The new rows end up exactly as saas.clients.services.create_client leaves them: the same
search text, sort key, tag rows and typed index.

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
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Uuid, bindparam, delete, select, text
from sqlalchemy.orm import selectinload

from saas.clients.models import Client, ClientTag, Contact
from saas.clients.services import phone_digits, refresh_search_text, search_parts
from saas.db import UTCDateTime, utcnow
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.models import FieldDefinition
from saas.imports import bulk, staging
from saas.imports.decide import decide
from saas.imports.mapping import Fields
from saas.imports.models import ClientExternalId, ClientImport, ImportRow, Outcome
from saas.imports.sortkey import sort_key
from saas.imports.staging import CLIENT_COLUMNS, COLUMNS, Dialect, Staged, dumps
from saas.imports.validation import Cleaned, Cleaner, RowProblems
from saas.schemas import REQUIRED, translate

# What an update may change and undo puts back.
RESTORED = (*CLIENT_COLUMNS, "custom_fields")
GIN_PENDING = "32MB"  # PostgreSQL's default is 4MB
CONTACT = ("c_name", "c_title", "phone", "email", "wechat")  # staged as; the contact's columns without the c_


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
        self.required = {e: [d for d in f.values() if d.required] for e, f in self.fields.items()}
        self.actor_id = actor_id
        self.tenant_id = db.session.info["tenant_id"]
        self.dialect: Dialect = staging.POSTGRES
        self.total = 0
        self.timings: dict[str, float] = defaultdict(float)  # seconds per phase and statement, for the log and bench

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
            decide(self.dialect, self.tenant_id, self.job.id, self.job.duplicates)
        return self.total

    def _staged(self, seq: int, number: int, cells: list[str]) -> Staged:
        try:
            cleaned = self.cleaner.clean(number, cells)
        except RowProblems as problems:
            return Staged(
                _row(seq=seq, row_number=number, action="fail", cells=dumps(cells), reasons=dumps(problems.reasons)), []
            )
        client = cleaned.client
        values = dict(cleaned.custom)
        for key, value in self.defaults["client"].items():
            values.setdefault(key, value)
        contact = cleaned.contact
        contact_values = dict(cleaned.contact_custom)
        if contact is not None:
            for key, value in self.defaults["contact"].items():
                contact_values.setdefault(key, value)
        missing = self._missing(values, contact_values if contact is not None else None)
        uuid_of = self.dialect.uuid
        client_id, contact_id = (None, None) if self.dialect.name == "postgresql" else (uuid.uuid4(), uuid.uuid4())
        tags = client.get("tags", [])
        contact = contact or {}
        person = SimpleNamespace(**{c.removeprefix("c_"): contact.get(c.removeprefix("c_")) for c in CONTACT})
        shape = SimpleNamespace(name=client["name"], tags=tags, contacts=[person] if contact else [])
        row = _row(
            seq=seq,
            row_number=number,
            action="create",
            cells=dumps(cells) if missing else None,
            missing=dumps(missing) if missing else None,
            **{k: client.get(k) for k in CLIENT_COLUMNS if k not in ("tags", "owner_id", "kind", "status")},
            kind=client.get("kind", "company"),
            status=client.get("status", "potential"),
            tags=dumps(tags),
            owner_id=uuid_of(client.get("owner_id", self.actor_id)),
            filled=dumps(sorted(cleaned.filled)),
            given=dumps(sorted(cleaned.custom)),
            custom=dumps(values),
            sort_key=sort_key(client["name"]),
            search_text=search_parts(shape),
            c_name=contact.get("name"),
            c_title=contact.get("title"),
            phone=contact.get("phone"),
            email=contact.get("email"),
            wechat=contact.get("wechat"),
            c_custom=dumps(contact_values),
            external_id=cleaned.external_id,
            client_id=uuid_of(client_id),
            contact_id=uuid_of(contact_id),
        )
        typed = self._typed(seq, "client", values)
        if cleaned.contact is not None:
            typed += self._typed(seq, "contact", contact_values)
        return Staged(row, typed)

    def _missing(self, values: dict[str, Any], contact_values: dict[str, Any] | None) -> list[str]:
        """The required fields a new client (and its new contact) would lack."""
        language = _language()
        missing = [
            f"{d.label(language)}: {translate(REQUIRED)}" for d in self.required["client"] if d.key not in values
        ]
        if contact_values is not None:
            missing += [
                f"{d.label(language)}: {translate(REQUIRED)}"
                for d in self.required["contact"]
                if d.key not in contact_values
            ]
        return missing

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
        """Write the staged rows after `after` up to `last` (their seq): what they created, updated, failed."""
        params = {
            "t": self.tenant_id,
            "job": self.job.id,
            "actor": self.actor_id,
            "now": utcnow(),
            "lo": after,
            "hi": last,
        }
        counts = Counts()
        if self.dialect.name == "postgresql":
            # The clients' trigram index takes new entries into its pending list and merges them when the list is
            # full: a larger list for this transaction merges fewer, larger runs (measured: the clients' INSERT a
            # third shorter); autovacuum merges what is left after the import. Searches read the list meanwhile.
            db.session.execute(text(f"SET LOCAL gin_pending_list_limit = '{GIN_PENDING}'"))
        for name, statement in _creating(self.dialect):
            with self.timed(f"insert {name}"):
                result = db.session.execute(statement, params)
            if name == "clients":
                counts.created = result.rowcount
            if name == "failed":
                counts.failed = result.rowcount
        with self.timed("updates (ORM)"):
            counts.updated = self._write_updates(after, last)
        counts.skipped = min(last, self.total) - after - counts.created - counts.updated - counts.failed
        return counts

    def _write_updates(self, after: int, last: int) -> int:
        columns = f"row_number, target, {', '.join(CLIENT_COLUMNS)}, filled, given, custom, {', '.join(CONTACT)}"
        query = text(
            f"SELECT {columns}, c_custom, external_id FROM import_stage WHERE action = 'update' AND seq > :lo"
            " AND seq <= :hi ORDER BY seq"
        )
        found = db.session.execute(query, {"lo": after, "hi": last}).mappings().all()
        if not found:
            return 0
        updates = [(_cleaned(row), _as_uuid(row["target"])) for row in found]
        ids = [client_id for _cleaned_row, client_id in updates]
        query = select(Client).where(Client.id.in_(ids)).options(selectinload(Client.contacts))
        clients = {c.id: c for c in db.session.scalars(query)}
        external = {e for _c, _t in updates if (e := _c.external_id)}
        known = set(
            db.session.scalars(select(ClientExternalId.external_id).where(ClientExternalId.external_id.in_(external)))
        )
        trail = []
        for cleaned, client_id in updates:
            client = clients.get(client_id)
            if client is not None:
                trail.append(self._update(client, cleaned, known))
        db.session.flush()
        for row in trail:
            row["version_after"] = clients[row["client_id"]].version
        bulk.insert_all(ImportRow.__table__, trail)
        return len(trail)

    def _update(self, client: Client, cleaned: Cleaned, known_external: set[str]) -> dict[str, Any]:
        previous = {key: _jsonable(getattr(client, key)) for key in RESTORED}
        for key in cleaned.filled:
            setattr(client, key, cleaned.client[key])
        if "tags" in cleaned.filled:
            db.session.execute(delete(ClientTag).where(ClientTag.client_id == client.id))
            db.session.add_all(ClientTag(client_id=client.id, tag=t) for t in cleaned.client["tags"])
        if cleaned.custom:
            custom.write("client", client, {**client.custom_fields, **cleaned.custom})
        added = self._maybe_add_contact(client, cleaned)
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

    def _maybe_add_contact(self, client: Client, cleaned: Cleaned) -> uuid.UUID | None:
        """The row's person joins the client unless one of its contacts already has that phone or e-mail."""
        contact = cleaned.contact
        if not contact:
            return None
        digits, email = phone_digits(contact.get("phone")), (contact.get("email") or "").lower()
        for known in client.contacts:
            if (digits and phone_digits(known.phone) == digits) or (email and (known.email or "").lower() == email):
                return None
        added = Contact(id=uuid.uuid4(), client_id=client.id, **contact)
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
        f" version) SELECT s.client_id, :t, :now, :now, s.name, s.sort_key, s.kind, s.status, s.industry, s.size,"
        f" s.region, s.source, s.credit_rating, s.payment_terms, {found.json.format('s.tags')}, s.notes, s.owner_id,"
        f" s.search_text, {found.jsonb.format('s.custom')}, 1 {new}",
        "contacts": "INSERT INTO contacts (id, tenant_id, created_at, client_id, name, title, phone, email, wechat,"
        " decision_maker, custom_fields, version) SELECT s.contact_id, :t, :now, s.client_id, s.c_name, s.c_title,"
        f" s.phone, s.email, s.wechat, false, {found.jsonb.format('s.c_custom')}, 1 {new} AND s.c_name IS NOT NULL",
        "tags": f"INSERT INTO client_tags (id, tenant_id, client_id, tag) SELECT {found.new_id}, :t, s.client_id,"
        f" t.value FROM import_stage s {found.tags_join} WHERE s.action = 'create' AND {batch}",
        "values": "INSERT INTO field_values (id, tenant_id, field_id, record_id, number, keyed, text)"
        f" SELECT {found.new_id}, :t, v.field_id, CASE WHEN v.entity = 'client' THEN s.client_id ELSE s.contact_id"
        " END, v.number, v.keyed, v.text FROM import_stage_values v JOIN import_stage s ON s.seq = v.seq"
        f" WHERE s.action = 'create' AND {batch}",
        "events": "INSERT INTO client_events (id, tenant_id, created_at, client_id, actor_id, kind, data)"
        f" SELECT {found.new_id}, :t, :now, s.client_id, :actor, 'client.created', {found.event_data} {new}",
        "external": "INSERT INTO client_external_ids (id, tenant_id, client_id, external_id)"
        f" SELECT {found.new_id}, :t, s.client_id, s.external_id {new} AND s.external_id IS NOT NULL",
        "created": "INSERT INTO import_rows (id, tenant_id, import_id, row_number, outcome, client_id, version_after)"
        f" SELECT {found.new_id}, :t, :job, s.row_number, 'created', s.client_id, 1 {new}",
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
    return tuple(values.get(column) for column in COLUMNS)


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
