"""public forms: a studio's forms and their questions, what visitors submitted, and the forms sent to a client
for a project; tenant_id leads every key and index, RLS forced on each table. (Numbered 0028 after custom
fields' 0026 and tickets' 0027, built at the same time; whoever merges re-chains down_revision.)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TABLES = ("forms", "form_questions", "form_submissions", "form_requests")


def upgrade() -> None:
    op.create_table(
        "forms",
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("intro_en", sa.Text(), nullable=False),
        sa.Column("intro_zh", sa.Text(), nullable=False),
        sa.Column("thanks_en", sa.Text(), nullable=False),
        sa.Column("thanks_zh", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=80), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_forms_owner_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_forms_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forms")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_forms_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "slug", name=op.f("uq_forms_tenant_id_slug")),
    )
    op.create_index("ix_forms_tenant_id_status", "forms", ["tenant_id", "status"], unique=False)
    op.create_table(
        "form_questions",
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("label_en", sa.String(length=300), nullable=False),
        sa.Column("label_zh", sa.String(length=300), nullable=False),
        sa.Column("help_en", sa.String(length=500), nullable=False),
        sa.Column("help_zh", sa.String(length=500), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "form_id"],
            ["forms.tenant_id", "forms.id"],
            name=op.f("fk_form_questions_tenant_id_form_id_forms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_form_questions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_questions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_form_questions_tenant_id_id")),
    )
    op.create_index(
        "ix_form_questions_tenant_id_form_id_position",
        "form_questions",
        ["tenant_id", "form_id", "position"],
        unique=False,
    )
    op.create_table(
        "form_submissions",
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("asked", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("interaction_id", sa.Uuid(), nullable=True),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("portal_user_id", sa.Uuid(), nullable=True),
        sa.Column("nps", sa.Integer(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "form_id"],
            ["forms.tenant_id", "forms.id"],
            name=op.f("fk_form_submissions_tenant_id_form_id_forms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_form_submissions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_form_submissions_tenant_id_id")),
    )
    op.create_index(
        "ix_form_submissions_tenant_id_form_id_submitted_at",
        "form_submissions",
        ["tenant_id", "form_id", "submitted_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_form_submissions_tenant_id_project_id", "form_submissions", ["tenant_id", "project_id"], unique=False
    )
    op.create_table(
        "form_requests",
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),  # feedback on a closed ticket (saas.tickets)
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("sent_by_id", sa.Uuid(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_form_requests_sent_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "form_id"],
            ["forms.tenant_id", "forms.id"],
            name=op.f("fk_form_requests_tenant_id_form_id_forms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_form_requests_tenant_id_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_form_requests_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_requests")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_form_requests_tenant_id_id")),
    )
    op.create_index(
        "ix_form_requests_tenant_id_client_id_answered_at",
        "form_requests",
        ["tenant_id", "client_id", "answered_at"],
        unique=False,
    )
    op.create_index("ix_form_requests_tenant_id_project_id", "form_requests", ["tenant_id", "project_id"], unique=False)
    op.create_index("ix_form_requests_tenant_id_ticket_id", "form_requests", ["tenant_id", "ticket_id"], unique=False)
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_form_requests_tenant_id_ticket_id", table_name="form_requests")
    op.drop_index("ix_form_requests_tenant_id_project_id", table_name="form_requests")
    op.drop_index("ix_form_requests_tenant_id_client_id_answered_at", table_name="form_requests")
    op.drop_table("form_requests")
    op.drop_index("ix_form_submissions_tenant_id_project_id", table_name="form_submissions")
    op.drop_index("ix_form_submissions_tenant_id_form_id_submitted_at", table_name="form_submissions")
    op.drop_table("form_submissions")
    op.drop_index("ix_form_questions_tenant_id_form_id_position", table_name="form_questions")
    op.drop_table("form_questions")
    op.drop_index("ix_forms_tenant_id_status", table_name="forms")
    op.drop_table("forms")
