"""A person's day on the workspace home: what is due or waiting on them, read from each domain for their role —
follow-ups and tasks due, versions out with clients, quotes awaiting an answer, approvals waiting for them,
overdue invoices. Nothing here decides anything; it only gathers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from saas.billing import queries as billing
from saas.billing.models import Contract, Invoice, Quote
from saas.billing.services import contracts
from saas.clients import queries as clients
from saas.clients.models import Interaction
from saas.projects import queries as projects
from saas.projects.models import Task
from saas.proofing import queries as proofing
from saas.proofing.models import Draft
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm
from saas.visits import queries as visits
from saas.visits.models import Visit

SHOWN = 8


@dataclass
class Day:
    follow_ups: list[Interaction] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)  # overdue, today, then the coming week
    drafts: list[Draft] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)  # sent, waiting for the client's answer
    approvals: list[Quote | Contract] = field(default_factory=list)
    overdue: list[Invoice] = field(default_factory=list)
    overdue_total: int = 0
    visits: list[Visit] = field(default_factory=list)  # the person's own visits of the day, in their order

    @property
    def empty(self) -> bool:
        found = self.follow_ups or self.tasks or self.drafts or self.quotes or self.approvals or self.overdue
        return not (found or self.visits)


def my_day(membership: Membership, today: date, timezone: str) -> Day:
    role = membership.role
    day = Day()
    if has_perm(role, Perm.VISITS_RECORD):
        start, end = visits.day_bounds(today, timezone)
        day.visits = visits.visits_between(membership, start, end, assignee_id=membership.user_id)
    if has_perm(role, Perm.CLIENTS_RELATIONSHIP):
        day.follow_ups = clients.follow_ups(membership, today)[:SHOWN]
    soon = today + timedelta(days=7)
    open_tasks = projects.open_tasks_of(membership, limit=50)
    day.tasks = [t for t in open_tasks if t.due_on is not None and t.due_on <= soon][:SHOWN]
    if has_perm(role, Perm.PROJECTS_EDIT):
        day.drafts = proofing.waiting_for_clients(membership, SHOWN)
    if has_perm(role, Perm.QUOTES):
        day.quotes = [q for q in billing.quotes(membership, "sent") if not q.is_expired(today)][:SHOWN]
    if has_perm(role, Perm.DISCOUNTS):
        day.approvals += billing.quotes(membership, "pending_approval")[:SHOWN]
    day.approvals += [c for c in billing.awaiting(membership) if contracts.can_decide(membership, c)][:SHOWN]
    if has_perm(role, Perm.QUOTES) or has_perm(role, Perm.INVOICES):
        day.overdue, day.overdue_total = billing.overdue(membership, today, SHOWN)
    return day
