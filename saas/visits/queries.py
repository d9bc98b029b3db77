"""Reading visits: the office's day and week (per person or the team), and what a phone stores to work offline
— today's and tomorrow's visits, each with what it needs on site (the client and how to reach its people, the
site, open tasks, the last few follow-ups, the project's stage)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.clients.models import Client, Interaction
from saas.extensions import db
from saas.projects.models import Project, Task, TaskStatus
from saas.tenants.models import Membership, User
from saas.visits.access import visits_visible_to
from saas.visits.models import Visit

RECENT_FOLLOW_UPS = 5
PRIMED_DAYS = 2  # today and tomorrow


def day_bounds(day: date, timezone: str, days: int = 1) -> tuple[datetime, datetime]:
    """A studio day (or several) as UTC instants: a visit at 23:30 in Shanghai is on that Shanghai day."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone))
    return start, start + timedelta(days=days)


def visits_between(
    membership: Membership, start: datetime, end: datetime, assignee_id: uuid.UUID | None = None
) -> list[Visit]:
    query = select(Visit).where(
        visits_visible_to(membership), Visit.scheduled_start >= start, Visit.scheduled_start < end
    )
    if assignee_id is not None:
        query = query.where(Visit.assignee_id == assignee_id)
    return list(db.session.scalars(query.order_by(Visit.scheduled_start, Visit.id).limit(1000)))


@dataclass
class Schedule:
    """Visits of a day or a week laid out per person (rows) and per day (columns)."""

    days: list[date]
    people: list[User]
    cells: dict[tuple[uuid.UUID, date], list[Visit]] = field(default_factory=dict)


def schedule(
    membership: Membership, first: date, days: int, timezone: str, assignee_id: uuid.UUID | None = None
) -> Schedule:
    start, end = day_bounds(first, timezone, days)
    visits = visits_between(membership, start, end, assignee_id)
    zone = ZoneInfo(timezone)
    laid_out = Schedule([first + timedelta(days=n) for n in range(days)], [])
    seen: dict[uuid.UUID, User] = {}
    for visit in visits:
        seen.setdefault(visit.assignee_id, visit.assignee)
        day = visit.scheduled_start.astimezone(zone).date()
        laid_out.cells.setdefault((visit.assignee_id, day), []).append(visit)
    laid_out.people = sorted(seen.values(), key=lambda person: person.name)
    return laid_out


def field_staff() -> list[User]:
    """Who visits can be assigned to: every active member, field staff first."""
    query = (
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(Membership.role != "field", User.name)
    )
    return [user for user, _role in db.session.execute(query)]


def primed(membership: Membership, today: date, timezone: str) -> list[dict[str, Any]]:
    """The worker's visits of today and tomorrow, each with what it needs offline."""
    start, end = day_bounds(today, timezone, PRIMED_DAYS)
    query = (
        select(Visit)
        .where(Visit.assignee_id == membership.user_id, Visit.scheduled_start >= start, Visit.scheduled_start < end)
        .options(selectinload(Visit.client).selectinload(Client.contacts))
        .order_by(Visit.scheduled_start)
    )
    visits = list(db.session.scalars(query.limit(200)))
    clients = {visit.client_id for visit in visits}
    extras = _follow_ups(clients), _open_tasks(clients), _projects({v.project_id for v in visits if v.project_id})
    return [_bundle(visit, *extras) for visit in visits]


def _follow_ups(client_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Interaction]]:
    found: dict[uuid.UUID, list[Interaction]] = {}
    if not client_ids:
        return found
    query = select(Interaction).where(Interaction.client_id.in_(client_ids)).order_by(Interaction.occurred_at.desc())
    for interaction in db.session.scalars(query.limit(RECENT_FOLLOW_UPS * len(client_ids) * 4)):
        bucket = found.setdefault(interaction.client_id, [])
        if len(bucket) < RECENT_FOLLOW_UPS:
            bucket.append(interaction)
    return found


def _open_tasks(client_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Task]]:
    found: dict[uuid.UUID, list[Task]] = {}
    if not client_ids:
        return found
    query = select(Task).where(Task.client_id.in_(client_ids), Task.status == TaskStatus.OPEN).order_by(Task.due_on)
    for task in db.session.scalars(query.limit(500)):
        found.setdefault(task.client_id, []).append(task)
    return found


def _projects(project_ids: set[uuid.UUID]) -> dict[uuid.UUID, Project]:
    if not project_ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_(project_ids)))}


def _bundle(
    visit: Visit,
    follow_ups: dict[uuid.UUID, list[Interaction]],
    tasks: dict[uuid.UUID, list[Task]],
    projects: dict[uuid.UUID, Project],
) -> dict[str, Any]:
    project = projects.get(visit.project_id) if visit.project_id else None
    return {
        "visit": visit,
        "client": visit.client,
        "contacts": visit.client.contacts,
        "follow_ups": follow_ups.get(visit.client_id, []),
        "tasks": tasks.get(visit.client_id, [])[:10],
        "project": project,
    }
