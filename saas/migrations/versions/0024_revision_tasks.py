"""revision tasks: the working days a studio gives its designers to revise a version the client asked changes to,
and a follower on tasks (the project's owner sees the revision a colleague was asked for in their own tasks)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("proofing_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_days", sa.Integer(), nullable=False, server_default="3"))

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follower_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tasks_follower_id_users"), "users", ["follower_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(
            "ix_tasks_tenant_id_follower_id_status_due_on", ["tenant_id", "follower_id", "status", "due_on"]
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_tenant_id_follower_id_status_due_on")
        batch_op.drop_constraint(batch_op.f("fk_tasks_follower_id_users"), type_="foreignkey")
        batch_op.drop_column("follower_id")

    with op.batch_alter_table("proofing_settings", schema=None) as batch_op:
        batch_op.drop_column("revision_days")
