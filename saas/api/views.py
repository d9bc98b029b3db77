"""/api/v1: bearer-token authentication, JSON in and out, the one error format, per-token rate limits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import Schema
from werkzeug.exceptions import NotFound

from saas.api.openapi import openapi_document
from saas.api.schemas import (
    ClientOut,
    ContactOut,
    InteractionOut,
    MemberOut,
    ShareOut,
    TagOut,
    client_input,
    contact_input,
    interaction_input,
    share_input,
    tag_rename_input,
)
from saas.clients import queries, services
from saas.clients.access import COMMERCIAL_CONTACT_FIELDS, get_client, sees_relationship
from saas.clients.models import Client
from saas.errors import NotAllowed, ValidationFailed
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


def _principal() -> Principal:
    return g.principal


def _client_out(many: bool = False) -> ClientOut:
    """Finance reads the commercial side of a client: no special notes."""
    return ClientOut(many=many, exclude=() if sees_relationship(_principal()) else ("notes",))


def _contact_out(many: bool = False) -> ContactOut:
    return ContactOut(many=many, only=None if sees_relationship(_principal()) else COMMERCIAL_CONTACT_FIELDS)


def _require_relationship() -> None:
    if not sees_relationship(_principal()):
        raise NotAllowed()


def _versioned(body: dict[str, Any], version: int, status: int = 200, location: str | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.set_etag(str(version), weak=True)
    if location:
        response.headers["Location"] = location
    return response


def _client_response(client: Client, status: int = 200) -> Response:
    location = url_for("api.client", client_id=client.id) if status == 201 else None
    return _versioned(_client_out().dump(client), client.version, status, location)


def _precondition_failed(version: int) -> Response | None:
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


@bp.get("/clients")
def clients() -> ResponseReturnValue:
    filters = queries.ClientFilters.from_args(request.args)
    page = queries.client_page(_principal(), filters, request.args.get("cursor"))
    return jsonify(data=_client_out(many=True).dump(page.clients), next_cursor=page.next_cursor)


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
    if (refused := _precondition_failed(found.version)) is not None:
        return refused
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
    return _listed(_contact_out(many=True), get_client(_principal(), client_id).contacts)


@bp.get("/clients/<client_id>/contacts/<contact_id>")
def contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    found = queries.contact_of(get_client(_principal(), client_id), contact_id)
    return _versioned(_contact_out().dump(found), found.version)


@bp.patch("/clients/<client_id>/contacts/<contact_id>")
def update_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    client_found = get_client(_principal(), client_id)
    found = queries.contact_of(client_found, contact_id)
    if (refused := _precondition_failed(found.version)) is not None:
        return refused
    try:
        services.update_contact(_principal(), client_found, found, load(contact_input(partial=True), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    db.session.flush()
    return _versioned(_contact_out().dump(found), found.version)


@bp.delete("/clients/<client_id>/contacts/<contact_id>")
def remove_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    client_found = get_client(_principal(), client_id)
    services.remove_contact(_principal(), client_found, queries.contact_of(client_found, contact_id))
    return "", 204


@bp.post("/clients/<client_id>/contacts")
def add_contact(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    try:
        contact = services.add_contact(_principal(), found, load(contact_input(), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    db.session.flush()
    return _versioned(_contact_out().dump(contact), contact.version, 201)


@bp.get("/clients/<client_id>/interactions")
def interactions(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    _require_relationship()
    return _listed(InteractionOut(many=True), queries.interactions_of(found))


@bp.get("/clients/<client_id>/interactions/<interaction_id>")
def interaction(client_id: str, interaction_id: str) -> ResponseReturnValue:
    found = queries.interaction_of(get_client(_principal(), client_id), interaction_id)
    _require_relationship()
    return _versioned(InteractionOut().dump(found), found.version)


@bp.patch("/clients/<client_id>/interactions/<interaction_id>")
def update_interaction(client_id: str, interaction_id: str) -> ResponseReturnValue:
    found = queries.interaction_of(get_client(_principal(), client_id), interaction_id)
    if (refused := _precondition_failed(found.version)) is not None:
        return refused
    try:
        services.update_interaction(_principal(), found, load(interaction_input(partial=True), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    db.session.flush()
    return _versioned(InteractionOut().dump(found), found.version)


@bp.post("/clients/<client_id>/interactions")
def log_interaction(client_id: str) -> ResponseReturnValue:
    found = get_client(_principal(), client_id)
    try:
        interaction = services.log_interaction(_principal(), found, load(interaction_input(), _json()))
    except ValidationFailed as exc:
        return _invalid(exc)
    return _versioned(InteractionOut().dump(interaction), interaction.version, 201)


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


@bp.get("/tags")
def tags() -> ResponseReturnValue:
    return _listed(TagOut(many=True), queries.tag_counts(_principal()))


@bp.patch("/tags/<name>")
def rename_tag(name: str) -> ResponseReturnValue:
    """Rename on every client of the studio (merging into an existing tag); managers and above."""
    try:
        new = load(tag_rename_input(), _json())["name"]
        if services.rename_tag(_principal(), name, new) == 0:
            raise NotFound()
    except ValidationFailed as exc:
        return _invalid(exc)
    db.session.flush()
    found = next((t for t in queries.tag_counts(_principal()) if t.name == new), queries.TagCount(new, 0))
    return jsonify(TagOut().dump(found))


@bp.delete("/tags/<name>")
def remove_tag(name: str) -> ResponseReturnValue:
    if services.remove_tag(_principal(), name) == 0:
        raise NotFound()
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
