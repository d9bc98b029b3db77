"""/api/v1: bearer-token authentication, JSON in and out, the one error format, per-token rate limits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import Schema

from saas.api.openapi import openapi_document
from saas.api.schemas import (
    ClientOut,
    ContactOut,
    InteractionOut,
    MemberOut,
    ShareOut,
    client_input,
    contact_input,
    interaction_input,
    share_input,
)
from saas.clients import queries, services
from saas.clients.access import get_client
from saas.clients.models import Client
from saas.errors import ValidationFailed
from saas.extensions import csrf, db, limiter
from saas.schemas import load
from saas.tenants import audit
from saas.tenants import queries as tenant_queries
from saas.tenants.models import Tenant
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
    principal = authenticate(header[7:].strip()) if header.startswith("Bearer ") else None
    if principal is None:
        response = jsonify(errors={"_schema": [_("A valid API token is required (Authorization: Bearer …).")]})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="atelier"'
        return response
    g.principal = principal
    audit.set_origin(principal.user_id, request.remote_addr)
    return None


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": [_("Send a JSON object with Content-Type: application/json.")]})
    return body


def _invalid(exc: ValidationFailed) -> Response:
    response = jsonify(errors=exc.errors)
    response.status_code = 422
    return response


def _client_response(client: Client, status: int = 200) -> Response:
    response = jsonify(ClientOut().dump(client))
    response.status_code = status
    response.set_etag(str(client.version), weak=True)
    if status == 201:
        response.headers["Location"] = url_for("api.client", client_id=client.id)
    return response


def _principal() -> Principal:
    return g.principal


@bp.get("/clients")
def clients() -> ResponseReturnValue:
    filters = queries.ClientFilters.from_args(request.args)
    page = queries.client_page(_principal(), filters, request.args.get("cursor"))
    return jsonify(data=ClientOut(many=True).dump(page.clients), next_cursor=page.next_cursor)


@bp.post("/clients")
def create_client() -> ResponseReturnValue:
    try:
        client = services.create_client(_principal(), load(client_input(), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    return _client_response(client, 201)


@bp.get("/clients/<client_id>")
def client(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    return _client_response(found)


@bp.patch("/clients/<client_id>")
def update_client(client_id: str) -> ResponseReturnValue:
    """If-Match is required: a PATCH without it gets 428, one with a stale version gets 412; nothing changes."""
    found = get_client(_principal(), client_id)
    if not request.if_match:
        response = jsonify(errors={"If-Match": [_("Send the ETag you read as If-Match, so edits never collide.")]})
        response.status_code = 428
        return response
    if not request.if_match.contains_weak(str(found.version)):
        response = jsonify(errors={"If-Match": [_("The client changed since you read it. GET it again.")]})
        response.status_code = 412
        response.set_etag(str(found.version), weak=True)
        return response
    try:
        changes = load(client_input(partial=True), _json())
        services.update_client(_principal(), found, {**changes, "version": found.version})
    except ValidationFailed as exc:
        return _invalid(exc)
    return _client_response(found)


@bp.delete("/clients/<client_id>")
def archive_client(client_id: str) -> ResponseReturnValue:
    services.set_archived(_principal(), get_client(_principal(), client_id), True)
    return "", 204


def _listed(schema: Schema, items: list) -> Response:
    return jsonify(data=schema.dump(items))


@bp.get("/clients/<client_id>/contacts")
def contacts(client_id: str) -> ResponseReturnValue:
    return _listed(ContactOut(many=True), get_client(_principal(), client_id).contacts)


@bp.post("/clients/<client_id>/contacts")
def add_contact(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    try:
        contact = services.add_contact(_principal(), found, load(contact_input(), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    return jsonify(ContactOut().dump(contact)), 201


@bp.get("/clients/<client_id>/interactions")
def interactions(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    return _listed(InteractionOut(many=True), queries.interactions_of(found))


@bp.post("/clients/<client_id>/interactions")
def log_interaction(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    try:
        interaction = services.log_interaction(_principal(), found, load(interaction_input(), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    return jsonify(InteractionOut().dump(interaction)), 201


@bp.get("/members")
def members() -> ResponseReturnValue:
    """The studio's people and their roles (read only; invitations and role changes stay in the workspace)."""
    return _listed(MemberOut(many=True), tenant_queries.members())


@bp.get("/clients/<client_id>/shares")
def shares(client_id: str) -> ResponseReturnValue:
    return _listed(ShareOut(many=True), queries.shares_of(get_client(_principal(), client_id)))


@bp.post("/clients/<client_id>/shares")
def share_client(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    timezone = db.session.get(Tenant, _principal().tenant_id).timezone
    try:
        share = services.share_client(_principal(), found, load(share_input(), _json()), timezone)
    except ValidationFailed as exc:
        return _invalid(exc)
    return jsonify(ShareOut().dump(share)), 201


@bp.delete("/clients/<client_id>/shares/<share_id>")
def revoke_share(client_id: str, share_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    services.revoke_share(_principal(), found, queries.share_of(found, share_id))
    return "", 204


@bp.get("/openapi.json")
@limiter.exempt
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/docs")
@limiter.exempt
def docs() -> ResponseReturnValue:
    """A readable reference rendered from the same document (no third-party viewer to load)."""
    return render_template("api/docs.html", spec=openapi_document())
