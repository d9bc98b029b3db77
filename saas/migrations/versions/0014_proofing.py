"""proofing and notifications: draft versions, reviewers, comments and pins, proofing settings; in-app
notifications and their delivery outbox; a stored file may belong to a draft version. RLS on each new table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0014"
down_revision = "0013"
branch_labels = None
TABLES = ("proofing_settings", "drafts", "draft_reviewers", "notifications", "deliveries", "draft_comments")
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proofing_settings",
        sa.Column("approved_stage_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_stage_id"],
            ["pipeline_stages.id"],
            name=op.f("fk_proofing_settings_approved_stage_id_pipeline_stages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_proofing_settings_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proofing_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_proofing_settings_tenant_id")),
    )
    op.create_table(
        "drafts",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_drafts_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_drafts_submitted_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_drafts_tenant_id_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_drafts_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_drafts_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "project_id", "number", name=op.f("uq_drafts_tenant_id_project_id_number")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index("ix_drafts_tenant_id_status_due_on", ["tenant_id", "status", "due_on"], unique=False)

    op.create_table(
        "draft_reviewers",
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("portal_user_id", sa.Uuid(), nullable=False),
        sa.Column("choice", sa.String(length=24), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "draft_id"],
            ["drafts.tenant_id", "drafts.id"],
            name=op.f("fk_draft_reviewers_tenant_id_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portal_user_id"],
            ["portal_users.tenant_id", "portal_users.id"],
            name=op.f("fk_draft_reviewers_tenant_id_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_draft_reviewers_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_reviewers")),
        sa.UniqueConstraint(
            "tenant_id", "draft_id", "portal_user_id", name=op.f("uq_draft_reviewers_tenant_id_draft_id_portal_user_id")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("portal_user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "portal_user_id"],
            ["portal_users.tenant_id", "portal_users.id"],
            name=op.f("fk_notifications_tenant_id_portal_user_id_portal_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_notifications_tenant_id_id")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_tenant_id_portal_user_id_created_at",
            ["tenant_id", "portal_user_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_notifications_tenant_id_user_id_created_at", ["tenant_id", "user_id", "created_at"], unique=False
        )

    op.create_table(
        "deliveries",
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "notification_id"],
            ["notifications.tenant_id", "notifications.id"],
            name=op.f("fk_deliveries_tenant_id_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_deliveries_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_tenant_id_status_next_attempt_at", ["tenant_id", "status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "draft_comments",
        sa.Column("draft_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("portal_user_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["portal_user_id"],
            ["portal_users.id"],
            name=op.f("fk_draft_comments_portal_user_id_portal_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_draft_comments_resolved_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "draft_id"],
            ["drafts.tenant_id", "drafts.id"],
            name=op.f("fk_draft_comments_tenant_id_draft_id_drafts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "file_id"],
            ["stored_files.tenant_id", "stored_files.id"],
            name=op.f("fk_draft_comments_tenant_id_file_id_stored_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["draft_comments.tenant_id", "draft_comments.id"],
            name=op.f("fk_draft_comments_tenant_id_parent_id_draft_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_draft_comments_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_draft_comments_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_comments")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_draft_comments_tenant_id_id")),
    )
    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_draft_comments_tenant_id_draft_id_created_at", ["tenant_id", "draft_id", "created_at"], unique=False
        )

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
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_stored_files_tenant_id_draft_id_drafts"), type_="foreignkey")
        batch_op.drop_index("ix_stored_files_tenant_id_draft_id")
        batch_op.drop_column("draft_id")

    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_draft_comments_tenant_id_draft_id_created_at")

    op.drop_table("draft_comments")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_tenant_id_status_next_attempt_at")

    op.drop_table("deliveries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_tenant_id_user_id_created_at")
        batch_op.drop_index("ix_notifications_tenant_id_portal_user_id_created_at")

    op.drop_table("notifications")
    op.drop_table("draft_reviewers")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_tenant_id_status_due_on")

    op.drop_table("drafts")
    op.drop_table("proofing_settings")
