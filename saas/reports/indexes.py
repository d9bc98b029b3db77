"""The indexes the dashboards' statements need, declared here on the domains' tables (saas/models.py imports this,
so models and migrations agree) and created by migration 0031_dashboard_indexes.

Why each, from the plans of bench/bench_dashboards.py (100,000 clients, 1,000,000 follow-ups, 100,000 invoices):
every widget reads a period of one studio, so each index leads with tenant_id, then the column the period is
cut on. Without them each period filter was a sequential scan of the whole table (all studios' rows).

- interactions (tenant_id, occurred_at, author_id): follow-ups per person over a year read half of a million rows:
  a parallel seq scan of 1,000,000 (400 ms loaded) becomes an index-only range scan grouped by author.
- interactions (tenant_id, author_id, next_action_done_at): "my next actions done in the period" read all of a
  person's 100,000 follow-ups from the heap to filter on the day done (240 ms cold); now a range of the index.
- interactions (tenant_id, author_id, next_action_due, client_id) WHERE next_action_done_at IS NULL (0037): "my
  follow-ups due" of a member with 100,000 follow-ups fetched 38,000 rows from 8,000 heap pages to keep the 19,000
  still open (45 ms of the widget's 146 in the plan); the partial index holds only the open ones, with the client
  the visibility check needs.
- clients (tenant_id, status) (0037): client value's "signed now" counted the studio's 100,000 clients one by one
  (32 ms of the widget under load); an index-only count of the signed ones instead.
- quotes / contracts (tenant_id, project_id): the project funnel asks, per project opened in the period, whether
  a quote went out and a contract was signed: without them, hashed subplans over every quote and contract
  (800 ms); with them, an index probe per project.
- payments (tenant_id, paid_on), project_costs (tenant_id, spent_on): money per month and profit per client.
- clients / projects (tenant_id, created_at), projects (tenant_id, closed_at), stage_changes (tenant_id,
  created_at), contracts (tenant_id, signed_on), tickets (tenant_id, created_at), form_submissions (tenant_id,
  submitted_at), client_events (tenant_id, kind, created_at): the cohort, cycle, stage-time, leaderboard,
  service-time, NPS/CSAT and churn figures of a period.
"""

from __future__ import annotations

from sqlalchemy import Index

from saas.billing.models import Contract, Payment, ProjectCost, Quote
from saas.clients.models import Client, ClientEvent, Interaction
from saas.forms.models import Submission
from saas.projects.models import Project, StageChange
from saas.tickets.models import Ticket

DASHBOARD_INDEXES = (
    Index(
        "ix_interactions_tenant_id_occurred_at_author_id",
        Interaction.tenant_id,
        Interaction.occurred_at,
        Interaction.author_id,
    ),
    Index(
        "ix_interactions_tenant_id_author_id_next_action_done_at",
        Interaction.tenant_id,
        Interaction.author_id,
        Interaction.next_action_done_at,
    ),
    Index(  # migrations 0037, 0042: "my follow-ups due" reads only the open next actions, client included, from
        # the index; "open" as My follow-ups lists them: not done, with an action to do
        "ix_interactions_tenant_id_author_id_open_due",
        Interaction.tenant_id,
        Interaction.author_id,
        Interaction.next_action_due,
        Interaction.client_id,
        postgresql_where=Interaction.next_action_done_at.is_(None) & Interaction.next_action.is_not(None),
        sqlite_where=Interaction.next_action_done_at.is_(None) & Interaction.next_action.is_not(None),
    ),
    Index("ix_clients_tenant_id_status", Client.tenant_id, Client.status),  # migration 0037
    Index("ix_quotes_tenant_id_project_id", Quote.tenant_id, Quote.project_id),
    Index("ix_contracts_tenant_id_project_id", Contract.tenant_id, Contract.project_id),
    Index("ix_contracts_tenant_id_signed_on", Contract.tenant_id, Contract.signed_on),
    Index("ix_payments_tenant_id_paid_on", Payment.tenant_id, Payment.paid_on),
    Index("ix_project_costs_tenant_id_spent_on", ProjectCost.tenant_id, ProjectCost.spent_on),
    Index("ix_clients_tenant_id_created_at", Client.tenant_id, Client.created_at),
    Index("ix_projects_tenant_id_created_at", Project.tenant_id, Project.created_at),
    Index("ix_projects_tenant_id_closed_at", Project.tenant_id, Project.closed_at),
    Index("ix_stage_changes_tenant_id_created_at", StageChange.tenant_id, StageChange.created_at),
    Index("ix_tickets_tenant_id_created_at", Ticket.tenant_id, Ticket.created_at),
    Index("ix_form_submissions_tenant_id_submitted_at", Submission.tenant_id, Submission.submitted_at),
    Index(
        "ix_client_events_tenant_id_kind_created_at", ClientEvent.tenant_id, ClientEvent.kind, ClientEvent.created_at
    ),
)
