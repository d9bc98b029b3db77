"""each studio's custom-field definitions carry a version on the studio row, bumped in the same transaction as
any change to them: a process keeps the definitions it read and reloads them only when the version it sees with
the studio (loaded anyway by every request) has moved

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("fields_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("tenants", "fields_version")
