"""custom fields: a studio's own field definitions per record type, a `custom_fields` JSON object (JSONB on
PostgreSQL) on clients, contacts and projects, and the typed index of those values the lists filter through
(btree led by tenant_id and field id on numbers and keys, trigram on text)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

VALUES = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
RECORDS = ("clients", "contacts", "projects")


def upgrade() -> None:
    op.create_table(
        "field_definitions",
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label_en", sa.String(length=80), nullable=False),
        sa.Column("label_zh", sa.String(length=80), nullable=False),
        sa.Column("help_en", sa.String(length=300), nullable=False),
        sa.Column("help_zh", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("default", sa.JSON(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("visibility", sa.String(length=12), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_field_definitions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_definitions")),
        sa.UniqueConstraint("tenant_id", "entity", "key", name=op.f("uq_field_definitions_tenant_id_entity_key")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_field_definitions_tenant_id_id")),
    )
    op.create_index(
        "ix_field_definitions_tenant_id_entity_position", "field_definitions", ["tenant_id", "entity", "position"]
    )
    op.create_table(
        "field_values",
        sa.Column("field_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("keyed", sa.String(length=300), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "field_id"],
            ["field_definitions.tenant_id", "field_definitions.id"],
            name=op.f("fk_field_values_tenant_id_field_definitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_field_values_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_values")),
    )
    op.create_index(
        "ix_field_values_tenant_id_field_id_number", "field_values", ["tenant_id", "field_id", "number", "record_id"]
    )
    op.create_index(
        "ix_field_values_tenant_id_field_id_keyed", "field_values", ["tenant_id", "field_id", "keyed", "record_id"]
    )
    op.create_index("ix_field_values_tenant_id_record_id", "field_values", ["tenant_id", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_field_values_text_trgm ON field_values USING gin (text gin_trgm_ops)")
    for table in RECORDS:
        op.add_column(table, sa.Column("custom_fields", VALUES, server_default="{}", nullable=False))
    enable_tenant_rls("field_definitions")
    enable_tenant_rls("field_values")


def downgrade() -> None:
    disable_tenant_rls("field_values")
    disable_tenant_rls("field_definitions")
    for table in RECORDS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("custom_fields")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_field_values_text_trgm")
    op.drop_table("field_values")
    op.drop_table("field_definitions")
