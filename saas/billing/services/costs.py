"""Project costs: time (hours × rate) and expenses, so profit shows per project and per client."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from saas.billing.models import CostKind, ProjectCost
from saas.billing.totals import round_minor
from saas.extensions import db
from saas.projects.models import Project
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require


def add_cost(membership: Membership, project: Project, data: dict[str, Any]) -> ProjectCost:
    require(membership, Perm.PROJECTS_EDIT)
    if data["kind"] == CostKind.HOURS:
        amount = round_minor(Decimal(data["hours"]) * data["rate_minor"])
    else:
        amount = data["amount_minor"]
    cost = ProjectCost(
        project_id=project.id,
        kind=data["kind"],
        description=data["description"],
        hours=data.get("hours") if data["kind"] == CostKind.HOURS else None,
        rate_minor=data.get("rate_minor") if data["kind"] == CostKind.HOURS else None,
        amount_minor=amount,
        spent_on=data["spent_on"],
        user_id=membership.user_id,
    )
    db.session.add(cost)
    db.session.flush()
    return cost


def remove_cost(membership: Membership, cost: ProjectCost) -> None:
    require(membership, Perm.PROJECTS_EDIT)
    db.session.delete(cost)
