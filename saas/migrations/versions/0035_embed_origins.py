"""the sites that may frame a studio's public forms (CSP frame-ancestors); empty: any site, as before

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("embed_origins", sa.String(length=1000), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("tenants", "embed_origins")
