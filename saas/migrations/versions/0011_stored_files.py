"""files: stored files (drafts, attachments) with their checked content type and previews; RLS

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("declared_type", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("previews", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stored_files_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_stored_files_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_stored_files_tenant_id_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_stored_files_tenant_id_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_stored_files_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_stored_files_tenant_id_key")),
    )
    op.create_index(
        "ix_stored_files_tenant_id_purpose_created_at", "stored_files", ["tenant_id", "purpose", "created_at"]
    )
    op.create_index("ix_stored_files_tenant_id_project_id", "stored_files", ["tenant_id", "project_id"])
    enable_tenant_rls("stored_files")


def downgrade() -> None:
    disable_tenant_rls("stored_files")
    op.drop_table("stored_files")
