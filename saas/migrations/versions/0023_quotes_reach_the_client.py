"""quotes reach the client: when a sent quote was first and last opened in the portal (and by whom), and the
studio's choice to send the deposit invoice by itself when a client accepts a quote (its share and due days)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portal_first_opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("portal_last_opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("portal_opened_by", sa.String(length=120), nullable=True))

    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("send_deposit_on_acceptance", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deposit_percent", sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column("deposit_due_days", sa.Integer(), nullable=False, server_default="7"))


def downgrade() -> None:
    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.drop_column("deposit_due_days")
        batch_op.drop_column("deposit_percent")
        batch_op.drop_column("send_deposit_on_acceptance")

    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("portal_opened_by")
        batch_op.drop_column("portal_last_opened_at")
        batch_op.drop_column("portal_first_opened_at")
