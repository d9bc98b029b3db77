"""Submissions across every form, for those who read them (Perm.CLIENTS_ALL, as a form's own submissions list): the
answers behind the dashboards' NPS and CSAT, which count every submission with that score whatever its form.

Filters: which score it holds (`score=nps|csat`: a 0–10 recommendation, a 1–5 satisfaction), the studio's days it
was submitted on (`submitted_from`, `submitted_to`), and its client's owner and source (the dashboards' filters: a
submission without a client is outside any of them, as the figure leaves it out). Newest first, keyset pages on
(submitted_at, id), one query a page (each submission with its form and its client's name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, exists, select

from saas.clients.models import Client
from saas.days import DayRange
from saas.extensions import db
from saas.forms.models import Submission
from saas.forms.queries import PAGE_SIZE
from saas.keyset import newest_first
from saas.tenants.models import Membership
from saas.tenants.queries import person_arg, strangers, studio_timezone

SCORES = {"nps": Submission.nps, "csat": Submission.csat}


@dataclass(frozen=True)
class AnswerFilters:
    score: str = ""  # SCORES: submissions holding that score
    owner: str = ""  # the client's owner: a user id or "me"
    source: str = ""  # the client's source channel
    submitted: DayRange = field(default_factory=lambda: DayRange("submitted"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page

    @classmethod
    def from_args(cls, args: Any) -> AnswerFilters:
        submitted, problems = DayRange.read("submitted", args)
        score = str(args.get("score") or "")
        if score and score not in SCORES:
            problems["score"] = _("Choose one of the scores offered.")
        return cls(
            score=score if score in SCORES else "",
            owner=person_arg(args.get("owner")),
            source=str(args.get("source") or "").strip()[:80],
            submitted=submitted,
            problems=tuple(problems.items()),
        )

    def among(self, people: set[str]) -> AnswerFilters:
        """An owner who is not of this studio is said beside the field and left out."""
        found = strangers({"owner": self.owner}, people)
        return replace(self, owner="", problems=tuple({**dict(self.problems), **found}.items())) if found else self

    def as_args(self) -> dict[str, str]:
        values = {"score": self.score, "owner": self.owner, "source": self.source}
        return {**{k: v for k, v in values.items() if v}, **self.submitted.as_args()}


@dataclass(frozen=True)
class AnswerRow:
    submission: Submission
    client_name: str | None


@dataclass
class AnswerPage:
    rows: list[AnswerRow]
    next_cursor: str | None
    filters: AnswerFilters = field(default_factory=AnswerFilters)


def _of_clients(membership: Membership, f: AnswerFilters) -> Any:
    """Submissions whose client is owned by / came by what is asked."""
    clients = select(Client.id).where(Client.id == Submission.client_id)
    if f.owner:
        try:
            owner = membership.user_id if f.owner == "me" else uuid.UUID(f.owner)
        except ValueError:
            owner = None  # not a person: no one's
        clients = clients.where(Client.owner_id == owner)
    if f.source:
        clients = clients.where(Client.source == f.source)
    return exists(clients.correlate_except(Client))


def answers_filtered(membership: Membership, f: AnswerFilters) -> Select:
    """The submissions the list shows for these filters, with their client's name, unordered."""
    query = select(Submission, Client.name).outerjoin(
        Client, (Client.tenant_id == Submission.tenant_id) & (Client.id == Submission.client_id)
    )
    if f.score:
        query = query.where(SCORES[f.score].is_not(None))
    if f.owner or f.source:
        query = query.where(_of_clients(membership, f))
    if f.submitted:
        query = query.where(*f.submitted.holds(Submission.submitted_at, studio_timezone(membership.tenant_id)))
    return query


def answer_page(membership: Membership, f: AnswerFilters, cursor: str | None = None) -> AnswerPage:
    """Newest first, PAGE_SIZE at a time: no OFFSET, no COUNT."""
    rows, next_cursor = newest_first(
        answers_filtered(membership, f),
        Submission.submitted_at,
        Submission.id,
        cursor,
        PAGE_SIZE,
        read=lambda query: [AnswerRow(s, name) for s, name in db.session.execute(query)],
        key=lambda row: (row.submission.submitted_at, row.submission.id),
    )
    return AnswerPage(rows, next_cursor, f)
