"""What payments plugs into the floors below: the Stripe events it handles, and the sweep that hands out events
a lost job never handled."""

from __future__ import annotations

from saas.payments.services import settle
from saas.payments.webhooks import handles, redispatch
from saas.scheduling import periodic

handles("checkout.session.completed", "checkout.session.async_payment_succeeded")(settle.session_completed)
handles("payment_intent.succeeded")(settle.intent_succeeded)
handles("checkout.session.expired")(settle.session_expired)
handles("account.updated")(settle.account_updated)
handles("charge.refunded", "charge.refund.updated", "refund.created", "refund.updated")(settle.refunds_changed)

periodic("stripe-events", 120, redispatch, per_studio=False)
