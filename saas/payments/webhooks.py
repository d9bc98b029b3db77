"""Stripe's webhooks, the way Stripe documents them.

`receive` runs in the request: the signature is checked on the raw body with the endpoint's secret (a bad or
stale one: nothing is recorded), the event is recorded by its id, and a job is asked to handle it; a second
delivery of the same event finds the record and stops there. `handle` runs in the job, once per event, with the
studio set: the studio comes from the metadata Atelier put on the Stripe object, and the event's connected
account must be that studio's own. Handlers re-read the object from Stripe before acting, so events that arrive
in any order reach the same end state, and every effect is keyed by a Stripe id so it happens once.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import tenant_context
from saas.jobs import enqueue
from saas.payments import gateway
from saas.payments.models import StripeEvent

log = logging.getLogger(__name__)


class BadSignature(Exception):
    pass


def receive(payload: bytes, signature: str | None) -> bool:
    """Verify and record; returns False when the event was already recorded (a redelivery)."""
    data = _verified(payload, signature)
    try:
        with db.session.begin_nested():
            db.session.add(StripeEvent(id=data["id"], type=data["type"], account=data.get("account"), payload=data))
    except IntegrityError:
        return False
    enqueue(handle, data["id"], job_id=f"stripe-event-{data['id']}")
    return True


def _verified(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if the secret of one of the endpoints Stripe delivers here (the platform's own and the Connect
    endpoint) signed this very body, recently; anything else is refused before a byte of it is trusted."""
    _check_timestamp(signature)
    failure: Exception | None = None
    for secret in gateway.settings().stripe_webhook_secrets:
        try:
            stripe.Webhook.construct_event(payload, signature or "", secret)
            return json.loads(payload)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            failure = exc
    raise BadSignature(str(failure))


def _check_timestamp(signature: str | None) -> None:
    """Stripe's library refuses a signature older than its tolerance; one from the future is refused here too
    (a clock far ahead, or a signature minted to be replayed later)."""
    stamps = [part[2:] for part in (signature or "").split(",") if part.startswith("t=")]
    try:
        signed_at = int(stamps[0])
    except (IndexError, ValueError) as exc:
        raise BadSignature("no timestamp in the signature") from exc
    if abs(time.time() - signed_at) > stripe.Webhook.DEFAULT_TOLERANCE:
        raise BadSignature("the signature's timestamp is outside the tolerance")


Handler = Callable[[StripeEvent, dict[str, Any]], None]
HANDLERS: dict[str, list[Handler]] = {}
# The platform's own events (a studio's plan subscription) must name the studio's customer on Atelier's account;
# plans, a floor above, registers how to find it (saas.plans.listeners). None: no platform events are accepted.
_platform_customer: Callable[[], str | None] | None = None


def handles(*types: str) -> Callable[[Handler], Handler]:
    """Register a handler for Stripe event types (in the domain's listeners.py); several may share a type, and
    each looks at the object to see whether it is theirs (a checkout in subscription mode is the plans')."""

    def register(handler: Handler) -> Handler:
        for name in types:
            if handler not in HANDLERS.setdefault(name, []):
                HANDLERS[name].append(handler)
        return handler

    return register


def register_platform_customer(lookup: Callable[[], str | None]) -> None:
    """`lookup()` answers, with a studio set, that studio's customer id on the platform's Stripe account."""
    global _platform_customer
    _platform_customer = lookup


def handle(event_id: str) -> None:
    """Job: handle one recorded event, once. The studio is whichever the object's metadata names, and only if
    the event came from that studio's connected account."""
    event = db.session.get(StripeEvent, event_id)
    if event is None or event.processed_at is not None:
        return
    handlers = HANDLERS.get(event.type, [])
    obj = event.payload.get("data", {}).get("object", {})
    if handlers:
        tenant_id = _studio_of(event, obj)
        if tenant_id is None:
            event.error = "no studio of this account named on the object"
        else:
            with tenant_context(db.session(), tenant_id):
                for handler in handlers:
                    handler(event, obj)
                db.session.flush()  # the studio's rows are written while its studio is set
    event.processed_at = utcnow()


def _studio_of(event: StripeEvent, obj: dict[str, Any]) -> uuid.UUID | None:
    named = (obj.get("metadata") or {}).get("atelier_tenant")
    if not named and event.account:
        named = _metadata_of_intent(event.account, obj).get("atelier_tenant")
    try:
        tenant_id = uuid.UUID(named)
    except (TypeError, ValueError):
        return None
    with tenant_context(db.session(), tenant_id):
        if event.account:  # a connected account's event: it must be this studio's own account
            from saas.payments.services.connect import account_of

            ours = account_of()
            genuine = ours is not None and ours.account_id == event.account
        else:  # the platform's own (subscriptions): it must be this studio's customer
            customer = _platform_customer() if _platform_customer is not None else None
            genuine = customer is not None and obj.get("customer") == customer
    return tenant_id if genuine else None


def _metadata_of_intent(account: str | None, obj: dict[str, Any]) -> dict[str, Any]:
    """Charges and refunds carry the PaymentIntent's id, not always its metadata: read it from Stripe."""
    intent_id = obj.get("payment_intent")
    if not account or not isinstance(intent_id, str):
        return {}
    intent = gateway.client().v1.payment_intents.retrieve(intent_id, options=gateway.on_account(account))
    return gateway.field(intent, "metadata", default={}) or {}


def pending_events() -> list[str]:
    """Events recorded but not handled (a job lost with its worker): the sweep hands them out again."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(minutes=2)
    query = select(StripeEvent.id).where(StripeEvent.processed_at.is_(None), StripeEvent.received_at < cutoff)
    return list(db.session.scalars(query.limit(500)))


def redispatch() -> int:
    """Periodic: hand unhandled events to a job again."""
    ids = pending_events()
    for event_id in ids:
        enqueue(handle, event_id)
    return len(ids)
