"""The OpenAPI 3 document, built from the same marshmallow schemas the API validates and answers with."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from saas.api.schemas import (
    ClientOut,
    ContactOut,
    ErrorOut,
    InteractionOut,
    MemberOut,
    ProjectOut,
    ShareOut,
    StageChangeOut,
    StageOut,
    TagOut,
    TaskOut,
    client_input,
    contact_input,
    interaction_input,
    project_input,
    share_input,
    tag_rename_input,
    task_input,
)

ERRORS = {
    "401": "No valid API token (Authorization: Bearer atl_…).",
    "404": "No such record in this studio, or the token's role may not see it.",
    "422": 'Bad input: {"errors": {field: [messages]}}; nothing was written.',
    "429": "Rate limit reached for this token; see Retry-After.",
    "403": "The token's role does not allow this action.",
}
ID = {"name": "client_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
LIST_PARAMS = [
    {
        "name": "q",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Fragment of the name, a contact's name, phone, e-mail or WeChat id, or a tag.",
    },
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["potential", "intent", "signed", "past"]}},
    {"name": "owner", "in": "query", "schema": {"type": "string"}, "description": "A user id, or `me`."},
    {"name": "tag", "in": "query", "schema": {"type": "string"}, "description": "Exact tag."},
    {"name": "source", "in": "query", "schema": {"type": "string"}, "description": "Exact source channel."},
    {"name": "industry", "in": "query", "schema": {"type": "string"}, "description": "Exact industry."},
    {"name": "quiet_days", "in": "query", "schema": {"type": "integer"}, "description": "No follow-up for N days."},
    {"name": "archived", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["name", "recent"]}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "`next_cursor` of the last page."},
]


def _responses(ok: str, schema: str | None, *extra: str, list_of: bool = False) -> dict[str, Any]:
    content = None
    if schema:
        ref = {"$ref": f"#/components/schemas/{schema}"}
        body = (
            {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": ref},
                    "next_cursor": {"type": "string", "nullable": True},
                },
            }
            if list_of
            else ref
        )
        content = {"application/json": {"schema": body}}
    responses: dict[str, Any] = {ok: {"description": "OK", **({"content": content} if content else {})}}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for code in ("401", "404", "429", *extra):
        responses[code] = {"description": ERRORS.get(code, code), "content": error}
    return responses


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _patch(schema: str, what: str) -> dict[str, Any]:
    responses = _responses("200", schema, "412", "422", "428")
    responses["412"]["description"] = f"If-Match is stale: someone changed the {what}; nothing was written."
    responses["428"]["description"] = "If-Match is missing: PATCH always needs the ETag you read."
    return {
        "summary": f"Change some fields of the {what} (If-Match required)",
        "requestBody": _body(f"{schema}Patch"),
        "parameters": [{"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}],
        "responses": responses,
    }


def _read(schema: str, what: str, etag: dict[str, Any], *extra: str) -> dict[str, Any]:
    responses = _responses("200", schema, *extra)
    responses["200"]["headers"] = etag
    return {"summary": f"Read a {what}", "responses": responses}


def _child_paths(spec: APISpec, etag: dict[str, Any]) -> None:
    """One contact and one follow-up of a client: read, PATCH with If-Match, and (contacts) remove."""
    for collection, name, schema, what in (
        ("contacts", "contact_id", "Contact", "contact"),
        ("interactions", "interaction_id", "Interaction", "follow-up"),
    ):
        child = {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        operations = {"get": _read(schema, what, etag, "403"), "patch": _patch(schema, what)}
        operations["patch"]["responses"]["403"] = {
            "description": ERRORS["403"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if collection == "contacts":
            operations["delete"] = {"summary": "Remove a contact", "responses": _responses("204", None, "403")}
        spec.path(path=f"/clients/{{client_id}}/{collection}/{{{name}}}", parameters=[ID, child], operations=operations)


def _tag_paths(spec: APISpec) -> None:
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    spec.path(
        path="/tags",
        operations={
            "get": {
                "summary": "Tags on the clients the token can see, most used first (500 at most)",
                "responses": _responses("200", "Tag", list_of=True),
            }
        },
    )
    spec.path(
        path="/tags/{name}",
        parameters=[name],
        operations={
            "patch": {
                "summary": "Rename a tag on every client (merges into an existing tag); managers and above",
                "requestBody": _body("TagRename"),
                "responses": _responses("200", "Tag", "403", "422"),
            },
            "delete": {
                "summary": "Remove a tag from every client; managers and above",
                "responses": _responses("204", None, "403"),
            },
        },
    )


def _with_403(operation: dict[str, Any]) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    operation["responses"].setdefault("403", {"description": ERRORS["403"], "content": error})
    return operation


PROJECT_PARAMS = [
    {"name": "owner", "in": "query", "schema": {"type": "string"}, "description": "A user id, or `me`."},
    {"name": "client", "in": "query", "schema": {"type": "string", "format": "uuid"}},
    {"name": "stage", "in": "query", "schema": {"type": "string", "format": "uuid"}},
    {"name": "type", "in": "query", "schema": {"type": "string"}},
    {"name": "archived", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "`next_cursor` of the last page."},
]


def _project_paths(spec: APISpec, etag: dict[str, Any]) -> None:
    """Stages, projects (amounts in integer minor units of the studio's currency), stage history, tasks."""
    project_id = {"name": "project_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    spec.path(
        path="/stages",
        operations={
            "get": {
                "summary": "The pipeline: open stages in board order, then won and lost",
                "responses": _responses("200", "Stage", list_of=True),
            }
        },
    )
    spec.path(
        path="/projects",
        operations={
            "get": {
                "summary": "List projects, most recently updated first (cursor pages of 50)",
                "parameters": PROJECT_PARAMS,
                "responses": _responses("200", "Project", list_of=True),
            },
            "post": _with_403(
                {
                    "summary": "Create a project for a client (first open stage unless stage_id)",
                    "requestBody": _body("ProjectInput"),
                    "responses": _responses("201", "Project", "422"),
                }
            ),
        },
    )
    patch = _with_403(_patch("Project", "project"))
    patch["summary"] += "; a new stage_id moves it and records the move"
    spec.path(
        path="/projects/{project_id}",
        parameters=[project_id],
        operations={
            "get": _read("Project", "project", etag),
            "patch": patch,
            "delete": _with_403({"summary": "Archive a project", "responses": _responses("204", None)}),
        },
    )
    spec.path(
        path="/projects/{project_id}/stage-changes",
        parameters=[project_id],
        operations={
            "get": {
                "summary": "Every move of the project, newest first, with time spent in the stage left",
                "responses": _responses("200", "StageChange", list_of=True),
            }
        },
    )
    spec.path(
        path="/projects/{project_id}/tasks",
        parameters=[project_id],
        operations={
            "get": {"summary": "The project's tasks", "responses": _responses("200", "Task", list_of=True)},
            "post": _with_403(
                {
                    "summary": "Add a task to the project",
                    "requestBody": _body("TaskInput"),
                    "responses": _responses("201", "Task", "422"),
                }
            ),
        },
    )
    spec.path(
        path="/tasks",
        operations={
            "get": {
                "summary": "The token person's open tasks, soonest first",
                "responses": _responses("200", "Task", list_of=True),
            },
            "post": _with_403(
                {
                    "summary": "Add a task to a client (client_id)",
                    "requestBody": _body("TaskInput"),
                    "responses": _responses("201", "Task", "422"),
                }
            ),
        },
    )
    spec.path(
        path="/tasks/{task_id}",
        parameters=[task_id],
        operations={"get": _read("Task", "task", etag), "patch": _with_403(_patch("Task", "task"))},
    )


def _billing_components(spec: APISpec) -> None:
    from saas.api.schemas import (
        AgeingOut,
        ContractOut,
        InvoiceOut,
        PaymentOut,
        QuoteOut,
        comment_input,
        contract_input,
        invoice_input,
        payment_input,
        quote_input,
        schedule_input,
    )

    for name, schema in (
        ("Quote", QuoteOut),
        ("QuoteInput", quote_input("CNY")),
        ("QuotePatch", quote_input("CNY", partial=True)),
        ("Contract", ContractOut),
        ("ContractInput", contract_input("CNY")),
        ("ContractPatch", contract_input("CNY", partial=True)),
        ("Invoice", InvoiceOut),
        ("InvoiceInput", invoice_input("CNY")),
        ("InvoicePatch", invoice_input("CNY", partial=True)),
        ("Payment", PaymentOut),
        ("PaymentInput", payment_input("CNY")),
        ("Schedule", schedule_input()),
        ("Comment", comment_input()),
        ("Ageing", AgeingOut),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.schema(
        "Decision", {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    )
    spec.components.schema(
        "Void", {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
    )


def _action(summary: str, schema: str, body: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": _responses("200", schema, "403", "422")}
    if body:
        operation["requestBody"] = _body(body)
    return operation


def _document_paths(spec: APISpec, etag: dict[str, Any], plural: str, schema: str, what: str) -> None:
    ident = {"name": f"{what}_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    status = {"name": "status", "in": "query", "schema": {"type": "string"}}
    spec.path(
        path=f"/{plural}",
        operations={
            "get": {
                "summary": f"List {plural} (200 newest)",
                "parameters": [status],
                "responses": _responses("200", schema, list_of=True),
            },
            "post": _with_403(
                {
                    "summary": f"Create a {what}",
                    "requestBody": _body(f"{schema}Input"),
                    "responses": _responses("201", schema, "422"),
                }
            ),
        },
    )
    spec.path(
        path=f"/{plural}/{{{what}_id}}",
        parameters=[ident],
        operations={"get": _read(schema, what, etag), "patch": _with_403(_patch(schema, what))},
    )


def _billing_paths(spec: APISpec, etag: dict[str, Any]) -> None:
    """Quotes, contracts, invoices, payments, receivables: minor units and basis points throughout."""
    _billing_components(spec)
    for plural, schema, what in (
        ("quotes", "Quote", "quote"),
        ("contracts", "Contract", "contract"),
        ("invoices", "Invoice", "invoice"),
    ):
        _document_paths(spec, etag, plural, schema, what)

    def ident(what: str) -> dict[str, Any]:
        return {"name": f"{what}_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}

    quote_actions = {
        "request-approval": ("Ask a manager to approve a discount beyond the studio's threshold", None),
        "approve": ("Approve the discount (managers and above)", None),
        "reject": ("Send the discount back to draft (managers and above)", None),
        "send": ("Mark as sent to the client (refused when expired or awaiting approval)", None),
        "accept": ("Record the client's acceptance: who answered", "Decision"),
        "decline": ("Record the client's refusal: who answered", "Decision"),
    }
    for action, (summary, body) in quote_actions.items():
        spec.path(
            path=f"/quotes/{{quote_id}}/{action}",
            parameters=[ident("quote")],
            operations={"post": _action(summary, "Quote", body)},
        )
    for action, summary in (
        ("submit", "Submit for approval (the chain is fixed now)"),
        ("approve", "Approve the pending step (its role, or the owner)"),
        ("reject", "Send back to draft, with a comment"),
    ):
        spec.path(
            path=f"/contracts/{{contract_id}}/{action}",
            parameters=[ident("contract")],
            operations={"post": _action(summary, "Contract", None if action == "submit" else "Comment")},
        )
    for kind, what in (("quotes", "quote"), ("contracts", "contract")):
        spec.path(
            path=f"/{kind}/{{{what}_id}}/invoices",
            parameters=[ident(what)],
            operations={
                "post": _with_403(
                    {
                        "summary": "Invoices in parts adding up to 100% (deposit, milestones, final)",
                        "requestBody": _body("Schedule"),
                        "responses": _responses("201", "Invoice", "422", list_of=True),
                    }
                )
            },
        )
    spec.path(
        path="/invoices/{invoice_id}/send",
        parameters=[ident("invoice")],
        operations={"post": _action("Mark as sent to the client", "Invoice")},
    )
    spec.path(
        path="/invoices/{invoice_id}/void",
        parameters=[ident("invoice")],
        operations={"post": _action("Void, with a reason (not once paid)", "Invoice", "Void")},
    )
    spec.path(
        path="/invoices/{invoice_id}/payments",
        parameters=[ident("invoice")],
        operations={
            "get": {"summary": "Payments of the invoice", "responses": _responses("200", "Payment", list_of=True)},
            "post": _with_403(
                {
                    "summary": "Record a payment (finance, managers, admins); never more than the balance",
                    "requestBody": _body("PaymentInput"),
                    "responses": _responses("201", "Payment", "412", "422"),
                }
            ),
        },
    )
    _cost_and_file_paths(spec, ident)
    spec.path(
        path="/receivables",
        operations={
            "get": {
                "summary": "Outstanding balances by client: not yet due, 1-30, 31-60, 61-90, 90+ days",
                "responses": _responses("200", "Ageing", list_of=True),
            }
        },
    )


def _cost_and_file_paths(spec: APISpec, ident: Any) -> None:
    """Project costs, the quote PDF, and the contract's signed copy (multipart)."""
    from saas.api.schemas import CostOut, cost_input

    spec.components.schema("Cost", schema=CostOut)
    spec.components.schema("CostInput", schema=cost_input("CNY"))
    project_id = ident("project")
    cost_id = {"name": "cost_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    spec.path(
        path="/projects/{project_id}/costs",
        parameters=[project_id],
        operations={
            "get": {"summary": "The project's costs", "responses": _responses("200", "Cost", list_of=True)},
            "post": _with_403(
                {
                    "summary": "Record time (hours × rate_minor) or an expense (amount_minor)",
                    "requestBody": _body("CostInput"),
                    "responses": _responses("201", "Cost", "422"),
                }
            ),
        },
    )
    spec.path(
        path="/projects/{project_id}/costs/{cost_id}",
        parameters=[project_id, cost_id],
        operations={"delete": _with_403({"summary": "Remove a cost", "responses": _responses("204", None)})},
    )
    pdf = _responses("200", None)
    pdf["200"]["content"] = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    spec.path(
        path="/quotes/{quote_id}/pdf",
        parameters=[ident("quote")],
        operations={"get": {"summary": "The quote as a PDF, in its language", "responses": pdf}},
    )
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "signed_on": {"type": "string", "format": "date"},
        },
    }
    sign = _action("Attach the signed copy (PDF, PNG or JPEG, checked by content) and mark signed", "Contract")
    sign["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": form}}}
    spec.path(path="/contracts/{contract_id}/sign", parameters=[ident("contract")], operations={"post": sign})


def _proofing_paths(spec: APISpec) -> None:
    """Draft versions with their reviewers, files and comment threads; staff comments and resolving threads; the
    token person's notifications."""
    from saas.api.schemas import (
        DraftCommentOut,
        DraftDetailOut,
        DraftFileOut,
        DraftOut,
        DraftReplyOut,
        DraftReviewerOut,
        DraftThreadOut,
        NotificationOut,
        draft_comment_input,
    )

    for name, schema in (
        ("DraftReviewer", DraftReviewerOut),
        ("DraftFile", DraftFileOut),
        ("DraftReply", DraftReplyOut),
        ("DraftThread", DraftThreadOut),
        ("DraftComment", DraftCommentOut),
        ("DraftCommentInput", draft_comment_input()),
        ("Draft", DraftOut),
        ("DraftDetail", DraftDetailOut),
        ("Notification", NotificationOut),
    ):
        spec.components.schema(name, schema=schema)

    def ident(what: str) -> dict[str, Any]:
        return {"name": f"{what}_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}

    spec.path(
        path="/projects/{project_id}/drafts",
        parameters=[ident("project")],
        operations={
            "get": {
                "summary": "The project's draft versions, newest first, with each reviewer's decision",
                "responses": _responses("200", "Draft", list_of=True),
            }
        },
    )
    spec.path(
        path="/drafts/{draft_id}",
        parameters=[ident("draft")],
        operations={
            "get": {
                "summary": "A draft version with its files and every comment thread (pins numbered as on the page)",
                "responses": _responses("200", "DraftDetail"),
            }
        },
    )
    comment = _with_403(
        {
            "summary": "Comment as staff: a pin (file_id, page, x and y from 0 to 1), a general comment, or a "
            "reply (parent_id); open from submission until a later version is sent",
            "requestBody": _body("DraftCommentInput"),
            "responses": _responses("201", "DraftComment", "422"),
        }
    )
    spec.path(path="/drafts/{draft_id}/comments", parameters=[ident("draft")], operations={"post": comment})
    for action, summary in (
        ("resolve", "Mark a thread resolved (its first comment; not on a locked version)"),
        ("reopen", "Open a resolved thread again"),
    ):
        spec.path(
            path=f"/drafts/{{draft_id}}/comments/{{comment_id}}/{action}",
            parameters=[ident("draft"), ident("comment")],
            operations={"post": _action(summary, "DraftThread")},
        )
    listing = _responses("200", "Notification", list_of=True)
    listing["200"]["content"]["application/json"]["schema"]["properties"] = {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}},
        "unread": {"type": "integer", "description": "Unread notifications of the token's person in this studio."},
    }
    del listing["404"]
    spec.path(
        path="/notifications",
        operations={
            "get": {
                "summary": "The token person's latest notifications in this studio (30 newest), in the request's "
                "language, and the unread count",
                "responses": listing,
            }
        },
    )
    read = _responses("204", None)
    del read["404"]
    spec.path(
        path="/notifications/read",
        operations={"post": {"summary": "Mark all of the token person's notifications read", "responses": read}},
    )


def _plain(value: Any) -> Any:
    """JSON-ready: apispec copies Decimal bounds of Decimal fields (percentages) into the document as Decimals."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@cache
def openapi_document() -> dict[str, Any]:
    spec = APISpec(
        title="Atelier API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Clients, contacts and follow-ups of one studio. Every token is bound to one "
            "studio and a role; record-level access applies to it as to a person."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (
        ("Client", ClientOut),
        ("Contact", ContactOut),
        ("Interaction", InteractionOut),
        ("Error", ErrorOut),
        ("ClientInput", client_input()),
        ("ClientPatch", client_input(partial=True)),
        ("ContactInput", contact_input()),
        ("ContactPatch", contact_input(partial=True)),
        ("InteractionInput", interaction_input()),
        ("InteractionPatch", interaction_input(partial=True)),
        ("Tag", TagOut),
        ("TagRename", tag_rename_input()),
        ("Member", MemberOut),
        ("Share", ShareOut),
        ("ShareInput", share_input()),
        ("Stage", StageOut),
        ("Project", ProjectOut),
        ("ProjectInput", project_input("CNY")),
        ("ProjectPatch", project_input("CNY", partial=True)),
        ("StageChange", StageChangeOut),
        ("Task", TaskOut),
        ("TaskInput", task_input()),
        ("TaskPatch", task_input(partial=True)),
    ):
        spec.components.schema(name, schema=schema)
    etag = {"ETag": {"schema": {"type": "string"}, "description": 'W/"<version>": send it back as If-Match.'}}
    spec.path(
        path="/clients",
        operations={
            "get": {
                "summary": "List clients (cursor pages of 50)",
                "parameters": LIST_PARAMS,
                "responses": _responses("200", "Client", list_of=True),
            },
            "post": {
                "summary": "Create a client",
                "requestBody": _body("ClientInput"),
                "responses": _responses("201", "Client", "422"),
            },
        },
    )
    patch_responses = _responses("200", "Client", "412", "422", "428")
    patch_responses["412"]["description"] = "If-Match is stale: someone changed the client; nothing was written."
    patch_responses["428"]["description"] = "If-Match is missing: PATCH always needs the ETag you read."
    spec.path(
        path="/clients/{client_id}",
        parameters=[ID],
        operations={
            "get": {
                "summary": "Read a client",
                "responses": {
                    **_responses("200", "Client"),
                    "200": {**_responses("200", "Client")["200"], "headers": etag},
                },
            },
            "patch": {
                "summary": "Change some fields (If-Match required)",
                "requestBody": _body("ClientPatch"),
                "parameters": [{"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}}],
                "responses": patch_responses,
            },
            "delete": {
                "summary": "Archive a client (it can be restored in the workspace)",
                "responses": _responses("204", None),
            },
        },
    )
    spec.path(
        path="/clients/{client_id}/contacts",
        parameters=[ID],
        operations={
            "get": {"summary": "A client's contacts", "responses": _responses("200", "Contact", list_of=True)},
            "post": {
                "summary": "Add a contact",
                "requestBody": _body("ContactInput"),
                "responses": _responses("201", "Contact", "422"),
            },
        },
    )
    spec.path(
        path="/clients/{client_id}/interactions",
        parameters=[ID],
        operations={
            "get": {
                "summary": "A client's follow-ups, newest first (200 at most)",
                "responses": _responses("200", "Interaction", list_of=True),
            },
            "post": {
                "summary": "Log a follow-up",
                "requestBody": _body("InteractionInput"),
                "responses": _responses("201", "Interaction", "422"),
            },
        },
    )
    _child_paths(spec, etag)
    _tag_paths(spec)
    _project_paths(spec, etag)
    _billing_paths(spec, etag)
    _proofing_paths(spec)
    spec.path(
        path="/clients/{client_id}/shares",
        parameters=[ID],
        operations={
            "get": {"summary": "Who the client is shared with", "responses": _responses("200", "Share", list_of=True)},
            "post": {
                "summary": "Share with a colleague, optionally until a date (expires_on, studio time zone)",
                "requestBody": _body("ShareInput"),
                "responses": _responses("201", "Share", "403", "422"),
            },
        },
    )
    share_id = {"name": "share_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
    spec.path(
        path="/clients/{client_id}/shares/{share_id}",
        parameters=[ID, share_id],
        operations={
            "delete": {"summary": "Stop sharing", "responses": _responses("204", None, "403")},
        },
    )
    spec.path(
        path="/members",
        operations={
            "get": {
                "summary": "The studio's people and their roles (read only)",
                "responses": _responses("200", "Member", list_of=True),
            },
        },
    )
    document = _plain(spec.to_dict())
    document["servers"] = [{"url": "/api/v1"}]
    document["security"] = [{"bearer": []}]
    return document
