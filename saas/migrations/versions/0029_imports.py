"""imports of clients: each upload with its mapping, progress and outcome; what each row did (for the failed rows'
file and for undo); the studio's external ids of its clients (upserts by a later file)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
TABLES = ("client_imports", "import_rows", "client_external_ids")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "client_imports",
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("delimiter", sa.String(length=2), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("duplicates", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("done_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("undone_at", TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_client_imports_created_by_id_users"), ondelete="SET NULL"
        ),
        _tenant_fk("client_imports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_imports")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_client_imports_tenant_id_id")),
    )
    op.create_index("ix_client_imports_tenant_id_created_at", "client_imports", ["tenant_id", "created_at"])
    op.create_table(
        "import_rows",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("version_after", sa.Integer(), nullable=True),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("added_contact_id", sa.Uuid(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "import_id"],
            ["client_imports.tenant_id", "client_imports.id"],
            name=op.f("fk_import_rows_tenant_id_import_id_client_imports"),
            ondelete="CASCADE",
        ),
        _tenant_fk("import_rows"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_rows")),
    )
    op.create_index(
        "ix_import_rows_tenant_id_import_id_outcome", "import_rows", ["tenant_id", "import_id", "outcome", "row_number"]
    )
    op.create_table(
        "client_external_ids",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_client_external_ids_tenant_id_client_id_clients"),
            ondelete="CASCADE",
        ),
        _tenant_fk("client_external_ids"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_external_ids")),
        sa.UniqueConstraint("tenant_id", "external_id", name=op.f("uq_client_external_ids_tenant_id_external_id")),
    )
    op.create_index("ix_client_external_ids_tenant_id_client_id", "client_external_ids", ["tenant_id", "client_id"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
