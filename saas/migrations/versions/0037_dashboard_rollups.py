"""the dashboards' day rollups: follow-ups counted per studio day, author and kind (saas/clients/rollups.py), money
moves per day, client and project (saas/billing/rollups.py); the dashboards and the report builder read these instead
of a million follow-ups and every payment joined to its invoice; tenant_id leads every key and index, RLS forced.
And a partial index of the open next actions for "my follow-ups due", and clients by status (saas/reports/indexes.py).
Created empty: RLS hides every studio's follow-ups from a migration, so `saas rollups rebuild` fills it (README).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follow_up_days",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("logged", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_follow_up_days_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "day", "author_id", "kind", name=op.f("pk_follow_up_days")),
    )
    op.create_index("ix_follow_up_days_tenant_id_author_id_day", "follow_up_days", ["tenant_id", "author_id", "day"])
    enable_tenant_rls("follow_up_days")
    op.create_table(
        "money_days",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("costs", sa.BigInteger(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_money_days_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "day", "client_id", "project_id", name=op.f("pk_money_days")),
    )
    enable_tenant_rls("money_days")
    op.create_index(
        "ix_interactions_tenant_id_author_id_open_due",
        "interactions",
        ["tenant_id", "author_id", "next_action_due", "client_id"],
        postgresql_where=sa.text("next_action_done_at IS NULL"),
        sqlite_where=sa.text("next_action_done_at IS NULL"),
    )
    op.create_index("ix_clients_tenant_id_status", "clients", ["tenant_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_clients_tenant_id_status", table_name="clients")
    op.drop_index("ix_interactions_tenant_id_author_id_open_due", table_name="interactions")
    disable_tenant_rls("money_days")
    op.drop_table("money_days")
    disable_tenant_rls("follow_up_days")
    op.drop_index("ix_follow_up_days_tenant_id_author_id_day", table_name="follow_up_days")
    op.drop_table("follow_up_days")
