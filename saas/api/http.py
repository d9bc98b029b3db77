"""/api/v1's plumbing: the blueprint, bearer-token authentication, per-token rate limits, JSON in and the one
error format out, ETags and If-Match. Resource routes live in views (clients) and projects."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import Schema

from saas import origin
from saas.errors import ValidationFailed
from saas.extensions import csrf, limiter
from saas.tenants.tokens import Principal, authenticate
from saas.tokens import hash_token

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)  # bearer tokens, not cookies: nothing for a cross-site form to ride on


def _token_key() -> str:
    """Per token (Flask-Limiter runs before authentication, so the key comes from the header itself)."""
    header = request.headers.get("Authorization", "")
    return f"token:{hash_token(header)[:24]}" if header.startswith("Bearer ") else f"ip:{request.remote_addr}"


def _rate_limit() -> str:
    return current_app.extensions["atelier.settings"].api_rate_limit


limiter.limit(_rate_limit, key_func=_token_key)(bp)


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    if request.endpoint in ("api.openapi", "api.docs"):
        return None
    header = request.headers.get("Authorization", "")
    found = authenticate(header[7:].strip()) if header.startswith("Bearer ") else None
    if found is None:
        response = jsonify(errors={"_schema": [_("A valid API token is required (Authorization: Bearer …).")]})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="atelier"'
        return response
    g.principal = found
    origin.set_origin(found.user_id, request.remote_addr)
    return None


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": [_("Send a JSON object with Content-Type: application/json.")]})
    return body


def invalid(exc: ValidationFailed) -> Response:
    response = jsonify(errors=exc.errors)
    response.status_code = 422
    return response


def principal() -> Principal:
    return g.principal


def versioned(body: dict[str, Any], version: int, status: int = 200, location: str | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.set_etag(str(version), weak=True)
    if location:
        response.headers["Location"] = location
    return response


def precondition_failed(version: int) -> Response | None:
    """None when If-Match names the current version; otherwise the 428 (missing) or 412 (stale) answer."""
    if not request.if_match:
        response = jsonify(errors={"If-Match": [_("Send the ETag you read as If-Match, so edits never collide.")]})
        response.status_code = 428
        return response
    if not request.if_match.contains_weak(str(version)):
        response = jsonify(errors={"If-Match": [_("This record changed since you read it. GET it again.")]})
        response.status_code = 412
        response.set_etag(str(version), weak=True)
        return response
    return None


def listed(schema: Schema, items: list) -> Response:
    return jsonify(data=schema.dump(items))
