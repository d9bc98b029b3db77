"""file owners: a stored file names its owner by kind and id (a project, a draft version, the studio...), so the
files layer asks a registry of owner kinds instead of knowing each one; draft_id becomes owner ('draft', id)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import across_studios

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
    with across_studios("stored_files"):
        op.execute(
            "UPDATE stored_files SET owner_kind = CASE WHEN draft_id IS NOT NULL THEN 'draft' "
            "WHEN project_id IS NOT NULL THEN 'project' ELSE 'studio' END, "
            "owner_id = COALESCE(draft_id, project_id, tenant_id)"
        )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.alter_column("owner_kind", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(
            "ix_stored_files_tenant_id_owner_kind_owner_id", ["tenant_id", "owner_kind", "owner_id"], unique=False
        )
        batch_op.drop_constraint(batch_op.f("fk_stored_files_tenant_id_draft_id_drafts"), type_="foreignkey")
        batch_op.drop_index("ix_stored_files_tenant_id_draft_id")
        batch_op.drop_column("draft_id")


def downgrade() -> None:
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_stored_files_tenant_id_draft_id", ["tenant_id", "draft_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stored_files_tenant_id_draft_id_drafts"),
            "drafts",
            ["tenant_id", "draft_id"],
            ["tenant_id", "id"],
            ondelete="CASCADE",
        )
    with across_studios("stored_files"):
        op.execute("UPDATE stored_files SET draft_id = owner_id WHERE owner_kind = 'draft'")
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_files_tenant_id_owner_kind_owner_id")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("owner_kind")
