"""What billing listens to: a client's approval of a draft version sends the invoices that waited for it
(approval-gated billing); a request for changes keeps them waiting."""

from __future__ import annotations

from typing import Any

from saas.billing.invoices import release_on_approval
from saas.events import listen


@listen("draft.approved")
def send_invoices_waiting_for_it(_name: str, payload: dict[str, Any]) -> None:
    release_on_approval(payload["subject"].id)
