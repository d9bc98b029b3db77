"""contacts sort by pinyin: a sort key per contact (saas.i18n.sort_key, as clients.sort_key: ASCII compared byte by
byte, "C" collation on PostgreSQL), filled for every studio's existing contacts, with the index (tenant_id, sort_key,
id) the contacts list's keyset pages read. It replaces the index (tenant_id, name, id), which only that list read.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-06
"""

import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

from saas.i18n import sort_key
from saas.tenants.rls import across_studios

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

SORT_KEY = sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql")
BATCH = 2000  # contacts read and keyed at a time: a studio of 100,000 is never held in memory at once


def upgrade() -> None:
    op.add_column("contacts", sa.Column("sort_key", SORT_KEY, nullable=False, server_default=""))
    bind = op.get_bind()
    update = sa.text("UPDATE contacts SET sort_key = :key WHERE id = :id").bindparams(
        sa.bindparam("id", type_=sa.Uuid())
    )
    with across_studios("contacts"):
        for batch in _batches(bind):
            bind.execute(update, [{"key": sort_key(name), "id": ident} for ident, name in batch])
    # Made after the fill: one sorted build instead of an entry moved per updated row.
    op.create_index("ix_contacts_tenant_id_sort_key", "contacts", ["tenant_id", "sort_key", "id"])
    op.drop_index("ix_contacts_tenant_id_name", table_name="contacts")


def _batches(bind: sa.Connection) -> Iterator[list[sa.Row]]:
    """Every contact's (id, name), BATCH at a time in id order: keyset on the primary key, no OFFSET; the nil UUID
    comes before every id."""
    query = (
        sa.text("SELECT id, name FROM contacts WHERE id > :after ORDER BY id LIMIT :n")
        .bindparams(sa.bindparam("after", type_=sa.Uuid()))
        .columns(id=sa.Uuid(), name=sa.String())
    )
    after = uuid.UUID(int=0)
    while batch := bind.execute(query, {"after": after, "n": BATCH}).all():
        yield batch
        after = batch[-1][0]


def downgrade() -> None:
    op.create_index("ix_contacts_tenant_id_name", "contacts", ["tenant_id", "name", "id"])
    op.drop_index("ix_contacts_tenant_id_sort_key", table_name="contacts")
    op.drop_column("contacts", "sort_key")
