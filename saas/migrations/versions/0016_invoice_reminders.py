"""invoice reminders and approval-gated billing: when a studio reminds clients of open invoices (days from the due
date), which reminders an invoice has had and when, and the draft whose approval sends an invoice

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_days", sa.JSON(), nullable=False, server_default="[-3, 0, 7]"))

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_on_draft_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("reminders_sent", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("reminded_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_release_on_draft_id_drafts"),
            "drafts",
            ["release_on_draft_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invoices_release_on_draft_id_drafts"), type_="foreignkey")
        batch_op.drop_column("reminded_on")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("release_on_draft_id")

    with op.batch_alter_table("billing_settings", schema=None) as batch_op:
        batch_op.drop_column("reminder_days")
