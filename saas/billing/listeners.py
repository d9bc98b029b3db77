"""What billing plugs into the floors below: the money side of the audit trail (every quote, price, discount,
approval, contract, invoice, payment and refund event, with who, when and what changed); a client's approval of a
draft version sends the invoices that waited for it (approval-gated billing; a request for changes keeps them
waiting); a client's acceptance of a quote sends its deposit invoice where the studio chose so; and the reminders
of open invoices on the days the studio chose."""

from __future__ import annotations

from typing import Any

from saas.billing.services.invoices import deposit_on_acceptance, release_on_approval
from saas.billing.services.reminders import remind_overdue
from saas.events import listen
from saas.scheduling import periodic
from saas.tenants import audit

periodic("invoice-reminders", 3600, remind_overdue)

# The commercial events, whichever domain announces them (payments: online payments and refunds), audited as named.
AUDITED = (
    "quote.created",
    "quote.revised",
    "quote.approval_requested",
    "quote.approved",
    "quote.approval_refused",
    "quote.sent",
    "quote.accepted",
    "quote.declined",
    "contract.created",
    "contract.revised",
    "contract.submitted",
    "contract.approved",
    "contract.rejected",
    "contract.signed",
    "invoice.created",
    "invoice.revised",
    "invoice.sent",
    "invoice.resent",
    "invoice.reminded",
    "invoice.voided",
    "payment.recorded",
    "payment.refunded",
    "refund.requested",
)
audit.register_actions(*AUDITED)


@listen(*AUDITED)
def record_on_audit_trail(name: str, payload: dict[str, Any]) -> None:
    """Who (the actor, else the request's person; none for the client in the portal or Stripe), when, on what,
    and the event's description: numbers, amounts in minor units, and what changed before → after."""
    data = {key: value for key, value in payload.items() if key not in ("subject", "client", "actor_id")}
    client = payload.get("client")
    audit.record(name, payload.get("subject"), actor_id=payload.get("actor_id"), client=client and client.name, **data)


# Registered after the audit trail's listener, so the trail shows the acceptance before the invoice it sends.
@listen("draft.approved")
def send_invoices_waiting_for_it(_name: str, payload: dict[str, Any]) -> None:
    release_on_approval(payload["subject"].id)


@listen("quote.accepted")
def send_the_deposit(_name: str, payload: dict[str, Any]) -> None:
    deposit_on_acceptance(payload["subject"])
