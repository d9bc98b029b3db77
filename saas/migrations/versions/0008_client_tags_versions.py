"""clients: a row per tag (exact filters, counts), versions on contacts and follow-ups, source/industry indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_tags",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_client_tags_tenant_id_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_client_tags_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_tags")),
        sa.UniqueConstraint("tenant_id", "client_id", "tag", name=op.f("uq_client_tags_tenant_id_client_id_tag")),
    )
    op.create_index("ix_client_tags_tenant_id_tag", "client_tags", ["tenant_id", "tag", "client_id"], unique=False)
    enable_tenant_rls("client_tags")
    _backfill_tags()
    for table in ("contacts", "interactions"):
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_index("ix_clients_tenant_id_source", "clients", ["tenant_id", "source"], unique=False)
    op.create_index("ix_clients_tenant_id_industry", "clients", ["tenant_id", "industry"], unique=False)


def _backfill_tags() -> None:
    """Existing clients keep their tags: one row per distinct tag of the JSON column. (Runs as the owner role,
    which RLS does not restrict, so every studio is covered.)"""
    bind = op.get_bind()
    table = sa.table(
        "client_tags",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_id", sa.Uuid()),
        sa.column("client_id", sa.Uuid()),
        sa.column("tag", sa.String()),
    )
    clients = sa.table("clients", sa.column("tenant_id", sa.Uuid()), sa.column("id", sa.Uuid()), sa.column("tags"))
    rows = []
    for tenant_id, client_id, tags in bind.execute(sa.select(clients.c.tenant_id, clients.c.id, clients.c.tags)):
        values = json.loads(tags) if isinstance(tags, str) else tags or []
        for tag in dict.fromkeys(values):
            rows.append({"id": uuid.uuid4(), "tenant_id": tenant_id, "client_id": client_id, "tag": tag[:40]})
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_clients_tenant_id_industry", table_name="clients")
    op.drop_index("ix_clients_tenant_id_source", table_name="clients")
    for table in ("interactions", "contacts"):
        op.drop_column(table, "version")
    disable_tenant_rls("client_tags")
    op.drop_table("client_tags")
