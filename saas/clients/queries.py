"""Read models for the client pages: the filtered, keyset-paginated list; follow-ups due; shares."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    Uuid,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.orm import lazyload, selectinload
from werkzeug.exceptions import NotFound

from saas.clients.access import sees_relationship, visible_to
from saas.clients.models import (
    Client,
    ClientEvent,
    ClientKind,
    ClientShare,
    ClientStatus,
    ClientTag,
    Contact,
    Interaction,
    SavedView,
)
from saas.days import DayRange
from saas.db import utcnow
from saas.extensions import db
from saas.fields import queries as custom_filters
from saas.ids import parse_uuid
from saas.tenants.models import Membership, User
from saas.tenants.queries import studio_timezone

PAGE_SIZE = 50
SORTS = ("name", "recent")
# Archived clients: "" the current ones (the default), "1" the archived ones alone, "all" both (what a figure
# that keeps history counts, e.g. new clients per month: the dashboards link with it).
ARCHIVED = ("1", "all")
# How far a client got (the funnel's steps): a client counts at every step it reached, a past client was signed.
REACHED = {
    "intent": (ClientStatus.INTENT, ClientStatus.SIGNED, ClientStatus.PAST),
    "signed": (ClientStatus.SIGNED, ClientStatus.PAST),
}
PROJECTS = ("any", "repeat")  # clients with a project (any time, archived ones too) / with two or more


@dataclass(frozen=True)
class ClientFilters:
    q: str = ""
    status: str = ""
    reached: str = ""  # intent or signed: the status or any later one (REACHED)
    owner: str = ""
    tag: str = ""
    source: str = ""
    no_source: bool = False  # clients without a source channel (the funnel's "No source" row)
    industry: str = ""
    region: str = ""
    kind: str = ""  # company or person
    quiet_days: int | None = None  # no follow-up for this many days
    archived: str = ""  # ARCHIVED: "" current, "1" archived alone, "all" both
    projects: str = ""  # PROJECTS: with a project, with two or more (repeat clients)
    sort: str = "name"
    # The studio's own fields: (`cf.<key>[.op]`, value) pairs (saas.fields.queries), and the columns shown.
    custom: tuple[tuple[str, str], ...] = ()
    cols: str = ""
    # From–to in the studio's days (saas/days.py): made; last followed up (the relationship side); became past
    # (its timeline says so, and it still is: the dashboards' churn).
    created: DayRange = field(default_factory=lambda: DayRange("created"))
    last_contact: DayRange = field(default_factory=lambda: DayRange("last_contact"))
    left: DayRange = field(default_factory=lambda: DayRange("left"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page

    @classmethod
    def from_args(cls, args: dict) -> ClientFilters:
        quiet = args.get("quiet_days", "")
        ranges, problems = {}, {}
        for stem in RANGES:
            ranges[stem], found = DayRange.read(stem, args)
            problems.update(found)
        return cls(
            q=args.get("q", "").strip()[:100],
            status=args.get("status", "") if args.get("status") in tuple(ClientStatus) else "",
            reached=args.get("reached", "") if args.get("reached") in REACHED else "",
            owner=args.get("owner", ""),
            tag=args.get("tag", "").strip()[:40],
            source=args.get("source", "").strip()[:80],
            no_source=str(args.get("no_source", "")) == "1",
            industry=args.get("industry", "").strip()[:80],
            region=args.get("region", "").strip()[:80],
            kind=args.get("kind", "") if args.get("kind") in tuple(ClientKind) else "",
            quiet_days=int(quiet) if quiet.isdigit() and 0 < int(quiet) < 3650 else None,
            archived=args.get("archived", "") if args.get("archived") in ARCHIVED else "",
            projects=args.get("projects", "") if args.get("projects") in PROJECTS else "",
            sort=args.get("sort") if args.get("sort") in SORTS else "name",
            custom=custom_filters.filter_args(args),
            cols=",".join(args.getlist("cols") if hasattr(args, "getlist") else [str(args.get("cols", ""))])[:400],
            problems=tuple(problems.items()),
            **ranges,
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "status": self.status,
            "reached": self.reached,
            "owner": self.owner,
            "tag": self.tag,
            "source": self.source,
            "no_source": "1" if self.no_source else "",
            "industry": self.industry,
            "region": self.region,
            "kind": self.kind,
            "quiet_days": str(self.quiet_days or ""),
            "archived": self.archived,
            "projects": self.projects,
            "sort": self.sort if self.sort != "name" else "",
            **dict(self.custom),
            "cols": self.cols,
            **self.created.as_args(),
            **self.last_contact.as_args(),
            **self.left.as_args(),
        }
        return {k: v for k, v in values.items() if v}


RANGES = ("created", "last_contact", "left")  # ClientFilters' from–to filters, by their arguments' stem


@dataclass
class ClientPage:
    clients: list[Client]
    next_cursor: str | None
    filters: ClientFilters = field(default_factory=ClientFilters)


def like_pattern(fragment: str) -> str:
    escaped = fragment.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(fragment: str):
    """Clients whose search text contains `fragment`. On SQLite, fragments of three characters or more go through
    the FTS5 trigram index (migration 0007); on PostgreSQL the pg_trgm index serves the LIKE itself."""
    plain = Client.search_text.like(like_pattern(fragment), escape="\\")
    usable = len(fragment) >= 3 and not any(ch in fragment for ch in "%_\\")
    if not usable or db.session.get_bind().dialect.name != "sqlite":
        return plain
    indexed = text("SELECT rowid FROM clients_search WHERE search_text LIKE :fragment").bindparams(
        fragment=f"%{fragment.lower()}%"
    )
    return literal_column("clients.rowid").in_(indexed)


PHONE_LIKE = re.compile(r"[\d\s\-().+/]+")


def search_fragment(q: str) -> str:
    """What a search looks for: a phone number typed with spaces, dashes, brackets or a plus ("138-0013",
    "138 0013 8000", "+86 (21) 6234") is looked for by its digits, which every phone is also stored as."""
    if PHONE_LIKE.fullmatch(q) and sum(ch.isdigit() for ch in q) >= 3:
        return "".join(ch for ch in q if ch.isdigit())
    return q


def _filtered(membership: Membership, f: ClientFilters) -> Select:
    query = select(Client).where(visible_to(membership))
    if f.archived != "all":
        query = query.where(Client.archived_at.is_not(None) if f.archived else Client.archived_at.is_(None))
    if f.q:
        query = query.where(_matches(search_fragment(f.q)))
    if f.status:
        query = query.where(Client.status == f.status)
    if f.reached:
        query = query.where(Client.status.in_(REACHED[f.reached]))
    if f.owner == "me":
        query = query.where(Client.owner_id == membership.user_id)
    elif f.owner:
        try:
            query = query.where(Client.owner_id == uuid.UUID(f.owner))
        except ValueError:
            query = query.where(Client.id.is_(None))
    if f.tag:
        query = query.where(Client.id.in_(select(ClientTag.client_id).where(ClientTag.tag == f.tag)))
    if f.source:
        query = query.where(Client.source == f.source)
    if f.no_source:  # never given one, or given an empty one (an import's blank cell): both read "No source"
        query = query.where(or_(Client.source.is_(None), Client.source == ""))
    if f.industry:
        query = query.where(Client.industry == f.industry)
    if f.region:
        query = query.where(Client.region == f.region)
    if f.kind:
        query = query.where(Client.kind == f.kind)
    relationship = sees_relationship(membership)  # when a client was last followed up: the relationship side
    if f.quiet_days and relationship:
        cutoff = utcnow() - timedelta(days=f.quiet_days)
        query = query.where(or_(Client.last_contact_at.is_(None), Client.last_contact_at < cutoff))
    if f.projects:
        query = query.where(Client.id.in_(_with_projects(membership, 2 if f.projects == "repeat" else 1)))
    if f.custom:
        query = query.where(*custom_filters.conditions(membership.role, "client", Client.id, f.custom))
    zone = studio_timezone(membership.tenant_id) if f.created or f.last_contact or f.left else ""
    if f.created:
        query = query.where(*f.created.holds(Client.created_at, zone))
    if f.last_contact and relationship:
        query = query.where(*f.last_contact.holds(Client.last_contact_at, zone))
    if f.left:
        query = query.where(Client.status == ClientStatus.PAST, Client.id.in_(_left_between(f.left, zone)))
    return query


# Projects build on clients (a higher floor): the list reads their table by name, never their model. The ORM's
# studio scope applies to models alone, so the studio is named here (Row-Level Security holds it on PostgreSQL).
_PROJECTS = table("projects", column("tenant_id", Uuid()), column("client_id", Uuid()))


def _with_projects(membership: Membership, at_least: int) -> Select:
    """Clients with at least that many projects, any time (archived projects too: a repeat is a repeat)."""
    query = select(_PROJECTS.c.client_id).where(_PROJECTS.c.tenant_id == membership.tenant_id)
    query = query.group_by(_PROJECTS.c.client_id)
    return query.having(func.count() >= at_least) if at_least > 1 else query


def _left_between(left: DayRange, zone: str) -> Select:
    """Clients whose status became past in those days, as their timeline records it."""
    return select(ClientEvent.client_id).where(
        ClientEvent.kind == "client.status_changed",
        ClientEvent.data["new"].as_string() == literal(ClientStatus.PAST.value),
        *left.holds(ClientEvent.created_at, zone),
    )


def _cursor(client: Client, sort: str) -> str:
    key = client.sort_key if sort == "name" else client.updated_at.isoformat()
    return f"{client.id}|{key}"


def _after(cursor: str | None, sort: str):
    if not cursor or "|" not in cursor:
        return None
    ident, _, key = cursor.partition("|")
    try:
        ident_uuid = uuid.UUID(ident)
        if sort == "name":
            return tuple_(Client.sort_key, Client.id) > (key, ident_uuid)
        return tuple_(Client.updated_at, Client.id) < (datetime.fromisoformat(key), ident_uuid)
    except ValueError:
        return None


def client_page(membership: Membership, f: ClientFilters, cursor: str | None) -> ClientPage:
    """One page of clients. Keyset pagination: no OFFSET and no COUNT over the whole studio. The pages show each
    client's first contact (one more query for the page, never one per client)."""
    return _page(_filtered(membership, f).options(selectinload(Client.contacts)), f, cursor)


# Every column of a client, as the ORM names them: the API's list answers fields, not objects, and building fifty
# ORM objects (identity map, relationship set-up, the owner's row) cost it a third of the request.
_COLUMNS = tuple(getattr(Client, column.key) for column in Client.__mapper__.column_attrs)
_ROW = select(*_COLUMNS)  # built once: coercing 28 columns into a select costs more than running it


def client_rows(membership: Membership, f: ClientFilters, cursor: str | None) -> ClientPage:
    """The same page as client_page, each client a row of its columns (attribute access as on a Client), for the
    API. Filters, access and the studio's scope are the same query's."""
    return _page(_filtered(membership, f).with_only_columns(*_COLUMNS), f, cursor, rows=True)


def client_row(membership: Membership, client_id: str | uuid.UUID) -> Row:
    """One client as a row of its columns (attribute access as on a Client), for the API's read: the same access
    and answer as access.get_client — 404 for a client this person may not see — without building an ORM object
    and its identity-map entry for a record that is only dumped."""
    query = _ROW.where(Client.id == parse_uuid(client_id), visible_to(membership))
    if (row := db.session.execute(query).first()) is None:
        raise NotFound()
    return row


def _page(query: Select, f: ClientFilters, cursor: str | None, rows: bool = False) -> ClientPage:
    if (after := _after(cursor, f.sort)) is not None:
        query = query.where(after)
    # By name is by pinyin (Client.sort_key), not by code point; keyset pages follow the same key.
    order = (Client.sort_key, Client.id) if f.sort == "name" else (Client.updated_at.desc(), Client.id.desc())
    query = query.order_by(*order).limit(PAGE_SIZE + 1)
    found = list(db.session.execute(query).all() if rows else db.session.scalars(query))
    next_cursor = _cursor(found[PAGE_SIZE - 1], f.sort) if len(found) > PAGE_SIZE else None
    return ClientPage(found[:PAGE_SIZE], next_cursor, f)


def follow_ups(membership: Membership, today: date) -> list[Interaction]:
    """Next actions of this person that are due today or overdue and not done, on clients they may see."""
    query = (
        select(Interaction)
        .join(Interaction.client)
        .where(
            Interaction.author_id == membership.user_id,
            Interaction.next_action.is_not(None),
            Interaction.next_action_done_at.is_(None),
            Interaction.next_action_due <= today,
            Client.archived_at.is_(None),
            visible_to(membership),
        )
        .order_by(Interaction.next_action_due, Interaction.occurred_at)
    )
    return list(db.session.scalars(query.limit(200)))


def next_action(client: Client) -> Interaction | None:
    """The earliest open next action on this client."""
    query = (
        select(Interaction)
        .where(
            Interaction.client_id == client.id,
            Interaction.next_action.is_not(None),
            Interaction.next_action_done_at.is_(None),
        )
        .order_by(Interaction.next_action_due.is_(None), Interaction.next_action_due, Interaction.occurred_at)
    )
    return db.session.scalars(query.limit(1)).first()


def shares_of(client: Client) -> list[ClientShare]:
    return list(db.session.scalars(select(ClientShare).where(ClientShare.client_id == client.id)))


def share_of(client: Client, share_id: str) -> ClientShare:
    """One share of this client; 404 for any other id, including another client's share."""
    share = db.session.scalar(
        select(ClientShare).where(ClientShare.client_id == client.id, ClientShare.id == parse_uuid(share_id))
    )
    if share is None:
        raise NotFound()
    return share


def team() -> list[User]:
    """People of this studio who can own or be shared a client."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(User.name)
    )
    return list(db.session.scalars(query))


def open_interaction(client: Client, interaction_id: str) -> Interaction | None:
    try:
        ident = uuid.UUID(interaction_id)
    except ValueError:
        return None
    return db.session.scalar(
        select(Interaction).where(and_(Interaction.id == ident, Interaction.client_id == client.id))
    )


def interaction_of(client: Client, interaction_id: str) -> Interaction:
    """One follow-up of this client; 404 for any other id, including another client's."""
    found = open_interaction(client, interaction_id)
    if found is None:
        raise NotFound()
    return found


def contacts_of(membership: Membership, client: Client, custom: tuple[tuple[str, str], ...] = ()) -> list[Contact]:
    """A client's contacts in the order they were added, narrowed by custom-field filters (`cf.<key>…`, as the
    client list takes them, over the contact fields the reader sees)."""
    if not custom:
        return client.contacts
    conditions = custom_filters.conditions(membership.role, "contact", Contact.id, custom)
    query = select(Contact).where(Contact.client_id == client.id, *conditions)
    return list(db.session.scalars(query.order_by(Contact.created_at)))


def contact_of(client: Client, contact_id: str) -> Contact:
    """One contact of this client; 404 for any other id, including another client's contact."""
    ident = parse_uuid(contact_id)
    found = next((c for c in client.contacts if c.id == ident), None)
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class TagCount:
    name: str
    clients: int


def tag_counts(membership: Membership, limit: int = 500) -> list[TagCount]:
    """The studio's tags with how many live clients this person can see carry each, most used first."""
    query = (
        select(ClientTag.tag, func.count())
        .join(Client, and_(Client.tenant_id == ClientTag.tenant_id, Client.id == ClientTag.client_id))
        .where(visible_to(membership), Client.archived_at.is_(None))
        .group_by(ClientTag.tag)
        .order_by(func.count().desc(), ClientTag.tag)
        .limit(limit)
    )
    return [TagCount(tag, count) for tag, count in db.session.execute(query)]


def my_views(membership: Membership, page: str = "clients") -> list[SavedView]:
    """This person's views of one list (clients, contacts)."""
    query = select(SavedView).where(SavedView.user_id == membership.user_id, SavedView.page == page)
    query = query.order_by(SavedView.name)
    return list(db.session.scalars(query))


def my_view(membership: Membership, view_id: str) -> SavedView | None:
    try:
        ident = uuid.UUID(view_id)
    except ValueError:
        return None
    return db.session.scalar(select(SavedView).where(SavedView.id == ident, SavedView.user_id == membership.user_id))


def interactions_of(client: Client, limit: int = 200) -> list[Interaction]:
    query = (
        select(Interaction)
        .where(Interaction.client_id == client.id)
        .order_by(Interaction.occurred_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


TIMELINE_LIMIT = 100


@dataclass(frozen=True)
class Change:
    """A change the timeline shows that is not stored as a ClientEvent: a floor above tells it from its own records
    (an import names the clients it created). Read by the page as an event is: kind, actor, created_at, data."""

    kind: str
    actor: User | None
    created_at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # an interaction kind (call, wechat...) or a change (client.created, client.owner_changed...)
    interaction: Interaction | None = None
    event: ClientEvent | Change | None = None


# The floors above that tell a client's timeline more (registered when they are imported, like the bulk-delete
# handlers): each gives the changes it knows of one client.
ChangeSource = Callable[[Client], list[Change]]
_change_sources: list[ChangeSource] = []


def timeline_changes(source: ChangeSource) -> ChangeSource:
    """Register a source of timeline changes (a decorator)."""
    if source not in _change_sources:
        _change_sources.append(source)
    return source


def timeline(client: Client, only: str | None = None) -> list[Entry]:
    """Newest first; `only` is an interaction kind, or "changes" for changes alone."""
    entries: list[Entry] = []
    if only != "changes":
        # The page already has the client: do not join it again into each of a hundred rows.
        query = select(Interaction).where(Interaction.client_id == client.id).options(lazyload(Interaction.client))
        if only:
            query = query.where(Interaction.kind == only)
        query = query.order_by(Interaction.occurred_at.desc()).limit(TIMELINE_LIMIT)
        entries += [Entry(i.occurred_at, i.kind, interaction=i) for i in db.session.scalars(query)]
    if only in (None, "changes"):
        query = (
            select(ClientEvent)
            .where(ClientEvent.client_id == client.id)
            .order_by(ClientEvent.created_at.desc())
            .limit(TIMELINE_LIMIT)
        )
        entries += [Entry(e.created_at, e.kind, event=e) for e in db.session.scalars(query)]
        for source in _change_sources:
            entries += [Entry(c.created_at, c.kind, event=c) for c in source(client)]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:TIMELINE_LIMIT]
