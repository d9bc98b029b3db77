"""a ticket's resolution clock stops while it waits on the client: since when it waits, and the business hours
waited so far

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import across_studios

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("tickets", sa.Column("waiting_since", TZ, nullable=True))
    op.add_column("tickets", sa.Column("sla_paused_hours", sa.Float(), nullable=False, server_default="0"))
    # A ticket already waiting when this runs starts its pause now: nothing before is known.
    with across_studios("tickets"):
        op.execute("UPDATE tickets SET waiting_since = CURRENT_TIMESTAMP WHERE status = 'waiting'")


def downgrade() -> None:
    op.drop_column("tickets", "sla_paused_hours")
    op.drop_column("tickets", "waiting_since")
