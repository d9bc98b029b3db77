"""exports: one row per export of a list (who, which list and filters, format, state, the file of a large one
and when its link expires); tenant_id leads its key and index, RLS forced. Also the payments list's keyset
index, (tenant_id, paid_on, id), which the new payments page and its export read along.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("list_name", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("file_key", sa.String(length=300), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("expires_at", TZ, nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_exports_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_exports_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_exports_tenant_id_id")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index("ix_exports_tenant_id_user_id_created_at", ["tenant_id", "user_id", "created_at"])
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_tenant_id_paid_on_id", ["tenant_id", "paid_on", "id"])
    enable_tenant_rls("exports")


def downgrade() -> None:
    disable_tenant_rls("exports")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_tenant_id_paid_on_id")
    op.drop_table("exports")
