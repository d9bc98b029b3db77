"""One way to write an API endpoint: its contract is declared where it is routed.

    @api.patch("/clients/<client_id>", summary="Change some fields of a client", resolves={"client": get_client},
               body=CLIENT_PATCH, response=ClientOut, if_match="required")
    def update_client(client: Client, body: dict) -> Client:
        check_version(client.version)
        services.update_client(principal(), client, {**body, "version": client.version})
        return client

The declaration routes the view on the API blueprint and, in this order: looks up the records the path names
through their access helpers (`resolves`: the view gets `client`; another studio's id is a 404 before anything
else is read); loads the query string and the JSON body through the declared schemas (the view gets `query=`
and `body=`; refused input raises ValidationFailed, which the API's one error handler answers with 422);
serialises what the view returns with the response schema (a record, a list for `many`, a `Page` for `paged`,
None for 204), its version as a weak ETag, a Location for 201. The OpenAPI document is generated from the same
declarations (saas/api/openapi.py). The statuses an operation can answer are derived from them (401 and 429
always; 404 with path parameters; 422 with a query; 403, 409 and 422 for writes; 412 and 428 with If-Match),
plus the other successful answers declared with `also` (a file beside a job, a redirect), so the document lists
every one, and in tests (ATELIER_ENV=test) an answer with a status its operation does not declare, or a declared
If-Match the view never checked, fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any, Literal

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from marshmallow import EXCLUDE, RAISE, Schema

from saas.api import dumping
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.schemas import CurrencySchema, load
from saas.tenants.roles import Perm, require
from saas.web.pages import ChildOf, Loader

IfMatch = Literal["required", "optional"] | None
WRITES = ("POST", "PATCH", "PUT", "DELETE")


@dataclass(frozen=True)
class Body:
    """A JSON request body: `schema` loads it strictly (unknown fields refused). The version never travels in a
    body (it is If-Match), hence the default exclude. `media` other than JSON is documented only (`doc`)."""

    schema: type[Schema] | None
    name: str
    partial: bool = False
    exclude: tuple[str, ...] = ("version",)
    media: str = "application/json"
    doc: dict[str, Any] | None = None  # a raw JSON Schema, for bodies no marshmallow schema describes
    required: bool = True

    def patch(self, name: str | None = None) -> Body:
        """The same body for PATCH: every field optional."""
        return Body(self.schema, name or self.name.replace("Input", "Patch"), partial=True, exclude=self.exclude)

    def build(self, currency: str = "CNY") -> Schema:
        assert self.schema is not None
        kwargs: dict[str, Any] = {"unknown": RAISE, "partial": self.partial}
        if self.exclude and any(name in self.schema._declared_fields for name in self.exclude):
            kwargs["exclude"] = tuple(n for n in self.exclude if n in self.schema._declared_fields)
        if issubclass(self.schema, CurrencySchema):
            kwargs["currency"] = currency
        return self.schema(**kwargs)


@dataclass(frozen=True)
class Page:
    """What a paged list view returns: this page's records and the cursor of the next page (None at the end)."""

    items: list[Any]
    next_cursor: str | None


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask's, /clients/<client_id>, under the blueprint's /api/v1
    endpoint: str
    summary: str
    description: str | None
    query: type[Schema] | None = None
    body: Body | None = None
    response: type[Schema] | None = None
    many: bool = False
    paged: bool = False
    status: int = 200
    if_match: IfMatch = None
    errors: tuple[int, ...] = ()  # statuses beyond the derived ones (a GET that may answer 403)
    location: str | None = None  # the endpoint a 201 points at, with the new record's id
    produces: str | None = None  # a media type other than JSON (the quote's PDF): the view returns a Response
    # Other successful answers the view may return as a Response: {status: media types} (a small export is the file
    # itself, 200, where a large one is a job, 202); no media types: a redirect (a file in the bucket, 303).
    also: dict[int, tuple[str, ...]] = field(default_factory=dict)
    audience: Callable[[], dict[str, Any]] | None = None  # only/exclude for this caller (finance: no notes)
    resolves: dict[str, Loader | ChildOf] = field(default_factory=dict)  # records the path names, looked up first
    perm: Perm | None = None  # the role's permission, checked once the records are found (403 before any 422)
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.rule)

    def statuses(self) -> set[int]:
        found = {self.status, 401, 429, *self.errors, *self.also}
        if self.perm is not None:
            found.add(403)
        if self.path_params:
            found.add(404)
        if self.body is not None:
            found.add(413)
        if self.query is not None:
            found.add(422)
        if self.method in WRITES:
            # Roles are checked by the services (403); a state may refuse the change (422: a sent quote, a
            # locked version); a write can lose a race with another (409).
            found |= {403, 409, 422}
        if self.if_match:
            found |= {412, 428}  # stale, or missing / `*` (a blind overwrite)
        return found


class Api:
    """The registry of the API's operations, bound to its blueprint."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint
        self.operations: dict[str, Operation] = {}

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations.values())

    def get(self, rule: str, **declared: Any) -> Callable[[Callable], Callable]:
        return self.operation("GET", rule, **declared)

    def post(self, rule: str, **declared: Any) -> Callable[[Callable], Callable]:
        return self.operation("POST", rule, **declared)

    def patch(self, rule: str, **declared: Any) -> Callable[[Callable], Callable]:
        return self.operation("PATCH", rule, **declared)

    def delete(self, rule: str, **declared: Any) -> Callable[[Callable], Callable]:
        return self.operation("DELETE", rule, **declared)

    def operation(
        self, method: str, rule: str, *, summary: str, endpoint: str | None = None, defaults: dict | None = None, **kw
    ) -> Callable[[Callable], Callable]:
        """Declare and route one operation; `defaults` fill view arguments (one view serving several actions)."""

        def register(view: Callable) -> Callable:
            name = endpoint or view.__name__
            kw.setdefault("status", 200 if kw.get("response") or kw.get("produces") else 204)
            description = (view.__doc__ or "").strip() or None
            tags = (rule.strip("/").split("/")[0],)
            op = Operation(method, rule, name, summary, description, tags=tags, **kw)
            self.operations[name] = op
            options = {"defaults": defaults} if defaults else {}
            self.blueprint.add_url_rule(rule, name, _handler(op, view), methods=[method], **options)
            return view

        return register

    def current(self) -> Operation | None:
        endpoint = (request.endpoint or "").removeprefix(f"{self.blueprint.name}.")
        return self.operations.get(endpoint)


def _handler(op: Operation, view: Callable) -> Callable:
    @wraps(view)
    def handle(**path: Any) -> Response:
        _resolve(op, path)  # another studio's record is a 404 whatever the body says
        if op.perm is not None:
            require(g.principal, op.perm)
        if op.query is not None:
            path["query"] = load(_query_schema(op.query), request.args.to_dict())
        if op.body is not None and op.body.schema is not None:
            sent = json_body() if op.body.required or request.content_length else {}
            path["body"] = load(op.body.build(_currency()), sent)
        return _answer(op, view(**path))

    return handle


@cache
def _query_schema(schema_class: type[Schema]) -> Schema:
    """One instance per query schema: making one deep-copies its declared fields (~0.2 ms a request), and loading
    keeps nothing in it (messages are translated when a load fails, in the caller's language)."""
    return schema_class(unknown=EXCLUDE)


def _resolve(op: Operation, path: dict[str, Any]) -> None:
    for name, loader in op.resolves.items():
        raw = path.pop(f"{name}_id")
        parent = path[loader.parent] if isinstance(loader, ChildOf) else None
        path[name] = loader.load(parent, raw) if isinstance(loader, ChildOf) else loader(g.principal, raw)


def _currency() -> str:
    from saas.tenants.queries import studio_currency

    return studio_currency(g.principal.tenant_id)


def json_body() -> dict[str, Any]:
    """The request's JSON object; anything else (no JSON, a list, a number) is refused with a clear message."""
    from flask_babel import gettext as _

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": [_("Send a JSON object with Content-Type: application/json.")]})
    return body


def _answer(op: Operation, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if op.status == 204 or op.response is None:
        return Response(status=204)
    db.session.flush()  # ids, defaults and the bumped version (the ETag) are known once flushed
    options = op.audience() if op.audience is not None else {}
    if op.paged:
        body: Any = {"data": _dump(op, result.items, True, options), "next_cursor": result.next_cursor}
    elif op.many:
        body = {"data": _dump(op, result, True, options)}
    else:
        body = _dump(op, result, False, options)
    response = jsonify(body)
    response.status_code = op.status
    version = getattr(result, "version", None) if not (op.many or op.paged) else None
    if isinstance(version, int):
        response.set_etag(str(version), weak=True)
    if op.status == 201 and op.location:
        response.headers["Location"] = url_for(op.location, **{_id_param(op.location): result.id})
    return response


def _dump(op: Operation, result: Any, many: bool, options: dict[str, Any]) -> Any:
    assert op.response is not None
    body = dumping.dump(op.response, result, many=many, **options)
    if current_app.extensions["atelier.settings"].check_api_dumps:
        # Every answer of the suite checks the fast dump against marshmallow's own (saas/api/dumping.py).
        slow = dumping.dump_slowly(op.response, result, many=many, **options)
        if body != slow:
            raise AssertionError(f"{op.endpoint}: the fast dump differs from marshmallow's: {body!r} != {slow!r}")
    return body


def _id_param(endpoint: str) -> str:
    """The path parameter naming the record at `endpoint` (api.client → client_id)."""
    rule = next(current_app.url_map.iter_rules(endpoint)).rule
    return re.findall(r"<(?:\w+:)?(\w+)>", rule)[-1]
