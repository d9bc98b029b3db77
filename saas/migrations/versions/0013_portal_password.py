"""portal: an optional password for portal users (the e-mail link stays the default way in)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode so SQLite (which cannot alter most of a table in place) gets the same column
    with op.batch_alter_table("portal_users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_users") as batch:
        batch.drop_column("password_hash")
