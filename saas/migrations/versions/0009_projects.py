"""projects: pipeline stages (seeded for every studio), projects, their teams, stage changes, tasks; RLS on each

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from saas.projects.defaults import DEFAULT_STAGES, stage_name
from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("pipeline_stages", "projects", "project_members", "stage_changes", "tasks")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def _common() -> list[sa.Column]:
    return [sa.Column("tenant_id", sa.Uuid(), nullable=False), sa.Column("id", sa.Uuid(), nullable=False)]


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "pipeline_stages",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_common(),
        _created(),
        _tenant_fk("pipeline_stages"),
        sa.PrimaryKeyConstraint("id", name="pk_pipeline_stages"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_pipeline_stages_tenant_id_id"),
    )
    op.create_index("ix_pipeline_stages_tenant_id_position", "pipeline_stages", ["tenant_id", "position"])
    _create_projects()
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        *_common(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name="fk_project_members_tenant_id_project_id_projects",
            ondelete="CASCADE",
        ),
        _tenant_fk("project_members"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_project_members_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_project_members"),
        sa.UniqueConstraint(
            "tenant_id", "project_id", "user_id", name="uq_project_members_tenant_id_project_id_user_id"
        ),
    )
    op.create_index("ix_project_members_tenant_id_user_id", "project_members", ["tenant_id", "user_id"])
    _create_stage_changes()
    _create_tasks()
    for table in TABLES:
        enable_tenant_rls(table)
    _seed_pipelines()


def _create_projects() -> None:
    op.create_table(
        "projects",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("budget_minor", sa.BigInteger(), nullable=True),
        sa.Column("value_minor", sa.BigInteger(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("brief", sa.JSON(), nullable=False),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_common(),
        _created(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name="fk_projects_tenant_id_client_id_clients",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "stage_id"],
            ["pipeline_stages.tenant_id", "pipeline_stages.id"],
            name="fk_projects_tenant_id_stage_id_pipeline_stages",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_projects_owner_id_users", ondelete="SET NULL"),
        _tenant_fk("projects"),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_projects_tenant_id_id"),
    )
    op.create_index("ix_projects_tenant_id_stage_id_due_on", "projects", ["tenant_id", "stage_id", "due_on"])
    op.create_index("ix_projects_tenant_id_client_id", "projects", ["tenant_id", "client_id"])
    op.create_index("ix_projects_tenant_id_owner_id", "projects", ["tenant_id", "owner_id"])
    op.create_index("ix_projects_tenant_id_updated_at", "projects", ["tenant_id", "updated_at", "id"])


def _create_stage_changes() -> None:
    op.create_table(
        "stage_changes",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage_id", sa.Uuid(), nullable=True),
        sa.Column("to_stage_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("seconds_in_from", sa.BigInteger(), nullable=True),
        *_common(),
        _created(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name="fk_stage_changes_tenant_id_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["pipeline_stages.id"],
            name="fk_stage_changes_from_stage_id_pipeline_stages",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["pipeline_stages.id"],
            name="fk_stage_changes_to_stage_id_pipeline_stages",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_stage_changes_actor_id_users", ondelete="SET NULL"
        ),
        _tenant_fk("stage_changes"),
        sa.PrimaryKeyConstraint("id", name="pk_stage_changes"),
    )
    op.create_index(
        "ix_stage_changes_tenant_id_project_id_created_at", "stage_changes", ["tenant_id", "project_id", "created_at"]
    )
    op.create_index("ix_stage_changes_tenant_id_from_stage_id", "stage_changes", ["tenant_id", "from_stage_id"])


def _create_tasks() -> None:
    op.create_table(
        "tasks",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_common(),
        _created(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name="fk_tasks_tenant_id_client_id_clients",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["projects.tenant_id", "projects.id"],
            name="fk_tasks_tenant_id_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name="fk_tasks_assignee_id_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_tasks_created_by_id_users", ondelete="SET NULL"
        ),
        _tenant_fk("tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index(
        "ix_tasks_tenant_id_assignee_id_status_due_on", "tasks", ["tenant_id", "assignee_id", "status", "due_on"]
    )
    op.create_index("ix_tasks_tenant_id_project_id", "tasks", ["tenant_id", "project_id"])
    op.create_index("ix_tasks_tenant_id_client_id", "tasks", ["tenant_id", "client_id"])


def _seed_pipelines() -> None:
    """Studios that exist already get the default pipeline in their language (the owner role is not bound by
    RLS, so every studio is covered)."""
    bind = op.get_bind()
    tenants = sa.table("tenants", sa.column("id", sa.Uuid()), sa.column("locale", sa.String()))
    stages = sa.table(
        "pipeline_stages",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("key", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "name": stage_name(zh, en, locale),
            "key": key,
            "kind": kind,
            "position": position,
            "created_at": now,
        }
        for tenant_id, locale in bind.execute(sa.select(tenants.c.id, tenants.c.locale))
        for position, (key, kind, zh, en) in enumerate(DEFAULT_STAGES)
    ]
    if rows:
        op.bulk_insert(stages, rows)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
