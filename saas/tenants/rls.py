"""PostgreSQL Row-Level Security for studio-owned tables (layer 2 of isolation), used by the migrations.

The policy fails closed: with no studio set, `NULLIF(..., '')::uuid` is NULL and no row matches, instead of
the query raising. FORCE makes the policy apply to the table owner as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op

CURRENT_TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable_tenant_rls(table: str) -> None:
    if not _is_postgres():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
    )


def allow_own_rows(table: str, column: str = "user_id") -> None:
    """A person may read their own rows across studios (their memberships), and nothing else."""
    if _is_postgres():
        op.execute(f"CREATE POLICY own_rows ON {table} FOR SELECT USING ({column} = {CURRENT_USER})")


def disable_tenant_rls(table: str) -> None:
    if not _is_postgres():
        return
    op.execute(f"DROP POLICY IF EXISTS own_rows ON {table}")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


@contextmanager
def across_studios(table: str) -> Iterator[None]:
    """For a data migration that must touch every studio's rows of `table`: FORCE makes the policy apply to the
    table's owner too, so an UPDATE run by the migrations would see no row at all. The policy is lifted for the
    owner inside the migration's transaction and put back before it commits; the app's role never sees the gap."""
    if _is_postgres():
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    yield
    if _is_postgres():
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
