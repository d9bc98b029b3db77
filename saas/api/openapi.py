"""The OpenAPI 3 document, generated from the operations' declarations (saas/api/operations.py): the same
schemas load the requests and dump the answers, and the statuses listed are those the declaration derives,
which the API refuses to answer outside of in tests. Nothing here names a path by hand."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from saas.api.operations import Body, Operation

DESCRIPTION = """\
Atelier's REST API: the same records, rules and record-level access as the staff workspace, for other systems.

Authenticate with a studio's API token: `Authorization: Bearer atl_…` (owners and admins create them under
Studio → API tokens). A token acts as the person who created it, in one studio. Amounts are integer minor units
of the studio's currency (`*_minor`), rates and discounts basis points (`*_bp`). Errors are
`{"errors": {field: [messages]}}`. Every record that can change carries a `version`, returned as a weak ETag:
send it back as `If-Match` on PATCH (without it 428, stale 412; `*` is refused). Lists of clients and projects
are cursor pages: pass `next_cursor` back as `cursor`.
"""

STATUS_WORDS = {
    200: "OK.",
    201: "Created; Location names the new record.",
    202: "Accepted: a job does the work; poll the record it describes.",
    204: "Done; no content.",
    303: "See Other: the file is at the short-lived link in Location.",
    401: "No valid API token (Authorization: Bearer atl_…).",
    403: "The token's role does not allow this action.",
    404: "No such record in this studio, or the token's role may not see it.",
    409: "Someone else changed or created the same thing a moment ago; nothing was written. Read it again.",
    412: "If-Match is stale: the record changed since it was read; nothing was written.",
    413: "The request body is larger than the API accepts.",
    422: 'Bad input: {"errors": {field: [messages]}}; nothing was written.',
    428: "If-Match is missing (or `*`): send the ETag you read, so edits never collide.",
    429: "Rate limit reached for this token; see Retry-After.",
}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def openapi_document() -> dict[str, Any]:
    return _document()


@cache
def _document() -> dict[str, Any]:
    from saas.api.http import api
    from saas.api.schemas import ErrorOut

    spec = APISpec(
        title="Atelier API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=schema_name)],
        info={"description": DESCRIPTION},
        servers=[{"url": "/api/v1"}],
        components={"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        security=[{"bearer": []}],
    )
    spec.components.schema("Error", schema=ErrorOut)
    for op in api:
        spec.path(
            path=_path(op.rule), parameters=_path_parameters(op), operations={op.method.lower(): _operation(spec, op)}
        )
    return _plain(spec.to_dict())


def schema_name(schema: type[Schema] | Schema) -> str | None:
    """A schema's name in the document: an answer's ClientOut → Client, a request's LineApiSchema → LineInput. An
    instance narrowed by only / exclude / partial is written out where it is used, not under the class's name."""
    if not isinstance(schema, type) and (schema.only or schema.exclude or schema.partial):
        return None
    name = (schema if isinstance(schema, type) else type(schema)).__name__
    if name.endswith("Out"):
        return name.removesuffix("Out")
    return name.removesuffix("Schema").removesuffix("Api").removesuffix("Input") + "Input"


def _plain(value: Any) -> Any:
    """JSON's own types: validators' bounds may be Decimals (hours, percentages)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        if name.endswith("_id")
        else {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in op.path_params
    ]


def _operation(spec: APISpec, op: Operation) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": list(op.tags),
        "responses": _responses(spec, op),
    }
    if op.description:
        operation["description"] = op.description
    if op.query is not None:
        operation["parameters"] = [{"in": "query", "schema": op.query}]
    if op.if_match:
        operation.setdefault("parameters", []).append(
            {"name": "If-Match", "in": "header", "required": op.if_match == "required", "schema": {"type": "string"}}
        )
    if op.body is not None:
        operation["requestBody"] = _request_body(spec, op.body)
    return operation


def _request_body(spec: APISpec, body: Body) -> dict[str, Any]:
    return {"required": body.required, "content": {body.media: {"schema": _component(spec, body.name, body)}}}


def _component(spec: APISpec, name: str, what: Body | type[Schema]) -> dict[str, str]:
    """Register a named schema once and refer to it."""
    if name not in spec.components.schemas:
        if isinstance(what, Body):
            if what.schema is None:
                spec.components.schema(name, what.doc)
            else:
                spec.components.schema(name, schema=what.build())
        else:
            spec.components.schema(name, schema=what)
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(spec: APISpec, op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in sorted(op.statuses()):
        if status in op.also:
            responses[str(status)] = _alternative(status, op.also[status])
        elif status == op.status:
            responses[str(status)] = _success(spec, op)
        else:
            responses[str(status)] = {"description": STATUS_WORDS.get(status, ""), "content": ERROR}
    return responses


def _alternative(status: int, media: tuple[str, ...]) -> dict[str, Any]:
    """Another successful answer: a file in one of these media types, or (none) a redirect."""
    answer: dict[str, Any] = {"description": STATUS_WORDS.get(status, "OK.")}
    if media:
        binary = {"schema": {"type": "string", "format": "binary"}}
        answer["content"] = {kind: binary for kind in media}
    else:
        answer["headers"] = {"Location": {"description": "Where the file is.", "schema": {"type": "string"}}}
    return answer


def _success(spec: APISpec, op: Operation) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": STATUS_WORDS.get(op.status, "OK.")}
    if op.produces:
        answer["content"] = {op.produces: {"schema": {"type": "string", "format": "binary"}}}
        return answer
    if op.response is None:
        return answer
    ref = _component(spec, schema_name(op.response) or op.endpoint, op.response)
    if op.paged:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": ref},
                "next_cursor": {"type": "string", "nullable": True},
            },
        }
    elif op.many:
        schema = {"type": "object", "properties": {"data": {"type": "array", "items": ref}}}
    else:
        schema = ref
    answer["content"] = {"application/json": {"schema": schema}}
    if not (op.many or op.paged) and "version" in op.response._declared_fields:
        answer["headers"] = {
            "ETag": {"description": 'The version, weak: W/"3". Send it as If-Match.', "schema": {"type": "string"}}
        }
    return answer
