"""The staff's contacts list: every contact of the clients a person may see, phone-first, searched by name, phone
or e-mail and filtered by the studio's contact fields exactly as the clients list filters by client fields
(saas.fields.queries), in keyset pages by name as a Chinese reader expects it (pinyin: Contact.sort_key, as the
clients list). Contacts of archived clients are left out, as archived clients are left out of the clients list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import contains_eager

from saas.clients.access import visible_to
from saas.clients.models import Client, Contact, contact_search
from saas.clients.queries import PAGE_SIZE, like_pattern, search_fragment
from saas.extensions import db
from saas.fields import queries as custom_filters
from saas.tenants.models import Membership


@dataclass(frozen=True)
class ContactFilters:
    q: str = ""
    # The studio's contact fields: (`cf.<key>[.op]`, value) pairs, and the columns shown (as the clients list).
    custom: tuple[tuple[str, str], ...] = ()
    cols: str = ""

    @classmethod
    def from_args(cls, args) -> ContactFilters:
        cols = args.getlist("cols") if hasattr(args, "getlist") else [str(args.get("cols", ""))]
        return cls(
            q=str(args.get("q", "")).strip()[:100],
            custom=custom_filters.filter_args(args),
            cols=",".join(cols)[:400],
        )

    def as_args(self) -> dict[str, str]:
        values = {"q": self.q, **dict(self.custom), "cols": self.cols}
        return {k: v for k, v in values.items() if v}


@dataclass
class ContactPage:
    contacts: list[Contact]
    next_cursor: str | None
    filters: ContactFilters = field(default_factory=ContactFilters)


def _filtered(membership: Membership, f: ContactFilters) -> Select:
    query = (
        select(Contact)
        .join(Contact.client)
        .options(contains_eager(Contact.client))  # the page links each contact's client: read with it
        .where(visible_to(membership), Client.archived_at.is_(None))
    )
    if f.q:
        query = query.where(contact_search().like(like_pattern(search_fragment(f.q)), escape="\\"))
    if f.custom:
        query = query.where(*custom_filters.conditions(membership.role, "contact", Contact.id, f.custom))
    return query


def _after(cursor: str | None):
    """`<id>|<sort key>` of the last contact of the page before. The key may be empty (a name of accents alone):
    the separator, not the key, says a cursor was given, so such a page still leads to the next."""
    ident, separator, key = (cursor or "").partition("|")
    try:
        return tuple_(Contact.sort_key, Contact.id) > (key, uuid.UUID(ident)) if separator else None
    except ValueError:
        return None


def contact_page(membership: Membership, f: ContactFilters, cursor: str | None) -> ContactPage:
    """One page of contacts by name (pinyin), with their clients: one query, no OFFSET and no COUNT over the
    studio; the index (tenant_id, sort_key, id) gives the order and each page's start."""
    query = _filtered(membership, f)
    if (after := _after(cursor)) is not None:
        query = query.where(after)
    rows = list(db.session.scalars(query.order_by(Contact.sort_key, Contact.id).limit(PAGE_SIZE + 1)))
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    return ContactPage(rows[:PAGE_SIZE], f"{last.id}|{last.sort_key}" if last else None, f)
