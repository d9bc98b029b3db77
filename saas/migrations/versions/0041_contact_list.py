"""the staff's contacts list: contacts in name order for its keyset pages (tenant_id, name, id), and on PostgreSQL a
trigram index on what its search looks in (saas.clients.models.contact_search: the name, the phone as written and
as its digits, the e-mail, lower-cased), so `LIKE '%…%'` over a large studio's contacts reads the index. Saved
views name the list they belong to (`page`: clients, the only one so far, or contacts), a name unique per list.

Revision ID: 0041
Revises: 0039
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0039"
branch_labels = None
depends_on = None

# The very expression of contact_search(): PostgreSQL matches a query to an expression index by its expression.
_DIGITS = "coalesce(phone, '')"
for _mark in (" ", "-", "(", ")", "+", ".", "/"):
    _DIGITS = f"replace({_DIGITS}, '{_mark}', '')"
SEARCH = f"lower(name || ' ' || coalesce(phone, '') || ' ' || {_DIGITS} || ' ' || coalesce(email, ''))"


def upgrade() -> None:
    with op.batch_alter_table("saved_views") as batch:
        batch.add_column(sa.Column("page", sa.String(length=20), server_default="clients", nullable=False))
        batch.drop_constraint("uq_saved_views_tenant_id_user_id_name", type_="unique")
        batch.create_unique_constraint(
            "uq_saved_views_tenant_id_user_id_page_name", ["tenant_id", "user_id", "page", "name"]
        )
    op.create_index("ix_contacts_tenant_id_name", "contacts", ["tenant_id", "name", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_contacts_search_trgm ON contacts USING gin (({SEARCH}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_contacts_search_trgm")
    op.drop_index("ix_contacts_tenant_id_name", "contacts")
    with op.batch_alter_table("saved_views") as batch:
        batch.drop_constraint("uq_saved_views_tenant_id_user_id_page_name", type_="unique")
        batch.create_unique_constraint("uq_saved_views_tenant_id_user_id_name", ["tenant_id", "user_id", "name"])
        batch.drop_column("page")
