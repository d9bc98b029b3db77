"""What billing plugs into the floors below: a client's approval of a draft version sends the invoices that
waited for it (approval-gated billing; a request for changes keeps them waiting), a client's acceptance of a quote
sends its deposit invoice where the studio chose so, and the reminders of open invoices on the days the studio
chose."""

from __future__ import annotations

from typing import Any

from saas.billing.services.invoices import deposit_on_acceptance, release_on_approval
from saas.billing.services.reminders import remind_overdue
from saas.events import listen
from saas.scheduling import periodic

periodic("invoice-reminders", 3600, remind_overdue)


@listen("draft.approved")
def send_invoices_waiting_for_it(_name: str, payload: dict[str, Any]) -> None:
    release_on_approval(payload["subject"].id)


@listen("quote.accepted")
def send_the_deposit(_name: str, payload: dict[str, Any]) -> None:
    deposit_on_acceptance(payload["subject"])
