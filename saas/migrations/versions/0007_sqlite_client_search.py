"""clients: FTS5 trigram index for fragment search on SQLite (PostgreSQL has pg_trgm since 0004)

An external-content FTS5 table over clients.search_text, kept in step by triggers.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE VIRTUAL TABLE clients_search USING fts5(search_text, content='clients', content_rowid='rowid', "
    "tokenize='trigram')",
    "INSERT INTO clients_search(rowid, search_text) SELECT rowid, search_text FROM clients",
    "CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN "
    "INSERT INTO clients_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN "
    "INSERT INTO clients_search(clients_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER clients_search_update AFTER UPDATE OF search_text ON clients BEGIN "
    "INSERT INTO clients_search(clients_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO clients_search(rowid, search_text) VALUES (new.rowid, new.search_text); END",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS clients_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS clients_search")
