"""invoice list index: the list's order (latest due first) for keyset pages, led by the studio, so a page costs
the same at a million invoices as at ten thousand

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_tenant_id_due_on_number", ["tenant_id", "due_on", "number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_tenant_id_due_on_number")
