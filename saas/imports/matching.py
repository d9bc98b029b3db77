"""Which client a row is about: by its external id, then by phone (its digits), e-mail (lower-cased) or name
(trimmed, lower-cased), against the studio's clients and the rows of the same file before it. The studio's keys
are read once, in three queries, when the import starts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from saas.clients.models import Client, Contact
from saas.clients.services import phone_digits
from saas.extensions import db
from saas.imports.models import ClientExternalId
from saas.imports.validation import Cleaned


def keys_of(cleaned: Cleaned) -> list[str]:
    """The duplicate keys of a row, most telling first."""
    keys = []
    contact = cleaned.contact or {}
    if digits := phone_digits(contact.get("phone")):
        keys.append("p:" + digits)
    if email := (contact.get("email") or "").lower():
        keys.append("e:" + email)
    keys.append("n:" + cleaned.client["name"].strip().lower())
    return keys


@dataclass
class Index:
    by_key: dict[str, uuid.UUID] = field(default_factory=dict)
    by_external: dict[str, uuid.UUID] = field(default_factory=dict)
    from_file: set[uuid.UUID] = field(default_factory=set)  # clients this import made
    touched: set[uuid.UUID] = field(default_factory=set)  # clients this import created or updated

    @classmethod
    def load(cls) -> Index:
        index = cls()
        for client_id, name in db.session.execute(select(Client.id, Client.name)):
            index.by_key.setdefault("n:" + name.strip().lower(), client_id)
        for client_id, phone, email in db.session.execute(select(Contact.client_id, Contact.phone, Contact.email)):
            if digits := phone_digits(phone):
                index.by_key.setdefault("p:" + digits, client_id)
            if email:
                index.by_key.setdefault("e:" + email.lower(), client_id)
        index.by_external = {
            e: c for e, c in db.session.execute(select(ClientExternalId.external_id, ClientExternalId.client_id))
        }
        return index

    def match(self, cleaned: Cleaned) -> uuid.UUID | None:
        for key in keys_of(cleaned):
            if (found := self.by_key.get(key)) is not None:
                return found
        return None

    def remember(self, cleaned: Cleaned, client_id: uuid.UUID, created: bool) -> None:
        for key in keys_of(cleaned):
            self.by_key.setdefault(key, client_id)
        if cleaned.external_id:
            self.by_external.setdefault(cleaned.external_id, client_id)
        self.touched.add(client_id)
        if created:
            self.from_file.add(client_id)
