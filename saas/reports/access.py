"""Who sees which dashboard and which of its widgets.

The studio board is for owners, admins and managers (Perm.REPORTS_STUDIO); everyone has a personal board. Inside a
board, every figure is computed over what the reader may see (saas/reports/filters.py `Scope`), and the widgets
follow the roles' sides of a client: finance sees the money and the commercial figures, never the relationship
side (follow-ups, tickets, feedback); field staff get their own day (visits, follow-ups) and nothing of the money.
"""

from __future__ import annotations

from typing import Literal

from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm

Widget = Literal["funnel", "health", "value", "money", "team", "mine", "pipeline", "visits"]


def sees_studio_board(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.REPORTS_STUDIO)


def sees_relationship(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.CLIENTS_RELATIONSHIP)


def sees_money(membership: Membership) -> bool:
    """Invoices and payments: finance and the leads by their role, members for the clients they see (documents
    are visible with their client), never field staff."""
    return has_perm(membership.role, Perm.INVOICES) or has_perm(membership.role, Perm.QUOTES)


def studio_widgets(membership: Membership) -> list[Widget]:
    return ["funnel", "health", "value", "money", "team"] if sees_studio_board(membership) else []


def personal_widgets(membership: Membership) -> list[Widget]:
    """Field staff: their visits and follow-ups. Members: their pipeline, follow-ups and numbers, their funnel and
    their clients' money. Finance: the money and the team's signed amounts, nothing of the relationship."""
    role = membership.role
    widgets: list[Widget] = []
    if has_perm(role, Perm.VISITS_RECORD) and not has_perm(role, Perm.PROJECTS_EDIT):
        widgets.append("visits")
    if sees_relationship(membership):
        widgets.append("mine")
    if has_perm(role, Perm.PROJECTS_EDIT):
        widgets += ["pipeline", "funnel"]
    if sees_money(membership):
        widgets.append("money")
    return widgets


def personal_is_own(membership: Membership) -> bool:
    """Whether the personal board counts only the reader's own records (everyone who owns clients), or, for
    finance, who owns none, the money of every client they see."""
    return sees_relationship(membership)
