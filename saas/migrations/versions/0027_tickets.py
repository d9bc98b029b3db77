"""service tickets: tickets per client with a number per studio, priority, status, assignee, the SLA's due times
and when each breach was told; their thread (replies and internal notes); each studio's service desk settings
(business hours, SLA targets per priority, categories, the next number)

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
    )


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL")


def upgrade() -> None:
    op.create_table(
        "ticket_settings",
        sa.Column("work_days", sa.JSON(), nullable=False),
        sa.Column("day_start", sa.Time(), nullable=False),
        sa.Column("day_end", sa.Time(), nullable=False),
        sa.Column("sla", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _tenant_fk("ticket_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_ticket_settings_tenant_id")),
    )
    op.create_table(
        "tickets",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("raised_by_portal_user_id", sa.Uuid(), nullable=True),
        sa.Column("first_response_at", TZ, nullable=True),
        sa.Column("resolved_at", TZ, nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("first_response_due_at", TZ, nullable=True),
        sa.Column("resolution_due_at", TZ, nullable=True),
        sa.Column("response_breach_alerted_at", TZ, nullable=True),
        sa.Column("resolution_breach_alerted_at", TZ, nullable=True),
        sa.Column("last_reply_at", TZ, nullable=True),
        # The studio's own fields (saas.fields), as on clients and projects.
        sa.Column(
            "custom_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("tickets", "assignee_id"),
        _user_fk("tickets", "created_by_id"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_tickets_tenant_id_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name=op.f("fk_tickets_tenant_id_project_id_projects"),
        ),
        _tenant_fk("tickets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_tickets_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_tickets_tenant_id_number")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_tenant_id_client_id_created_at", ["tenant_id", "client_id", "created_at"])
        batch_op.create_index(
            "ix_tickets_tenant_id_status_resolution_due_at", ["tenant_id", "status", "resolution_due_at"]
        )
        batch_op.create_index("ix_tickets_tenant_id_assignee_id_status", ["tenant_id", "assignee_id", "status"])
    op.create_table(
        "ticket_replies",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("portal_user_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("ticket_replies", "author_id"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name=op.f("fk_ticket_replies_tenant_id_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        _tenant_fk("ticket_replies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_replies")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_ticket_replies_tenant_id_id")),
    )
    with op.batch_alter_table("ticket_replies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_replies_tenant_id_ticket_id_created_at", ["tenant_id", "ticket_id", "created_at"]
        )
    for table in ("ticket_settings", "tickets", "ticket_replies"):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("ticket_replies", "tickets", "ticket_settings"):
        disable_tenant_rls(table)
    op.drop_table("ticket_replies")
    op.drop_table("tickets")
    op.drop_table("ticket_settings")
