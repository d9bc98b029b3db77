"""Read models for the pipeline: the Kanban board (aggregated in SQL), the project list, a project's history,
and My tasks."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, String, Uuid, column, exists, func, or_, select, table, tuple_
from sqlalchemy.orm import joinedload, lazyload

from saas.clients.models import Client
from saas.days import DayRange
from saas.db import utcnow
from saas.extensions import db
from saas.fields import queries as custom_filters
from saas.projects.access import projects_visible_to, tasks_visible_to
from saas.projects.models import PipelineStage, Project, StageChange, StageKind, Task, TaskStatus
from saas.projects.pipeline import stages
from saas.tenants.models import Membership, User
from saas.tenants.queries import studio_timezone

CARDS_PER_STAGE = 25
CLOSED_SHOWN_DAYS = 30  # won and lost columns show recent outcomes only
PAGE_SIZE = 50


ARCHIVED = ("1", "all")  # "" current projects (the default), "1" the archived ones alone, "all" both
STATES = tuple(StageKind)  # open, won, lost: the kind of the stage a project is in
# How far a project's deal got (the funnel's steps): a quote went out for it (or a contract was signed: it went
# through its quote), a contract was signed.
DEALS = ("quoted", "signed")
SENT_QUOTE = ("sent", "accepted", "declined")
# From–to in the studio's days; due is a date, the others UTC times. left_stage: the days a recorded move out of a
# stage was made (with `left_stage`, that stage: the dashboards' time per stage averages those moves).
RANGES = ("created", "due", "closed", "left_stage")


@dataclass(frozen=True)
class ProjectFilters:
    owner: str = ""
    client: str = ""
    type: str = ""
    stage: str = ""
    state: str = ""  # STATES
    deal: str = ""  # DEALS
    source: str = ""  # the client's source channel
    archived: str = ""  # ARCHIVED
    # The studio's own fields, as on the client list: (`cf.<key>[.op]`, value) pairs, and the columns shown.
    custom: tuple[tuple[str, str], ...] = ()
    cols: str = ""
    created: DayRange = field(default_factory=lambda: DayRange("created"))  # made from–to, in the studio's days
    due: DayRange = field(default_factory=lambda: DayRange("due"))
    closed: DayRange = field(default_factory=lambda: DayRange("closed"))  # won or lost from–to
    left_stage: str = ""  # a stage id: projects with a recorded move out of it (in the left_stage days)
    left_stage_days: DayRange = field(default_factory=lambda: DayRange("left_stage"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page

    @classmethod
    def from_args(cls, args: dict) -> ProjectFilters:
        cols = args.getlist("cols") if hasattr(args, "getlist") else [str(args.get("cols", ""))]
        ranges, problems = {}, {}
        for stem in RANGES:
            ranges[stem], found = DayRange.read(stem, args)
            problems.update(found)
        ranges["left_stage_days"] = ranges.pop("left_stage")
        left_stage = str(args.get("left_stage") or "")[:40]
        if left_stage and _uuid_or_none(left_stage) is None:
            problems["left_stage"] = _("Choose one of the stages offered.")
            left_stage = ""
        return cls(
            owner=args.get("owner", "")[:40],
            client=args.get("client", "")[:40],
            type=args.get("type", "").strip()[:60],
            stage=args.get("stage", "")[:40],
            state=args.get("state", "") if args.get("state") in STATES else "",
            deal=args.get("deal", "") if args.get("deal") in DEALS else "",
            source=args.get("source", "").strip()[:80],
            archived=args.get("archived", "") if args.get("archived") in ARCHIVED else "",
            left_stage=left_stage,
            custom=custom_filters.filter_args(args),
            cols=",".join(cols)[:400],
            problems=tuple(problems.items()),
            **ranges,
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "owner": self.owner,
            "client": self.client,
            "type": self.type,
            "stage": self.stage,
            "state": self.state,
            "deal": self.deal,
            "source": self.source,
            "archived": self.archived,
            **dict(self.custom),
            "cols": self.cols,
            **self.created.as_args(),
            **self.due.as_args(),
            **self.closed.as_args(),
            "left_stage": self.left_stage,
            **self.left_stage_days.as_args(),
        }
        return {k: v for k, v in values.items() if v}


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# Quotes and contracts are billing's (a higher floor): the deal filter reads their tables by name. The ORM's studio
# scope applies to models alone, so the studio is named (Row-Level Security holds it on PostgreSQL too).
_QUOTES = table("quotes", column("tenant_id", Uuid()), column("project_id", Uuid()), column("status", String()))
_CONTRACTS = table("contracts", column("tenant_id", Uuid()), column("project_id", Uuid()), column("status", String()))


def _deal(membership: Membership, deal: str):
    signed = select(_CONTRACTS.c.project_id).where(
        _CONTRACTS.c.tenant_id == membership.tenant_id, _CONTRACTS.c.status == "signed"
    )
    if deal == "signed":
        return Project.id.in_(signed)
    quoted = select(_QUOTES.c.project_id).where(
        _QUOTES.c.tenant_id == membership.tenant_id, _QUOTES.c.status.in_(SENT_QUOTE)
    )
    return or_(Project.id.in_(quoted), Project.id.in_(signed))


def _filtered(membership: Membership, f: ProjectFilters) -> Select:
    query = select(Project).where(projects_visible_to(membership))
    if f.archived != "all":
        query = query.where(Project.archived_at.is_not(None) if f.archived else Project.archived_at.is_(None))
    if f.owner:
        owner = membership.user_id if f.owner == "me" else _uuid_or_none(f.owner)
        query = query.where(Project.owner_id == owner)
    if f.client:
        query = query.where(Project.client_id == _uuid_or_none(f.client))
    if f.type:
        query = query.where(Project.type == f.type)
    if f.stage:
        query = query.where(Project.stage_id == _uuid_or_none(f.stage))
    if f.state:
        query = query.where(Project.stage_id.in_(select(PipelineStage.id).where(PipelineStage.kind == f.state)))
    if f.deal:
        query = query.where(_deal(membership, f.deal))
    if f.source:
        of_source = select(Client.id).where(Client.id == Project.client_id, Client.source == f.source)
        query = query.where(exists(of_source.correlate_except(Client)))
    if f.custom:
        query = query.where(*custom_filters.conditions(membership.role, "project", Project.id, f.custom))
    if f.created or f.closed:
        zone = studio_timezone(membership.tenant_id)
        query = query.where(*f.created.holds(Project.created_at, zone), *f.closed.holds(Project.closed_at, zone))
    if f.due:
        query = query.where(*f.due.holds(Project.due_on))
    if f.left_stage or f.left_stage_days:
        query = query.where(_left_stage(membership, f))
    return query


def _left_stage(membership: Membership, f: ProjectFilters):
    """Projects with a recorded move out of the stage (any stage when none is named) in those days: exactly the
    moves the dashboards' time per stage averages (a move with its time in the stage; a project's first stage has
    no move into it)."""
    moves = select(StageChange.id).where(StageChange.project_id == Project.id, StageChange.seconds_in_from.is_not(None))
    if f.left_stage:
        moves = moves.where(StageChange.from_stage_id == _uuid_or_none(f.left_stage))
    if f.left_stage_days:
        moves = moves.where(*f.left_stage_days.holds(StageChange.created_at, studio_timezone(membership.tenant_id)))
    return exists(moves.correlate_except(StageChange))


# A card shows the project, its client's name and its owner: leave the client's contacts and owner and the
# project's team unloaded (hundreds of cards would otherwise pull them all).
CARD_LOADING = (
    joinedload(Project.client).lazyload(Client.contacts),
    joinedload(Project.client).lazyload(Client.owner),
    lazyload(Project.team),
)


@dataclass(frozen=True)
class Card:
    """What a board card shows, read as plain columns: a full board is hundreds of cards, and building ORM
    objects (with their client and owner) for each cost more than the queries themselves."""

    id: uuid.UUID
    name: str
    version: int
    stage_id: uuid.UUID
    due_on: date | None
    value_minor: int | None
    client_name: str
    owner_name: str | None
    late: bool


@dataclass
class Column:
    stage: PipelineStage
    count: int = 0
    value_minor: int = 0
    weighted_minor: int = 0
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def board(membership: Membership, f: ProjectFilters, today: date) -> list[Column]:
    """One column per stage: count and value totals over every matching project (one GROUP BY), and the first
    cards by due date (one windowed query), so the board costs two queries however full it is."""
    columns = {s.id: Column(s) for s in stages()}
    recent = utcnow() - timedelta(days=CLOSED_SHOWN_DAYS)
    base = _filtered(membership, f).where(or_(Project.closed_at.is_(None), Project.closed_at >= recent))
    matching = base.subquery()
    totals = select(
        matching.c.stage_id,
        func.count(),
        func.coalesce(func.sum(matching.c.value_minor), 0),
        func.coalesce(func.sum(matching.c.value_minor * func.coalesce(matching.c.probability, 100) / 100), 0),
    ).group_by(matching.c.stage_id)
    for stage_id, count, value, weighted in db.session.execute(totals):
        if stage_id in columns:
            columns[stage_id].count, columns[stage_id].value_minor = count, int(value)
            columns[stage_id].weighted_minor = int(weighted)
    rank = (
        func.row_number()
        .over(
            partition_by=Project.stage_id,
            order_by=(Project.due_on.is_(None), Project.due_on, Project.created_at),
        )
        .label("rank")
    )
    ranked = base.with_only_columns(Project.id, rank).subquery()
    first_cards = (
        select(
            Project.id,
            Project.name,
            Project.version,
            Project.stage_id,
            Project.due_on,
            Project.value_minor,
            Project.closed_at,
            Client.name,
            User.name,
        )
        .join(ranked, ranked.c.id == Project.id)
        .join(Client, (Client.tenant_id == Project.tenant_id) & (Client.id == Project.client_id))
        .outerjoin(User, User.id == Project.owner_id)
        .where(ranked.c.rank <= CARDS_PER_STAGE)
        .order_by(ranked.c.rank)
    )
    for pid, name, version, stage_id, due_on, value, closed_at, client_name, owner_name in db.session.execute(
        first_cards
    ):
        if stage_id in columns:
            late = due_on is not None and closed_at is None and due_on < today
            card = Card(pid, name, version, stage_id, due_on, value, client_name, owner_name, late)
            columns[stage_id].cards.append(card)
    return list(columns.values())


@dataclass
class ProjectPage:
    projects: list[Project]
    next_cursor: str | None


def project_page(membership: Membership, f: ProjectFilters, cursor: str | None) -> ProjectPage:
    """Most recently updated first, keyset-paginated on (updated_at, id)."""
    query = _filtered(membership, f)
    if cursor and "|" in cursor:
        ident, _, stamp = cursor.partition("|")
        with contextlib.suppress(ValueError):
            query = query.where(
                tuple_(Project.updated_at, Project.id) < (datetime.fromisoformat(stamp), uuid.UUID(ident))
            )
    rows = list(db.session.scalars(query.order_by(Project.updated_at.desc(), Project.id.desc()).limit(PAGE_SIZE + 1)))
    last = rows[PAGE_SIZE - 1] if len(rows) > PAGE_SIZE else None
    return ProjectPage(rows[:PAGE_SIZE], f"{last.id}|{last.updated_at.isoformat()}" if last else None)


def history(project: Project) -> list[StageChange]:
    query = select(StageChange).where(StageChange.project_id == project.id).order_by(StageChange.created_at.desc())
    return list(db.session.scalars(query.limit(200)))


def projects_of_client(membership: Membership, client_id: uuid.UUID) -> list[Project]:
    query = (
        select(Project)
        .where(Project.client_id == client_id, Project.archived_at.is_(None), projects_visible_to(membership))
        .order_by(Project.closed_at.is_not(None), Project.created_at.desc())
    )
    return list(db.session.scalars(query.limit(100)))


def tasks_of(
    membership: Membership, *, project_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None
) -> list[Task]:
    query = select(Task).where(tasks_visible_to(membership))
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    if client_id is not None:
        query = query.where(Task.client_id == client_id)
    order = (Task.status != TaskStatus.OPEN, Task.due_on.is_(None), Task.due_on, Task.created_at)
    return list(db.session.scalars(query.order_by(*order).limit(200)))


@dataclass
class MyTasks:
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    someday: list[Task]


def open_tasks_of(membership: Membership, limit: int = 500) -> list[Task]:
    """This person's open tasks (assigned to them, or followed), soonest first."""
    mine = or_(Task.assignee_id == membership.user_id, Task.follower_id == membership.user_id)
    query = (
        select(Task)
        .where(mine, Task.status == TaskStatus.OPEN)
        .order_by(Task.due_on.is_(None), Task.due_on, Task.created_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def my_tasks(membership: Membership, today: date) -> MyTasks:
    tasks = open_tasks_of(membership)
    return MyTasks(
        overdue=[t for t in tasks if t.due_on and t.due_on < today],
        today=[t for t in tasks if t.due_on == today],
        upcoming=[t for t in tasks if t.due_on and t.due_on > today],
        someday=[t for t in tasks if t.due_on is None],
    )


def stage_durations() -> list[tuple[uuid.UUID, int, float]]:
    """(stage id, moves out of it, average days spent there), aggregated in SQL; for the pipeline page."""
    query = (
        select(StageChange.from_stage_id, func.count(), func.avg(StageChange.seconds_in_from))
        .where(StageChange.from_stage_id.is_not(None))
        .group_by(StageChange.from_stage_id)
    )
    return [(sid, n, float(avg or 0) / 86400) for sid, n, avg in db.session.execute(query)]


def project_types(limit: int = 50) -> list[str]:
    query = select(Project.type).where(Project.type.is_not(None)).group_by(Project.type).order_by(Project.type)
    return list(db.session.scalars(query.limit(limit)))


def open_stage_ids() -> list[uuid.UUID]:
    return [s.id for s in stages() if s.kind == StageKind.OPEN]
