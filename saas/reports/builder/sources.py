"""The seven sources of the builder: clients, projects, follow-ups, invoices, payments, tickets, visits. Each says
which of its rows a person sees through the domain's own access rule, so a report never counts more than the
lists show. Finance works with the money sources only (invoices, payments): the others are the relationship side.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import ColumnElement, and_, exists, func, select, true

from saas.billing.models import Invoice, Payment
from saas.clients.access import client_id_visible_to, visible_to
from saas.clients.models import Client, Interaction
from saas.clients.rollups import FollowUpDay, author
from saas.extensions import db
from saas.projects.access import projects_visible_to
from saas.projects.models import PipelineStage, Project
from saas.reports.builder import labels
from saas.reports.builder.registry import (
    Context,
    DateField,
    Dimension,
    Expr,
    Names,
    Number,
    Rollup,
    Source,
    column,
    register,
)
from saas.tenants.models import Membership, User
from saas.tenants.roles import Perm, has_perm
from saas.tickets.access import tickets_visible_to
from saas.tickets.models import Ticket
from saas.tickets.settings import category_label
from saas.visits.access import visits_visible_to
from saas.visits.models import Visit


def relationship_side(membership: Membership) -> bool:
    """Clients, projects, follow-ups, tickets and visits: not finance, who works with money alone."""
    return has_perm(membership.role, Perm.CLIENTS_RELATIONSHIP)


def anyone_building(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.REPORTS_BUILD)


def coded(words: labels.Names) -> Names:
    """Known codes in their declared order, then whatever else is stored, as it is."""

    def names(values: list[Any]) -> dict[Any, str]:
        known = words()
        found = {v: known[v] for v in known if v in values}
        found.update({v: str(v) for v in values if v not in found and v is not None})
        return found

    return names


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None  # a custom "member" value that is not an id: shown as it is


def people(values: list[Any]) -> dict[Any, str]:
    ids = [_uuid(v) for v in values if v is not None]
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {str(user_id): name for user_id, name in rows}


def stages(values: list[Any]) -> dict[Any, str]:
    rows = db.session.execute(select(PipelineStage.id, PipelineStage.name).order_by(PipelineStage.position))
    return {str(stage_id): name for stage_id, name in rows if str(stage_id) in {str(v) for v in values}}


def ticket_categories(values: list[Any]) -> dict[Any, str]:
    return {v: category_label(v) for v in values if v is not None}


def hours_between(start: Any, end: Any) -> Expr:
    """Hours from `start` to `end` (null while `end` is null)."""

    def expr(ctx: Context) -> ColumnElement[Any]:
        if ctx.dialect == "postgresql":
            return func.extract("epoch", end - start) / 3600.0
        return (func.julianday(end) - func.julianday(start)) * 24.0

    return expr


def payments_visible_to(membership: Membership) -> ColumnElement[bool]:
    """A payment is seen with its invoice, and an invoice with its client."""
    if has_perm(membership.role, Perm.CLIENTS_ALL):
        return true()
    invoice = select(Invoice.id).where(
        Invoice.id == Payment.invoice_id, client_id_visible_to(membership, Invoice.client_id)
    )
    return exists(invoice)


def current_clients(membership: Membership) -> ColumnElement[bool]:
    """The clients a person sees, current ones only: a report counts what the client list shows by default (its
    points link there), and an archived client is out of the studio's day-to-day figures."""
    return and_(visible_to(membership), Client.archived_at.is_(None))


def current_projects(membership: Membership) -> ColumnElement[bool]:
    """The projects a person sees, current ones only, as the project list shows them by default."""
    return and_(projects_visible_to(membership), Project.archived_at.is_(None))


def _owner(col: Any) -> Dimension:
    return Dimension("owner", lambda: _("Owner"), column(col), people)


def _text(key: str, label: Any, col: Any) -> Dimension:
    return Dimension(key, label, column(col))


register(
    Source(
        key="clients",
        label=lambda: _("Clients"),
        model=Client,
        main_date=DateField("created", lambda: _("Created"), Client.created_at),
        visible=current_clients,
        may_use=relationship_side,
        dates=(DateField("last_contact", lambda: _("Last contact"), Client.last_contact_at),),
        dimensions=(
            Dimension("status", lambda: _("Status"), column(Client.status), coded(labels.client_status), True),
            _text("source", lambda: _("Source"), Client.source),
            _owner(Client.owner_id),
            _text("industry", lambda: _("Industry"), Client.industry),
            _text("region", lambda: _("Region"), Client.region),
            Dimension("kind", lambda: _("Company or person"), column(Client.kind), coded(labels.client_kind), True),
        ),
        custom_entity="client",
    )
)

register(
    Source(
        key="projects",
        label=lambda: _("Projects"),
        model=Project,
        main_date=DateField("created", lambda: _("Created"), Project.created_at),
        visible=current_projects,
        may_use=relationship_side,
        numbers=(
            Number("budget", lambda: _("Budget"), column(Project.budget_minor), "money"),
            Number("value", lambda: _("Value"), column(Project.value_minor), "money"),
            Number("probability", lambda: _("Probability, in percent"), column(Project.probability)),
        ),
        dates=(
            DateField("due", lambda: _("Due"), Project.due_on, utc=False),
            DateField("closed", lambda: _("Closed"), Project.closed_at),
        ),
        dimensions=(
            Dimension("stage", lambda: _("Stage"), column(Project.stage_id), stages, True),
            _text("type", lambda: _("Type"), Project.type),
            _owner(Project.owner_id),
        ),
        custom_entity="project",
    )
)

register(
    Source(
        key="follow_ups",
        label=lambda: _("Follow-ups"),
        model=Interaction,
        main_date=DateField("occurred", lambda: _("Date"), Interaction.occurred_at),
        visible=lambda m: client_id_visible_to(m, Interaction.client_id),
        may_use=relationship_side,
        dimensions=(
            Dimension("kind", lambda: _("Kind"), column(Interaction.kind), coded(labels.interaction_kind), True),
            Dimension("owner", lambda: _("Logged by"), column(Interaction.author_id), people),
        ),
        rollup=Rollup(
            model=FollowUpDay,
            day=FollowUpDay.day,
            count=FollowUpDay.logged,
            dimensions={"kind": column(FollowUpDay.kind), "owner": column(author(FollowUpDay.author_id))},
            exact_for=lambda m: has_perm(m.role, Perm.CLIENTS_ALL),  # whom client_id_visible_to lets see every row
        ),
    )
)

register(
    Source(
        key="invoices",
        label=lambda: _("Invoices"),
        model=Invoice,
        main_date=DateField("created", lambda: _("Issued"), Invoice.created_at),
        visible=lambda m: client_id_visible_to(m, Invoice.client_id),
        may_use=anyone_building,
        numbers=(
            Number("amount", lambda: _("Amount"), column(Invoice.amount_minor), "money"),
            Number("paid", lambda: pgettext("amount", "Paid"), column(Invoice.paid_minor), "money"),
        ),
        dates=(DateField("due", lambda: _("Due"), Invoice.due_on, utc=False),),
        dimensions=(
            Dimension("status", lambda: _("Status"), column(Invoice.status), coded(labels.invoice_status), True),
            Dimension("kind", lambda: _("Kind"), column(Invoice.kind), coded(labels.invoice_kind), True),
        ),
    )
)

register(
    Source(
        key="payments",
        label=lambda: _("Payments"),
        model=Payment,
        main_date=DateField("paid", lambda: _("Paid on"), Payment.paid_on, utc=False),
        visible=payments_visible_to,
        may_use=anyone_building,
        numbers=(Number("amount", lambda: _("Amount"), column(Payment.amount_minor), "money"),),
        dimensions=(
            Dimension("method", lambda: _("Method"), column(Payment.method), coded(labels.payment_method), True),
        ),
    )
)

register(
    Source(
        key="tickets",
        label=lambda: _("Tickets"),
        model=Ticket,
        main_date=DateField("created", lambda: _("Raised"), Ticket.created_at),
        visible=tickets_visible_to,
        may_use=relationship_side,
        numbers=(
            Number(
                "response_hours",
                lambda: _("Hours to first response"),
                hours_between(Ticket.created_at, Ticket.first_response_at),
                "hours",
            ),
            Number(
                "resolution_hours",
                lambda: _("Hours to resolution"),
                hours_between(Ticket.created_at, Ticket.resolved_at),
                "hours",
            ),
        ),
        dates=(DateField("resolved", lambda: _("Resolved"), Ticket.resolved_at),),
        dimensions=(
            Dimension("status", lambda: _("Status"), column(Ticket.status), coded(labels.ticket_status), True),
            Dimension("priority", lambda: _("Priority"), column(Ticket.priority), coded(labels.ticket_priority), True),
            Dimension("category", lambda: _("Category"), column(Ticket.category), ticket_categories),
            Dimension("source", lambda: _("How it came in"), column(Ticket.source), coded(labels.ticket_source)),
            Dimension("owner", lambda: _("Assignee"), column(Ticket.assignee_id), people),
        ),
        custom_entity="ticket",
    )
)

register(
    Source(
        key="visits",
        label=lambda: _("Visits"),
        model=Visit,
        main_date=DateField("scheduled", lambda: _("Scheduled"), Visit.scheduled_start),
        visible=visits_visible_to,
        may_use=relationship_side,
        numbers=(
            Number(
                "hours_on_site",
                lambda: _("Hours on site"),
                hours_between(Visit.check_in_at, Visit.check_out_at),
                "hours",
            ),
        ),
        dimensions=(
            Dimension("status", lambda: _("Status"), column(Visit.status), coded(labels.visit_status), True),
            Dimension("owner", lambda: _("Assigned to"), column(Visit.assignee_id), people),
        ),
    )
)
