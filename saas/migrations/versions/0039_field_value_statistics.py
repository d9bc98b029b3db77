"""extended statistics on the custom-field value index: the planner learns how a field and its value go together
(field_id with keyed, field_id with number), instead of multiplying their separate frequencies. Without them it
took `field_id = <area> AND number <= 100` for a fifth of its true size (numbers are NULL in four rows of five)
and, for two filters combined, hash-joined a sequential scan of the studio's clients (README, custom fields).
PostgreSQL only; SQLite has no planner statistics of this kind.

Revision ID: 0039
Revises: 0037
Create Date: 2026-12-06
"""

from alembic import op

revision = "0039"
down_revision = "0037"
branch_labels = None
depends_on = None

# (name, columns). 1000 MCV items: the common values of the large studios' fields are what the lists filter by.
STATISTICS = (
    ("st_field_values_field_id_keyed", "field_id, keyed"),
    ("st_field_values_field_id_number", "field_id, number"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in STATISTICS:
        op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} (mcv, dependencies) ON {columns} FROM field_values")
        op.execute(f"ALTER STATISTICS {name} SET STATISTICS 1000")
    op.execute("ANALYZE field_values")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _columns in STATISTICS:
        op.execute(f"DROP STATISTICS IF EXISTS {name}")
