"""/api/v1 for the client hub: clients, their contacts, follow-ups and shares, tags, the studio's members; and
the OpenAPI document generated from every operation's declaration, with a readable page of it."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Row
from werkzeug.exceptions import NotFound

from saas.api.http import api, bp, check_version, principal
from saas.api.openapi import openapi_document
from saas.api.operations import Page
from saas.api.schemas import (
    CLIENT_IN,
    CLIENT_PATCH,
    CONTACT_IN,
    CONTACT_PATCH,
    INTERACTION_IN,
    INTERACTION_PATCH,
    SHARE_IN,
    TAG_RENAME,
    ClientListQuery,
    ClientOut,
    ContactListQuery,
    ContactOut,
    InteractionOut,
    MemberOut,
    ShareOut,
    TagOut,
    refuse_problems,
)
from saas.clients import queries, services
from saas.clients.access import COMMERCIAL_CONTACT_FIELDS, get_client, sees_relationship
from saas.clients.contact_list import ContactFilters, contact_page
from saas.clients.models import Client, ClientShare, Contact, Interaction
from saas.errors import NotAllowed
from saas.extensions import db, limiter
from saas.fields import queries as custom_filters
from saas.tenants import queries as tenant_queries
from saas.tenants.models import Membership, Tenant
from saas.web.pages import ChildOf


def _client_fields() -> dict[str, Any]:
    """Finance reads the commercial side of a client: no special notes, nor when it was last followed up."""
    return {} if sees_relationship(principal()) else {"exclude": ("notes", "last_contact_at")}


def _contact_fields() -> dict[str, Any]:
    return {} if sees_relationship(principal()) else {"only": COMMERCIAL_CONTACT_FIELDS}


def _require_relationship() -> None:
    if not sees_relationship(principal()):
        raise NotAllowed()


CLIENT = {"response": ClientOut, "audience": _client_fields}
CONTACT = {"response": ContactOut, "audience": _contact_fields}
OF_CLIENT = {"resolves": {"client": get_client}}
OF_CONTACT = {"resolves": {"client": get_client, "contact": ChildOf("client", queries.contact_of)}}
OF_INTERACTION = {"resolves": {"client": get_client, "interaction": ChildOf("client", queries.interaction_of)}}


@api.get(
    "/clients",
    summary="List clients the token can see (cursor pages of 50)",
    query=ClientListQuery,
    **CLIENT,
    paged=True,
)
def clients(query: dict[str, str]) -> Page:
    """Filter on the studio's own fields with `cf.<key>=value` (equals; a multiple choice: holds the option),
    `cf.<key>.contains=…`, `cf.<key>.min=…` / `cf.<key>.max=…` (a range, either end open) and
    `cf.<key>.empty=1` (no value) or `0` (any value); GET /custom-fields says which each field offers. A key the
    token cannot see, or a value its type cannot read, matches nothing."""
    filters = queries.ClientFilters.from_args({**query, **dict(custom_filters.filter_args(request.args))})
    refuse_problems(filters.problems)
    page = queries.client_rows(principal(), filters, query["cursor"] or None)
    return Page(page.clients, page.next_cursor)


@api.post("/clients", summary="Create a client", body=CLIENT_IN, **CLIENT, status=201, location="api.client")
def create_client(body: dict[str, Any]) -> Client:
    return services.create_client(principal(), body)


@api.get("/clients/<client_id>", summary="Read a client", resolves={"client": queries.client_row}, **CLIENT)
def client(client: Row) -> Row:
    return client


@api.patch(
    "/clients/<client_id>",
    summary="Change some fields of a client",
    **OF_CLIENT,
    body=CLIENT_PATCH,
    **CLIENT,
    if_match="required",
)
def update_client(client: Client, body: dict[str, Any]) -> Client:
    check_version(client.version)
    services.update_client(principal(), client, {**body, "version": client.version})
    return client


@api.delete("/clients/<client_id>", summary="Archive a client (it can be restored in the workspace)", **OF_CLIENT)
def archive_client(client: Client) -> None:
    services.set_archived(principal(), client, True)


@api.get(
    "/contacts",
    summary="List the contacts of the clients the token can see, by name (cursor pages of 50)",
    query=ContactListQuery,
    **CONTACT,
    paged=True,
)
def all_contacts(query: dict[str, str]) -> Page:
    """Contacts of archived clients are left out. Filter on the studio's own contact fields with `cf.<key>…`, as
    GET /clients does on client fields (GET /custom-fields?entity=contact lists them)."""
    filters = ContactFilters.from_args({"q": query["q"], **dict(custom_filters.filter_args(request.args))})
    page = contact_page(principal(), filters, query["cursor"] or None)
    return Page(page.contacts, page.next_cursor)


@api.get("/clients/<client_id>/contacts", summary="A client's contacts", **OF_CLIENT, **CONTACT, many=True)
def contacts(client: Client) -> list[Contact]:
    """Filter on the studio's own contact fields with `cf.<key>…`, as GET /clients does on client fields
    (GET /custom-fields?entity=contact lists them)."""
    return queries.contacts_of(principal(), client, custom_filters.filter_args(request.args))


@api.post("/clients/<client_id>/contacts", summary="Add a contact", **OF_CLIENT, body=CONTACT_IN, **CONTACT, status=201)
def add_contact(client: Client, body: dict[str, Any]) -> Contact:
    return services.add_contact(principal(), client, body)


@api.get("/clients/<client_id>/contacts/<contact_id>", summary="Read a contact", **OF_CONTACT, **CONTACT)
def contact(client: Client, contact: Contact) -> Contact:
    return contact


@api.patch(
    "/clients/<client_id>/contacts/<contact_id>",
    summary="Change some fields of a contact",
    **OF_CONTACT,
    body=CONTACT_PATCH,
    **CONTACT,
    if_match="required",
)
def update_contact(client: Client, contact: Contact, body: dict[str, Any]) -> Contact:
    check_version(contact.version)
    services.update_contact(principal(), client, contact, {**body, "version": contact.version})
    return contact


@api.delete("/clients/<client_id>/contacts/<contact_id>", summary="Remove a contact", **OF_CONTACT)
def remove_contact(client: Client, contact: Contact) -> None:
    services.remove_contact(principal(), client, contact)


@api.get(
    "/clients/<client_id>/interactions",
    summary="A client's follow-ups, newest first",
    **OF_CLIENT,
    response=InteractionOut,
    many=True,
    errors=(403,),
)
def interactions(client: Client) -> list[Interaction]:
    _require_relationship()
    return queries.interactions_of(client)


@api.post(
    "/clients/<client_id>/interactions",
    summary="Log a follow-up (call, WeChat, e-mail, meeting, visit, note)",
    **OF_CLIENT,
    body=INTERACTION_IN,
    response=InteractionOut,
    status=201,
)
def log_interaction(client: Client, body: dict[str, Any]) -> Interaction:
    return services.log_interaction(principal(), client, body)


@api.get(
    "/clients/<client_id>/interactions/<interaction_id>",
    summary="Read a follow-up",
    **OF_INTERACTION,
    response=InteractionOut,
    errors=(403,),
)
def interaction(client: Client, interaction: Interaction) -> Interaction:
    _require_relationship()
    return interaction


@api.patch(
    "/clients/<client_id>/interactions/<interaction_id>",
    summary="Correct a follow-up (its author, or someone who sees every client)",
    **OF_INTERACTION,
    body=INTERACTION_PATCH,
    response=InteractionOut,
    if_match="required",
)
def update_interaction(client: Client, interaction: Interaction, body: dict[str, Any]) -> Interaction:
    check_version(interaction.version)
    services.update_interaction(principal(), interaction, body)
    return interaction


@api.get(
    "/clients/<client_id>/shares", summary="Who the client is shared with", **OF_CLIENT, response=ShareOut, many=True
)
def shares(client: Client) -> list[ClientShare]:
    return queries.shares_of(client)


@api.post(
    "/clients/<client_id>/shares",
    summary="Share the client with a member, optionally until a date",
    **OF_CLIENT,
    body=SHARE_IN,
    response=ShareOut,
    status=201,
)
def share_client(client: Client, body: dict[str, Any]) -> ClientShare:
    timezone = db.session.get(Tenant, principal().tenant_id).timezone
    return services.share_client(principal(), client, body, timezone)


@api.delete(
    "/clients/<client_id>/shares/<share_id>",
    summary="Stop sharing the client with that member",
    resolves={"client": get_client, "share": ChildOf("client", queries.share_of)},
)
def revoke_share(client: Client, share: ClientShare) -> None:
    services.revoke_share(principal(), client, share)


@api.get(
    "/tags", summary="Tags on the clients the token can see, most used first (500 at most)", response=TagOut, many=True
)
def tags() -> list[queries.TagCount]:
    return queries.tag_counts(principal())


@api.patch(
    "/tags/<name>",
    summary="Rename a tag on every client (merges into an existing tag); managers and above",
    body=TAG_RENAME,
    response=TagOut,
)
def rename_tag(name: str, body: dict[str, Any]) -> queries.TagCount:
    if services.rename_tag(principal(), name, body["name"]) == 0:
        raise NotFound()
    db.session.flush()
    found = (t for t in queries.tag_counts(principal()) if t.name == body["name"])
    return next(found, queries.TagCount(body["name"], 0))


@api.delete("/tags/<name>", summary="Remove a tag from every client; managers and above")
def remove_tag(name: str) -> None:
    if services.remove_tag(principal(), name) == 0:
        raise NotFound()


@api.get("/members", summary="The studio's people and their roles (read only)", response=MemberOut, many=True)
def members() -> list[Membership]:
    """Invitations and role changes stay in the workspace."""
    return tenant_queries.members()


@bp.get("/openapi.json")
@limiter.exempt
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/docs")
@limiter.exempt
def docs() -> ResponseReturnValue:
    """A readable reference rendered from the same document (no third-party viewer to load)."""
    return render_template("api/docs.html", spec=openapi_document())
