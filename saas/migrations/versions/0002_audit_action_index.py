"""audit trail: index for filtering by action, newest first

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_events_tenant_id_action_created_at",
        "audit_events",
        ["tenant_id", "action", "created_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_tenant_id_action_created_at", table_name="audit_events")
