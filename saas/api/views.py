"""/api/v1: bearer-token authentication, JSON in and out, the one error format, per-token rate limits."""

from __future__ import annotations

from flask import Response, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.api.http import bp, invalid, json_body, listed, precondition_failed, principal, versioned
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
from saas.extensions import db, limiter
from saas.schemas import load
from saas.tenants import queries as tenant_queries
from saas.tenants.models import Tenant


def _client_out(many: bool = False) -> ClientOut:
    """Finance reads the commercial side of a client: no special notes."""
    return ClientOut(many=many, exclude=() if sees_relationship(principal()) else ("notes",))


def _contact_out(many: bool = False) -> ContactOut:
    return ContactOut(many=many, only=None if sees_relationship(principal()) else COMMERCIAL_CONTACT_FIELDS)


def _require_relationship() -> None:
    if not sees_relationship(principal()):
        raise NotAllowed()


def _client_response(client: Client, status: int = 200) -> Response:
    location = url_for("api.client", client_id=client.id) if status == 201 else None
    return versioned(_client_out().dump(client), client.version, status, location)


@bp.get("/clients")
def clients() -> ResponseReturnValue:
    filters = queries.ClientFilters.from_args(request.args)
    page = queries.client_page(principal(), filters, request.args.get("cursor"))
    return jsonify(data=_client_out(many=True).dump(page.clients), next_cursor=page.next_cursor)


@bp.post("/clients")
def create_client() -> ResponseReturnValue:
    try:
        client = services.create_client(principal(), load(client_input(), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return _client_response(client, 201)


@bp.get("/clients/<client_id>")
def client(client_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    return _client_response(found)


@bp.patch("/clients/<client_id>")
def update_client(client_id: str) -> ResponseReturnValue:
    """If-Match is required: a PATCH without it gets 428, one with a stale version gets 412; nothing changes."""
    found = get_client(principal(), client_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        changes = load(client_input(partial=True), json_body())
        services.update_client(principal(), found, {**changes, "version": found.version})
    except ValidationFailed as exc:
        return invalid(exc)
    return _client_response(found)


@bp.delete("/clients/<client_id>")
def archive_client(client_id: str) -> ResponseReturnValue:
    services.set_archived(principal(), get_client(principal(), client_id), True)
    return "", 204


@bp.get("/clients/<client_id>/contacts")
def contacts(client_id: str) -> ResponseReturnValue:
    return listed(_contact_out(many=True), get_client(principal(), client_id).contacts)


@bp.get("/clients/<client_id>/contacts/<contact_id>")
def contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    found = queries.contact_of(get_client(principal(), client_id), contact_id)
    return versioned(_contact_out().dump(found), found.version)


@bp.patch("/clients/<client_id>/contacts/<contact_id>")
def update_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    client_found = get_client(principal(), client_id)
    found = queries.contact_of(client_found, contact_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        services.update_contact(principal(), client_found, found, load(contact_input(partial=True), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return versioned(_contact_out().dump(found), found.version)


@bp.delete("/clients/<client_id>/contacts/<contact_id>")
def remove_contact(client_id: str, contact_id: str) -> ResponseReturnValue:
    client_found = get_client(principal(), client_id)
    services.remove_contact(principal(), client_found, queries.contact_of(client_found, contact_id))
    return "", 204


@bp.post("/clients/<client_id>/contacts")
def add_contact(client_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    try:
        contact = services.add_contact(principal(), found, load(contact_input(), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return versioned(_contact_out().dump(contact), contact.version, 201)


@bp.get("/clients/<client_id>/interactions")
def interactions(client_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    _require_relationship()
    return listed(InteractionOut(many=True), queries.interactions_of(found))


@bp.get("/clients/<client_id>/interactions/<interaction_id>")
def interaction(client_id: str, interaction_id: str) -> ResponseReturnValue:
    found = queries.interaction_of(get_client(principal(), client_id), interaction_id)
    _require_relationship()
    return versioned(InteractionOut().dump(found), found.version)


@bp.patch("/clients/<client_id>/interactions/<interaction_id>")
def update_interaction(client_id: str, interaction_id: str) -> ResponseReturnValue:
    found = queries.interaction_of(get_client(principal(), client_id), interaction_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        services.update_interaction(principal(), found, load(interaction_input(partial=True), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    return versioned(InteractionOut().dump(found), found.version)


@bp.post("/clients/<client_id>/interactions")
def log_interaction(client_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    try:
        interaction = services.log_interaction(principal(), found, load(interaction_input(), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return versioned(InteractionOut().dump(interaction), interaction.version, 201)


@bp.get("/members")
def members() -> ResponseReturnValue:
    """The studio's people and their roles (read only; invitations and role changes stay in the workspace)."""
    return listed(MemberOut(many=True), tenant_queries.members())


@bp.get("/clients/<client_id>/shares")
def shares(client_id: str) -> ResponseReturnValue:
    return listed(ShareOut(many=True), queries.shares_of(get_client(principal(), client_id)))


@bp.post("/clients/<client_id>/shares")
def share_client(client_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    timezone = db.session.get(Tenant, principal().tenant_id).timezone
    try:
        share = services.share_client(principal(), found, load(share_input(), json_body()), timezone)
    except ValidationFailed as exc:
        return invalid(exc)
    return jsonify(ShareOut().dump(share)), 201


@bp.delete("/clients/<client_id>/shares/<share_id>")
def revoke_share(client_id: str, share_id: str) -> ResponseReturnValue:
    found = get_client(principal(), client_id)
    services.revoke_share(principal(), found, queries.share_of(found, share_id))
    return "", 204


@bp.get("/tags")
def tags() -> ResponseReturnValue:
    return listed(TagOut(many=True), queries.tag_counts(principal()))


@bp.patch("/tags/<name>")
def rename_tag(name: str) -> ResponseReturnValue:
    """Rename on every client of the studio (merging into an existing tag); managers and above."""
    try:
        new = load(tag_rename_input(), json_body())["name"]
        if services.rename_tag(principal(), name, new) == 0:
            raise NotFound()
    except ValidationFailed as exc:
        return invalid(exc)
    db.session.flush()
    found = next((t for t in queries.tag_counts(principal()) if t.name == new), queries.TagCount(new, 0))
    return jsonify(TagOut().dump(found))


@bp.delete("/tags/<name>")
def remove_tag(name: str) -> ResponseReturnValue:
    if services.remove_tag(principal(), name) == 0:
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
