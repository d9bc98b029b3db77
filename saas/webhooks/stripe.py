"""POST /webhooks/stripe: the only CSRF-exempt form endpoint (Stripe signs its requests; there is no session or
cookie to ride on). It verifies, records and asks for a job, then answers at once: the work runs in the job."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from saas.extensions import csrf, limiter
from saas.payments import gateway, webhooks

bp = Blueprint("stripe", __name__, url_prefix="/webhooks")
csrf.exempt(bp)


@bp.post("/stripe")
@limiter.exempt
def stripe_webhook() -> ResponseReturnValue:
    if not gateway.enabled():
        return jsonify(error="stripe is not configured"), 404
    try:
        fresh = webhooks.receive(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except webhooks.BadSignature:
        return jsonify(error="invalid signature"), 400
    return jsonify(received=True, duplicate=not fresh)
