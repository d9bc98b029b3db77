"""The staff's list of follow-ups logged (calls, WeChat, meetings... as written on a client's page): the records behind
the dashboards' "follow-ups per person" and the report builder's follow-up counts, where My follow-ups is what is
due. Newest first, in keyset pages, one query per page (each follow-up with its client and author).

Filters: who logged it (`author`), its kind, the studio's days it was logged on (`logged_from`, `logged_to`, local
midnights as the dashboards cut their periods), and the client's owner and source (the dashboards' own filters).
Every follow-up of a client the reader sees counts, archived clients' too: a follow-up logged was logged, and the
figures that link here count them (history). The relationship side: finance has no access (the view refuses)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from saas.clients.access import visible_to
from saas.clients.models import Client, Interaction, InteractionKind
from saas.clients.queries import PAGE_SIZE
from saas.days import DayRange
from saas.extensions import db
from saas.keyset import newest_first
from saas.tenants.models import Membership
from saas.tenants.queries import person_arg, strangers, studio_timezone


@dataclass(frozen=True)
class FollowUpFilters:
    author: str = ""  # who logged it: a user id or "me"
    kind: str = ""  # an InteractionKind
    owner: str = ""  # the client's owner: a user id or "me"
    source: str = ""  # the client's source channel
    logged: DayRange = field(default_factory=lambda: DayRange("logged"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page

    @classmethod
    def from_args(cls, args: Any) -> FollowUpFilters:
        logged, problems = DayRange.read("logged", args)
        kind = str(args.get("kind") or "")
        if kind and kind not in tuple(InteractionKind):
            problems["kind"] = _("Choose one of the kinds offered.")
        return cls(
            author=person_arg(args.get("author")),
            kind=kind if kind in tuple(InteractionKind) else "",
            owner=person_arg(args.get("owner")),
            source=str(args.get("source") or "").strip()[:80],
            logged=logged,
            problems=tuple(problems.items()),
        )

    def among(self, people: set[str]) -> FollowUpFilters:
        """The same filters with a person who is not of this studio (another studio's id, a made-up one) left out
        and said beside the field: nothing of anyone else's is looked up."""
        found = strangers({"author": self.author, "owner": self.owner}, people)
        if not found:
            return self
        left_out = {name: "" for name in found}
        return replace(self, problems=tuple({**dict(self.problems), **found}.items()), **left_out)

    def as_args(self) -> dict[str, str]:
        values = {"author": self.author, "kind": self.kind, "owner": self.owner, "source": self.source}
        return {**{k: v for k, v in values.items() if v}, **self.logged.as_args()}


@dataclass
class FollowUpPage:
    follow_ups: list[Interaction]
    next_cursor: str | None
    filters: FollowUpFilters = field(default_factory=FollowUpFilters)


def _user(membership: Membership, person: str) -> uuid.UUID | None:
    """The person a filter names; None (no one's) for what is not an id, when among() was not asked first."""
    try:
        return membership.user_id if person == "me" else uuid.UUID(person)
    except ValueError:
        return None


def follow_ups_filtered(membership: Membership, f: FollowUpFilters) -> Select:
    """The follow-ups the list shows for these filters, with their clients, unordered."""
    query = (
        select(Interaction)
        .join(Interaction.client)
        .options(contains_eager(Interaction.client).lazyload(Client.owner))  # the page names the client alone
        .where(visible_to(membership))
    )
    if f.author:
        query = query.where(Interaction.author_id == _user(membership, f.author))
    if f.kind:
        query = query.where(Interaction.kind == f.kind)
    if f.owner:
        query = query.where(Client.owner_id == _user(membership, f.owner))
    if f.source:
        query = query.where(Client.source == f.source)
    if f.logged:
        query = query.where(*f.logged.holds(Interaction.occurred_at, studio_timezone(membership.tenant_id)))
    return query


def follow_up_page(membership: Membership, f: FollowUpFilters, cursor: str | None = None) -> FollowUpPage:
    """Newest first, PAGE_SIZE at a time, keyset-paged on (occurred_at, id): no OFFSET, no COUNT."""
    rows, next_cursor = newest_first(
        follow_ups_filtered(membership, f),
        Interaction.occurred_at,
        Interaction.id,
        cursor,
        PAGE_SIZE,
        read=lambda query: db.session.scalars(query).unique().all(),
        key=lambda row: (row.occurred_at, row.id),
    )
    return FollowUpPage(rows, next_cursor, f)
