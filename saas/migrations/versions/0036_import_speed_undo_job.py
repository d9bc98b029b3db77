"""imports: the undo runs as a job with its progress (trail rows undone of all, the last row undone, why it stopped)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

COUNTERS = ("undo_total", "undo_done", "undo_row")


def upgrade() -> None:
    for name in COUNTERS:
        op.add_column("client_imports", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    op.add_column("client_imports", sa.Column("undo_error", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("client_imports", "undo_error")
    for name in reversed(COUNTERS):
        op.drop_column("client_imports", name)
