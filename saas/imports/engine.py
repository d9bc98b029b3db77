"""The import's work on one batch of rows: decide per row (create, update, skip, fail), then write the batch in
a few set-based statements — the new clients, their contacts, tags, typed custom values, timeline entries and the
import's own trail through COPY (saas.imports.bulk); the updated clients through the ORM, with the values they
had kept for undo. The new rows end up exactly as saas.clients.services.create_client leaves them: the same
search text, sort key, tag rows and typed index.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from saas.clients.models import Client, ClientEvent, ClientTag, Contact
from saas.clients.services import phone_digits, refresh_search_text, search_parts
from saas.db import utcnow
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.models import FieldDefinition, FieldValue
from saas.imports import bulk
from saas.imports.matching import Index
from saas.imports.models import ClientExternalId, ClientImport, Duplicates, ImportRow, Outcome
from saas.imports.sortkey import sort_key
from saas.imports.validation import Cleaned, Cleaner, RowProblems
from saas.schemas import REQUIRED, translate

# What an update may change and undo puts back.
RESTORED = (
    "name",
    "kind",
    "status",
    "industry",
    "size",
    "region",
    "source",
    "credit_rating",
    "payment_terms",
    "notes",
    "owner_id",
    "tags",
    "custom_fields",
)


@dataclass
class Batch:
    """One batch's decisions, written together."""

    created: list[Cleaned] = field(default_factory=list)
    updates: list[tuple[Cleaned, uuid.UUID]] = field(default_factory=list)
    failed: list[tuple[int, list[str], list[str]]] = field(default_factory=list)
    skipped: int = 0


class Importer:
    def __init__(self, job: ClientImport, cleaner: Cleaner, fields: list[FieldDefinition], actor_id: Any) -> None:
        self.job = job
        self.cleaner = cleaner
        self.fields = {d.key: d for d in fields}
        self.defaults = {d.key: d.default for d in fields if d.default is not None}
        self.required = [d for d in fields if d.required]
        self.actor_id = actor_id
        self.index = Index.load()
        self.tenant_id = db.session.info["tenant_id"]

    # --- deciding ------------------------------------------------------------------------------------------

    def decide(self, rows: list[tuple[int, list[str]]]) -> Batch:
        batch = Batch()
        for number, cells in rows:
            try:
                cleaned = self.cleaner.clean(number, cells)
            except RowProblems as problems:
                batch.failed.append((number, cells, problems.reasons))
                continue
            self._place(batch, cleaned, cells)
        return batch

    def _place(self, batch: Batch, cleaned: Cleaned, cells: list[str]) -> None:
        target = self.index.by_external.get(cleaned.external_id) if cleaned.external_id else None
        if target is None:
            target = self.index.match(cleaned)
            if target is not None and not self._follows_duplicate_rule(target):
                batch.skipped += 1
                return
            if target is not None and self.job.duplicates == Duplicates.CREATE:
                target = None
        if target is not None and target in self.index.touched:
            batch.skipped += 1  # the first row about a client wins; a later one is a duplicate within the file
            return
        if target is not None:
            batch.updates.append((cleaned, target))
            self.index.remember(cleaned, target, created=False)
            return
        if missing := self._missing_required(cleaned):
            batch.failed.append((cleaned.row_number, cells, missing))
            return
        cleaned.client_id = uuid.uuid4()
        self.index.remember(cleaned, cleaned.client_id, created=True)  # later rows of the file see it
        batch.created.append(cleaned)

    def _follows_duplicate_rule(self, target: uuid.UUID) -> bool:
        """False when the row is to be skipped as a duplicate."""
        if self.job.duplicates == Duplicates.SKIP:
            return False
        return not (self.job.duplicates == Duplicates.UPDATE and target in self.index.from_file)

    def _missing_required(self, cleaned: Cleaned) -> list[str]:
        for key, value in self.defaults.items():
            cleaned.custom.setdefault(key, value)
        return [f"{d.label(_language())}: {translate(REQUIRED)}" for d in self.required if d.key not in cleaned.custom]

    # --- writing -------------------------------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        self._write_created(batch.created)
        self._write_updates(batch.updates)
        bulk.insert_all(ImportRow.__table__, [self._failed_row(*f) for f in batch.failed])

    def _failed_row(self, number: int, cells: list[str], reasons: list[str]) -> dict[str, Any]:
        return self._trail(number, Outcome.FAILED, values=cells, reasons=reasons)

    def _trail(self, number: int, outcome: str, **data: Any) -> dict[str, Any]:
        row = {
            "id": uuid.uuid4(),
            "tenant_id": self.tenant_id,
            "import_id": self.job.id,
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

    def _write_created(self, created: list[Cleaned]) -> None:
        now = utcnow()
        tables: dict[str, list[dict[str, Any]]] = {
            "clients": [],
            "contacts": [],
            "tags": [],
            "values": [],
            "events": [],
            "trail": [],
            "external": [],
        }
        for cleaned in created:
            self._new_client(cleaned, now, tables)
        bulk.insert_all(Client.__table__, tables["clients"])
        bulk.insert_all(Contact.__table__, tables["contacts"])
        bulk.insert_all(ClientTag.__table__, tables["tags"])
        bulk.insert_all(FieldValue.__table__, tables["values"])
        bulk.insert_all(ClientEvent.__table__, tables["events"])
        bulk.insert_all(ClientExternalId.__table__, tables["external"])
        bulk.insert_all(ImportRow.__table__, tables["trail"])

    def _new_client(self, cleaned: Cleaned, now: Any, tables: dict[str, list[dict[str, Any]]]) -> None:
        client_id = cleaned.client_id
        base = {"tenant_id": self.tenant_id}
        data = cleaned.client
        contact = self._contact_row(cleaned.contact, client_id, now) if cleaned.contact else None
        shape = SimpleNamespace(
            name=data["name"], tags=data.get("tags", []), contacts=[SimpleNamespace(**contact)] if contact else []
        )
        tables["clients"].append(
            base
            | {
                "id": client_id,
                "created_at": now,
                "updated_at": now,
                "name": data["name"],
                "sort_key": sort_key(data["name"]),
                "kind": data.get("kind", "company"),
                "status": data.get("status", "potential"),
                "industry": data.get("industry"),
                "size": data.get("size"),
                "region": data.get("region"),
                "source": data.get("source"),
                "credit_rating": data.get("credit_rating"),
                "payment_terms": data.get("payment_terms"),
                "tags": data.get("tags", []),
                "notes": data.get("notes"),
                "owner_id": data.get("owner_id", self.actor_id),
                "archived_at": None,
                "last_contact_at": None,
                "search_text": search_parts(shape),
                "custom_fields": cleaned.custom,
                "version": 1,
            }
        )
        if contact:
            tables["contacts"].append(contact)
        tables["tags"] += [base | {"id": uuid.uuid4(), "client_id": client_id, "tag": t} for t in data.get("tags", [])]
        tables["values"] += self._index_rows(client_id, cleaned.custom)
        tables["events"].append(
            base
            | {
                "id": uuid.uuid4(),
                "created_at": now,
                "client_id": client_id,
                "actor_id": self.actor_id,
                "kind": "client.created",
                "data": {"name": data["name"]},
            }
        )
        if cleaned.external_id:
            tables["external"].append(
                base | {"id": uuid.uuid4(), "client_id": client_id, "external_id": cleaned.external_id}
            )
        tables["trail"].append(self._trail(cleaned.row_number, Outcome.CREATED, client_id=client_id, version_after=1))

    def _contact_row(self, contact: dict[str, Any], client_id: uuid.UUID, now: Any) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "tenant_id": self.tenant_id,
            "created_at": now,
            "client_id": client_id,
            "name": contact["name"],
            "title": contact.get("title"),
            "phone": contact.get("phone"),
            "email": contact.get("email"),
            "wechat": contact.get("wechat"),
            "preferred_channel": None,
            "best_time": None,
            "decision_maker": False,
            "cares_about": None,
            "birthday": None,
            "custom_fields": {},
            "version": 1,
        }

    def _index_rows(self, record_id: uuid.UUID, values: dict[str, Any]) -> list[dict[str, Any]]:
        rows = []
        for key, value in values.items():
            definition = self.fields.get(key)
            if definition is None:
                continue
            for typed in custom.index_rows(definition.type, value):
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "tenant_id": self.tenant_id,
                        "field_id": definition.id,
                        "record_id": record_id,
                        "number": None,
                        "keyed": None,
                        "text": None,
                    }
                    | typed
                )
        return rows

    def _write_updates(self, updates: list[tuple[Cleaned, uuid.UUID]]) -> None:
        if not updates:
            return
        ids = [client_id for _cleaned, client_id in updates]
        query = select(Client).where(Client.id.in_(ids)).options(selectinload(Client.contacts))
        clients = {c.id: c for c in db.session.scalars(query)}
        trail = []
        for cleaned, client_id in updates:
            client = clients.get(client_id)
            if client is not None:
                trail.append(self._update(client, cleaned))
        db.session.flush()
        for row in trail:
            row["version_after"] = clients[row["client_id"]].version
        bulk.insert_all(ImportRow.__table__, trail)

    def _update(self, client: Client, cleaned: Cleaned) -> dict[str, Any]:
        previous = {key: _jsonable(getattr(client, key)) for key in RESTORED}
        for key in cleaned.filled:
            setattr(client, key, cleaned.client[key])
        if "tags" in cleaned.filled:
            db.session.execute(delete(ClientTag).where(ClientTag.client_id == client.id))
            db.session.add_all(ClientTag(client_id=client.id, tag=t) for t in cleaned.client["tags"])
        if cleaned.custom:
            custom.write("client", client, {**client.custom_fields, **cleaned.custom})
        added = self._maybe_add_contact(client, cleaned.contact)
        if cleaned.external_id and cleaned.external_id not in self.index.by_external:
            db.session.add(ClientExternalId(client_id=client.id, external_id=cleaned.external_id))
        client.updated_at = utcnow()
        refresh_search_text(client)
        return self._trail(
            cleaned.row_number, Outcome.UPDATED, client_id=client.id, previous=previous, added_contact_id=added
        )

    def _maybe_add_contact(self, client: Client, contact: dict[str, Any] | None) -> uuid.UUID | None:
        """The row's person joins the client unless one of its contacts already has that phone or e-mail."""
        if not contact:
            return None
        digits, email = phone_digits(contact.get("phone")), (contact.get("email") or "").lower()
        for known in client.contacts:
            if (digits and phone_digits(known.phone) == digits) or (email and (known.email or "").lower() == email):
                return None
        added = Contact(id=uuid.uuid4(), client_id=client.id, **contact)
        client.contacts.append(added)
        return added.id


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return type(value)(value)
    return value


def _language() -> str:
    from saas.i18n import current_locale

    return current_locale()
