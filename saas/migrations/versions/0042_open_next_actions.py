"""the open next actions' index holds next actions only: "my follow-ups due" on the personal board counts what My
follow-ups lists — an action to do (its text set), not done, due — and, with that in the index's condition, still
reads the index alone (checking the text row by row cost a member's count 25–35 ms of heap reads at 100,000
clients; README, dashboards). The same columns; the condition gains `next_action IS NOT NULL`.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

NAME = "ix_interactions_tenant_id_author_id_open_due"
COLUMNS = ["tenant_id", "author_id", "next_action_due", "client_id"]


def _create(condition: str) -> None:
    op.create_index(NAME, "interactions", COLUMNS, postgresql_where=sa.text(condition), sqlite_where=sa.text(condition))


def upgrade() -> None:
    op.drop_index(NAME, table_name="interactions")
    _create("next_action_done_at IS NULL AND next_action IS NOT NULL")


def downgrade() -> None:
    op.drop_index(NAME, table_name="interactions")
    _create("next_action_done_at IS NULL")
