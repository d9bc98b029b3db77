"""saved reports of the report builder: a name, a definition, where it is pinned; tenant_id leads every key and
index, RLS forced.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved_reports",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("pinned_personal", sa.Boolean(), nullable=False),
        sa.Column("pinned_studio", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_saved_reports_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_saved_reports_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reports")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_saved_reports_tenant_id_id")),
    )
    op.create_index("ix_saved_reports_tenant_id_owner_id", "saved_reports", ["tenant_id", "owner_id"])
    op.create_index("ix_saved_reports_tenant_id_pinned_studio", "saved_reports", ["tenant_id", "pinned_studio"])
    enable_tenant_rls("saved_reports")


def downgrade() -> None:
    disable_tenant_rls("saved_reports")
    op.drop_index("ix_saved_reports_tenant_id_pinned_studio", table_name="saved_reports")
    op.drop_index("ix_saved_reports_tenant_id_owner_id", table_name="saved_reports")
    op.drop_table("saved_reports")
