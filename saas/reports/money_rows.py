"""The money moves of a period as the dashboards see them, from the money day rollup (saas/billing/rollups.py):
the payments' side where their client is in the reader's scope (and their project of the type asked for), the
costs' side where their project is — the same conditions the payments and costs met through their invoice and
project, put on the rollup's client and project, so every reader's figures stay exact. A side whose payments or
costs were all taken back since (count 0) is left out, as the rows would be."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, true

from saas.billing.rollups import MoneyDay
from saas.billing.rollups import project as rolled_project
from saas.clients.models import Client
from saas.projects.models import Project
from saas.reports.filters import Scope
from saas.reports.periods import Period
from saas.tenants.roles import Perm, has_perm

PROJECT = rolled_project(MoneyDay.project_id)  # NULL for a payment on an invoice without a project


def paid(scope: Scope, period: Period, *columns: Any) -> Select:
    """`columns` of the rollup's rows with payments in `period`, of the clients (and project type) in scope."""
    query = select(*columns).where(period.holds(MoneyDay.day, is_date=True), MoneyDay.payments > 0)
    if scope.everything:
        return query
    return query.where(_of_clients(scope), scope.of_projects(PROJECT))


def spent(scope: Scope, period: Period, *columns: Any) -> Select:
    """`columns` of the rollup's rows with costs in `period`, of the projects in scope."""
    query = select(*columns).where(period.holds(MoneyDay.day, is_date=True), MoneyDay.spent > 0)
    if scope.everything:
        return query
    return query.where(MoneyDay.project_id.in_(select(Project.id).where(scope.projects())))


def both(scope: Scope, period: Period, *columns: Any) -> Select | None:
    """For whoever sees everything unfiltered, both sides in one read of the rollup (rows with payments or costs
    left); None for any other reader, whose sides are filtered apart (`paid`, `spent`). A side taken back to no
    payments (no costs) adds up to 0 in the row, so reading the row whole gives the same sums."""
    if not scope.everything:
        return None
    kept = (MoneyDay.payments > 0) | (MoneyDay.spent > 0)
    return select(*columns).where(period.holds(MoneyDay.day, is_date=True), kept)


def _of_clients(scope: Scope) -> Any:
    """The rollup's client in scope: one hashed set of the reader's clients (a member's 10,000) rather than a
    probe per row."""
    f = scope.filters
    if has_perm(scope.membership.role, Perm.CLIENTS_ALL) and not (f.owner or f.source):
        return true()  # as Scope.of_clients: every client is in scope
    return MoneyDay.client_id.in_(select(Client.id).where(scope.clients()))
