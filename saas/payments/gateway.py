"""The one place Atelier talks to Stripe: a StripeClient built from the platform's settings (STRIPE_API_BASE
points it at a test server), and defensive reading of what comes back — older API versions and test servers
answer with older object shapes."""

from __future__ import annotations

from typing import Any

import stripe
from flask import current_app

from saas.config import Settings


class StripeUnavailable(Exception):
    """Stripe is not configured for this installation."""


def settings() -> Settings:
    return current_app.extensions["atelier.settings"]


def enabled() -> bool:
    return settings().stripe_enabled


def client() -> stripe.StripeClient:
    s = settings()
    if not s.stripe_enabled:
        raise StripeUnavailable()
    if "atelier.stripe" not in current_app.extensions:
        bases = {"api": s.stripe_api_base, "connect": s.stripe_api_base} if s.stripe_api_base else None
        # Network errors are retried by the library with the same idempotency key, so a retry never doubles.
        current_app.extensions["atelier.stripe"] = stripe.StripeClient(
            s.stripe_secret_key, base_addresses=bases, max_network_retries=2
        )
    return current_app.extensions["atelier.stripe"]


def on_account(account_id: str, idempotency_key: str | None = None) -> dict[str, Any]:
    """Request options for a call made on a studio's connected account (direct charges)."""
    options: dict[str, Any] = {"stripe_account": account_id}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def field(obj: Any, *path: str, default: Any = None) -> Any:
    """obj.a.b..., tolerating missing keys and both StripeObjects and plain dicts."""
    current = obj
    for name in path:
        if current is None:
            return default
        if hasattr(current, "to_dict"):
            current = current.to_dict()
        current = current.get(name) if isinstance(current, dict) else getattr(current, name, None)
    return default if current is None else current


def charge_of(intent: Any) -> dict[str, Any] | None:
    """The charge of a PaymentIntent: `latest_charge` today, `charges.data[0]` in older shapes."""
    latest = field(intent, "latest_charge")
    if isinstance(latest, dict):
        return latest
    charges = field(intent, "charges", "data", default=[])
    if charges:
        return charges[-1] if isinstance(charges[-1], dict) else charges[-1].to_dict()
    return {"id": latest} if isinstance(latest, str) else None
