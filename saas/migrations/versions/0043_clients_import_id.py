"""imports: a client created by an import names it (clients.import_id) instead of the import keeping a trail row and
a `client.created` timeline entry per client — the undo and the check for later changes read the clients
themselves, and the timeline shows the import from the client's own row. The trail rows and timeline entries of
earlier imports' created clients are folded into the column.

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import across_studios

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

WHERE = sa.text("import_id IS NOT NULL")


def upgrade() -> None:
    op.add_column("clients", sa.Column("import_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_clients_tenant_id_import_id",
        "clients",
        ["tenant_id", "import_id"],
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )
    bind = op.get_bind()
    with across_studios("clients"), across_studios("import_rows"), across_studios("client_events"):
        # One join (import_rows has no index on client_id: a subquery per client would scan it per client).
        bind.execute(
            sa.text(
                "UPDATE clients SET import_id = r.import_id FROM import_rows r WHERE r.outcome = 'created'"
                " AND r.client_id = clients.id AND r.tenant_id = clients.tenant_id"
            )
        )
        # The import's own `client.created` entry of each such client: the timeline now shows the import instead.
        bind.execute(
            sa.text(
                "DELETE FROM client_events WHERE kind = 'client.created' AND EXISTS (SELECT 1 FROM clients c"
                " WHERE c.id = client_events.client_id AND c.tenant_id = client_events.tenant_id"
                " AND c.import_id IS NOT NULL)"
            )
        )
        bind.execute(sa.text("DELETE FROM import_rows WHERE outcome = 'created'"))


def downgrade() -> None:
    bind = op.get_bind()
    studios = across_studios("clients"), across_studios("import_rows"), across_studios("client_events")
    with studios[0], studios[1], studios[2], across_studios("client_imports"):
        # The trail rows back, numbered in the order the clients were created (their file rows are not kept), and
        # their timeline entries.
        bind.execute(
            sa.text(
                "INSERT INTO import_rows (id, tenant_id, import_id, row_number, outcome, client_id, version_after)"
                " SELECT id, tenant_id, import_id, row_number() OVER (PARTITION BY import_id ORDER BY created_at, id),"
                " 'created', id, 1 FROM clients WHERE import_id IS NOT NULL"
            )
        )
        bind.execute(
            sa.text(
                "INSERT INTO client_events (id, tenant_id, created_at, client_id, actor_id, kind, data)"
                " SELECT c.id, c.tenant_id, c.created_at, c.id, i.created_by_id, 'client.created',"
                " json_build_object('name', c.name) FROM clients c JOIN client_imports i ON i.id = c.import_id"
                " AND i.tenant_id = c.tenant_id"
            )
            if bind.dialect.name == "postgresql"
            else sa.text(
                "INSERT INTO client_events (id, tenant_id, created_at, client_id, actor_id, kind, data)"
                " SELECT c.id, c.tenant_id, c.created_at, c.id, i.created_by_id, 'client.created',"
                " json_object('name', c.name) FROM clients c JOIN client_imports i ON i.id = c.import_id"
                " AND i.tenant_id = c.tenant_id"
            )
        )
    op.drop_index("ix_clients_tenant_id_import_id", table_name="clients")
    op.drop_column("clients", "import_id")
