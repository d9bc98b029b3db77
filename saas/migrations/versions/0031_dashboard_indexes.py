"""dashboard indexes: each led by tenant_id, then the column a dashboard cuts its period on (why each, from the
benchmark's plans: saas/reports/indexes.py)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_interactions_tenant_id_occurred_at_author_id", "interactions", ["tenant_id", "occurred_at", "author_id"]),
    (
        "ix_interactions_tenant_id_author_id_next_action_done_at",
        "interactions",
        ["tenant_id", "author_id", "next_action_done_at"],
    ),
    ("ix_quotes_tenant_id_project_id", "quotes", ["tenant_id", "project_id"]),
    ("ix_contracts_tenant_id_project_id", "contracts", ["tenant_id", "project_id"]),
    ("ix_contracts_tenant_id_signed_on", "contracts", ["tenant_id", "signed_on"]),
    ("ix_payments_tenant_id_paid_on", "payments", ["tenant_id", "paid_on"]),
    ("ix_project_costs_tenant_id_spent_on", "project_costs", ["tenant_id", "spent_on"]),
    ("ix_clients_tenant_id_created_at", "clients", ["tenant_id", "created_at"]),
    ("ix_projects_tenant_id_created_at", "projects", ["tenant_id", "created_at"]),
    ("ix_projects_tenant_id_closed_at", "projects", ["tenant_id", "closed_at"]),
    ("ix_stage_changes_tenant_id_created_at", "stage_changes", ["tenant_id", "created_at"]),
    ("ix_tickets_tenant_id_created_at", "tickets", ["tenant_id", "created_at"]),
    ("ix_form_submissions_tenant_id_submitted_at", "form_submissions", ["tenant_id", "submitted_at"]),
    ("ix_client_events_tenant_id_kind_created_at", "client_events", ["tenant_id", "kind", "created_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
