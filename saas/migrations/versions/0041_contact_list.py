"""the staff's contacts list: contacts in name order for its keyset pages (tenant_id, name, id), and on PostgreSQL a
trigram index on what its search looks in (saas.clients.models.contact_search: the name, the phone as written and
as its digits, the e-mail, lower-cased), so `LIKE '%…%'` over a large studio's contacts reads the index.

Revision ID: 0041
Revises: 0039
Create Date: 2026-12-06
"""

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
    op.create_index("ix_contacts_tenant_id_name", "contacts", ["tenant_id", "name", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_contacts_search_trgm ON contacts USING gin (({SEARCH}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_contacts_search_trgm")
    op.drop_index("ix_contacts_tenant_id_name", "contacts")
