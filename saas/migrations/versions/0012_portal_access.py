"""portal: client contacts invited to the portal, one-time sign-in links, portal sessions; RLS on each

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import disable_tenant_rls, enable_tenant_rls

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("portal_users", "portal_links", "portal_sessions")


def _base(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "portal_user_id"],
        ["portal_users.tenant_id", "portal_users.id"],
        name=f"fk_{table}_tenant_id_portal_user_id_portal_users",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.create_unique_constraint("uq_contacts_tenant_id_id", ["tenant_id", "id"])
    op.create_table(
        "portal_users",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        *_base("portal_users"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name="fk_portal_users_tenant_id_client_id_clients",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            name="fk_portal_users_tenant_id_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name="fk_portal_users_invited_by_id_users", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("tenant_id", "id", name="uq_portal_users_tenant_id_id"),
        sa.UniqueConstraint("tenant_id", "email", name="uq_portal_users_tenant_id_email"),
    )
    op.create_table(
        "portal_links",
        sa.Column("portal_user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        *_base("portal_links"),
        _user_fk("portal_links"),
    )
    op.create_index("ix_portal_links_tenant_id_token_hash", "portal_links", ["tenant_id", "token_hash"], unique=True)
    op.create_table(
        "portal_sessions",
        sa.Column("portal_user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        *_base("portal_sessions"),
        _user_fk("portal_sessions"),
    )
    op.create_index(
        "ix_portal_sessions_tenant_id_token_hash", "portal_sessions", ["tenant_id", "token_hash"], unique=True
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("uq_contacts_tenant_id_id", type_="unique")
