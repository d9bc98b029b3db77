"""clients sort by pinyin and are found by a phone's digits: a sort key per client (pinyin for Chinese, letters for
Latin names; ASCII compared byte by byte, "C" collation on PostgreSQL) with an index led by tenant_id, and every
client's search text rebuilt with each phone's digits alone ("138-0013" finds 138 0013 8000)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import json
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from saas.i18n import sort_key
from saas.tenants.rls import across_studios

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SORT_KEY = sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql")


def _search_text(name: str, tags: list[str], contacts: list[tuple]) -> str:
    """As saas.clients.services.search_parts writes it (kept here as it was when this ran)."""
    parts = [name, *tags]
    for contact_name, phone, email, wechat in contacts:
        digits = "".join(ch for ch in phone or "" if ch.isdigit())
        parts += [contact_name, phone or "", digits, email or "", wechat or ""]
    return " ".join(p for p in parts if p).lower()


def upgrade() -> None:
    op.add_column("clients", sa.Column("sort_key", SORT_KEY, nullable=False, server_default=""))
    op.create_index("ix_clients_tenant_id_sort_key", "clients", ["tenant_id", "sort_key", "id"])
    bind = op.get_bind()
    with across_studios("clients"), across_studios("contacts"):
        contacts = defaultdict(list)
        rows = bind.execute(sa.text("SELECT client_id, name, phone, email, wechat FROM contacts ORDER BY created_at"))
        for client_id, *contact in rows:
            contacts[str(client_id)].append(tuple(contact))
        clients = bind.execute(sa.text("SELECT id, name, tags FROM clients")).all()
        update = sa.text("UPDATE clients SET sort_key = :key, search_text = :search WHERE id = :id")
        for client_id, name, tags in clients:
            tags = json.loads(tags) if isinstance(tags, str) else (tags or [])
            search = _search_text(name, tags, contacts[str(client_id)])
            bind.execute(update, {"key": sort_key(name), "search": search, "id": client_id})


def downgrade() -> None:
    op.drop_index("ix_clients_tenant_id_sort_key", table_name="clients")
    op.drop_column("clients", "sort_key")
