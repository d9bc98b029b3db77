"""event names: domain events are named for what happened to their subject (`invoice.sent`, `draft.decided`),
not for their first listener (`client.invoice_sent`); the client timeline's recorded kinds follow

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from saas.tenants.rls import across_studios

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RENAMED = {
    "client.contact_added": "contact.added",
    "client.contact_updated": "contact.updated",
    "client.contact_removed": "contact.removed",
    "client.project_created": "project.created",
    "client.project_moved": "project.stage_changed",
    "client.quote_created": "quote.created",
    "client.quote_approved": "quote.approved",
    "client.quote_sent": "quote.sent",
    "client.quote_accepted": "quote.accepted",
    "client.quote_declined": "quote.declined",
    "client.contract_created": "contract.created",
    "client.contract_approved": "contract.approved",
    "client.contract_rejected": "contract.rejected",
    "client.contract_signed": "contract.signed",
    "client.invoice_created": "invoice.created",
    "client.invoice_sent": "invoice.sent",
    "client.invoice_voided": "invoice.voided",
    "client.payment_recorded": "payment.recorded",
    "client.payment_refunded": "payment.refunded",
    "client.refund_requested": "refund.requested",
    "client.portal_invited": "portal_user.invited",
    "client.portal_revoked": "portal_user.revoked",
    "client.draft_submitted": "draft.submitted",
    "client.draft_decided": "draft.decided",
}


def _rename(pairs: dict[str, str]) -> None:
    statement = sa.text("UPDATE client_events SET kind = :new WHERE kind = :old")
    with across_studios("client_events"):
        for old, new in pairs.items():
            op.get_bind().execute(statement, {"old": old, "new": new})


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})
