"""/api/v1 for money: quotes (with their transitions), contracts (submit, approve, reject), invoices (send, void,
payments, schedules from a quote or contract) and the receivables ageing. Amounts are integer minor units of the
studio's currency; rates and discounts are basis points. Same access, validation and concurrency rules as the
staff UI, through the same services."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.api.http import bp, invalid, json_body, listed, precondition_failed, principal, versioned
from saas.api.schemas import (
    AgeingOut,
    ContractOut,
    CostOut,
    InvoiceOut,
    PaymentOut,
    QuoteOut,
    comment_input,
    contract_input,
    cost_input,
    invoice_input,
    payment_input,
    quote_input,
    schedule_input,
)
from saas.billing import queries
from saas.billing.models import Contract, Invoice, Quote
from saas.billing.services import common, contracts, costs, invoices, quotes
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.projects.access import get_project
from saas.schemas import load
from saas.tenants.models import Tenant
from saas.tenants.queries import studio_currency, studio_today
from saas.web.client_ip import client_ip

SCHEMAS: dict[type, Any] = {Quote: QuoteOut, Contract: ContractOut, Invoice: InvoiceOut}
ENDPOINTS = {
    Quote: ("api.quote", "quote_id"),
    Contract: ("api.contract", "contract_id"),
    Invoice: ("api.invoice", "invoice_id"),
}


def _currency() -> str:
    return studio_currency(principal().tenant_id)


def _answer(document: Any, status: int = 200) -> Response:
    db.session.flush()
    endpoint, arg = ENDPOINTS[type(document)]
    location = url_for(endpoint, **{arg: document.id}) if status == 201 else None
    return versioned(SCHEMAS[type(document)]().dump(document), document.version, status, location)


def _patch(model: type, document_id: str, schema, service) -> ResponseReturnValue:
    found = common.get_document(principal(), model, document_id)
    if (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        service(principal(), found, load(schema, json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(found)


# Quotes


@bp.get("/quotes")
def quotes_list() -> ResponseReturnValue:
    return listed(QuoteOut(many=True), queries.quotes(principal(), request.args.get("status", "")))


@bp.post("/quotes")
def create_quote() -> ResponseReturnValue:
    try:
        quote = quotes.create_quote(principal(), load(quote_input(_currency()), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(quote, 201)


@bp.get("/quotes/<quote_id>")
def quote(quote_id: str) -> ResponseReturnValue:
    return _answer(common.get_document(principal(), Quote, quote_id))


@bp.patch("/quotes/<quote_id>")
def update_quote(quote_id: str) -> ResponseReturnValue:
    """Changing a sent or approved quote keeps that version as a revision and makes it a draft again."""
    return _patch(Quote, quote_id, quote_input(_currency(), partial=True), quotes.update_quote)


def _actions(path: str, actions: tuple[str, ...]):
    """One route per action (…/send, …/approve), each in the OpenAPI document, sharing one view."""

    def register(view):
        for action in actions:
            bp.add_url_rule(
                f"{path}/{action}",
                f"{view.__name__}_{action.replace('-', '_')}",
                view,
                methods=["POST"],
                defaults={"action": action},
            )
        return view

    return register


@_actions("/quotes/<quote_id>", ("request-approval", "approve", "reject", "send", "accept", "decline"))
def quote_action(quote_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(principal(), Quote, quote_id)
    try:
        if action == "request-approval":
            quotes.request_approval(principal(), found)
        elif action in ("approve", "reject"):
            (quotes.approve_discount if action == "approve" else quotes.reject_discount)(principal(), found)
        elif action == "send":
            quotes.send_quote(principal(), found)
        else:
            name = str(json_body().get("name") or "").strip()
            if not name:
                raise ValidationFailed({"name": [_required()]})
            quotes.decide(principal(), found, action == "accept", name, client_ip())
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(found)


def _required() -> str:
    from flask_babel import gettext

    return gettext("This field is required.")


# Contracts


@bp.get("/contracts")
def contracts_list() -> ResponseReturnValue:
    return listed(ContractOut(many=True), queries.contracts(principal(), request.args.get("status", "")))


@bp.post("/contracts")
def create_contract() -> ResponseReturnValue:
    """From an accepted quote (quote_id: title and amount come from it) or on its own (client_id, amount_minor)."""
    try:
        data = load(contract_input(_currency()), json_body())
        if data.get("quote_id"):
            try:
                source = common.get_document(principal(), Quote, data["quote_id"])
            except Exception as exc:
                raise ValidationFailed({"quote_id": [_required()]}) from exc
            contract = contracts.from_quote(principal(), source)
        else:
            missing = [k for k in ("client_id", "title", "amount_minor") if data.get(k) is None]
            if missing:
                raise ValidationFailed({k: [_required()] for k in missing})
            contract = contracts.create_contract(principal(), data)
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(contract, 201)


@bp.get("/contracts/<contract_id>")
def contract(contract_id: str) -> ResponseReturnValue:
    return _answer(common.get_document(principal(), Contract, contract_id))


@bp.patch("/contracts/<contract_id>")
def update_contract(contract_id: str) -> ResponseReturnValue:
    return _patch(Contract, contract_id, contract_input(_currency(), partial=True), contracts.update_contract)


@_actions("/contracts/<contract_id>", ("submit", "approve", "reject"))
def contract_action(contract_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(principal(), Contract, contract_id)
    try:
        if action == "submit":
            contracts.submit(principal(), found)
        else:
            comment = load(comment_input(), request.get_json(silent=True) or {}).get("comment")
            contracts.decide(principal(), found, action == "approve", comment)
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(found)


@bp.post("/quotes/<quote_id>/invoices", defaults={"kind": "quotes"})
@bp.post("/contracts/<contract_id>/invoices", defaults={"kind": "contracts"})
def schedule(kind: str, quote_id: str = "", contract_id: str = "") -> ResponseReturnValue:
    """Invoices in parts (e.g. 30% deposit, 70% final): percentages adding up to 100, each with a due date."""
    model, document_id = (Quote, quote_id) if kind == "quotes" else (Contract, contract_id)
    found = common.get_document(principal(), model, document_id)
    try:
        made = invoices.schedule(principal(), found, load(schedule_input(), json_body())["parts"])
    except ValidationFailed as exc:
        return invalid(exc)
    return {"data": InvoiceOut(many=True).dump(made)}, 201


# Invoices and payments


@bp.get("/invoices")
def invoices_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    today = studio_today(principal().tenant_id)
    return listed(InvoiceOut(many=True), queries.invoices(principal(), status, today))


@bp.post("/invoices")
def create_invoice() -> ResponseReturnValue:
    try:
        invoice = invoices.create_invoice(principal(), load(invoice_input(_currency()), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(invoice, 201)


@bp.get("/invoices/<invoice_id>")
def invoice(invoice_id: str) -> ResponseReturnValue:
    return _answer(common.get_document(principal(), Invoice, invoice_id))


@bp.patch("/invoices/<invoice_id>")
def update_invoice(invoice_id: str) -> ResponseReturnValue:
    return _patch(Invoice, invoice_id, invoice_input(_currency(), partial=True), invoices.update_invoice)


@_actions("/invoices/<invoice_id>", ("send", "void"))
def invoice_action(invoice_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(principal(), Invoice, invoice_id)
    try:
        if action == "send":
            invoices.send_invoice(principal(), found)
        else:
            invoices.void_invoice(principal(), found, str(json_body().get("reason") or ""))
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(found)


@bp.get("/invoices/<invoice_id>/payments")
def payments(invoice_id: str) -> ResponseReturnValue:
    return listed(PaymentOut(many=True), common.get_document(principal(), Invoice, invoice_id).payments)


@bp.post("/invoices/<invoice_id>/payments")
def record_payment(invoice_id: str) -> ResponseReturnValue:
    """If-Match (the invoice's ETag) is optional here: without it, a payment that would overpay is refused."""
    found = common.get_document(principal(), Invoice, invoice_id)
    if request.if_match and (refused := precondition_failed(found.version)) is not None:
        return refused
    try:
        payment = invoices.record_payment(principal(), found, load(payment_input(_currency()), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return PaymentOut().dump(payment), 201


@bp.get("/receivables")
def receivables() -> ResponseReturnValue:
    """The clients owing most (200 at most), the totals over all of them, and how many owe anything."""
    result = queries.ageing(principal(), studio_today(principal().tenant_id))
    totals = AgeingOut(exclude=("client_id", "client_name")).dump(result.totals)
    return {"data": AgeingOut(many=True).dump(result.rows), "totals": totals, "clients": result.clients}


# Project costs, the quote PDF, the signed contract


@bp.get("/projects/<project_id>/costs")
def costs_list(project_id: str) -> ResponseReturnValue:
    return listed(CostOut(many=True), queries.costs_of(get_project(principal(), project_id)))


@bp.post("/projects/<project_id>/costs")
def add_cost(project_id: str) -> ResponseReturnValue:
    """Time (`hours` × `rate_minor`) or an expense (`amount_minor`)."""
    project = get_project(principal(), project_id)
    try:
        cost = costs.add_cost(principal(), project, load(cost_input(_currency()), json_body()))
    except ValidationFailed as exc:
        return invalid(exc)
    return CostOut().dump(cost), 201


@bp.delete("/projects/<project_id>/costs/<cost_id>")
def remove_cost(project_id: str, cost_id: str) -> ResponseReturnValue:
    project = get_project(principal(), project_id)
    cost = next((c for c in queries.costs_of(project) if str(c.id) == cost_id), None)
    if cost is None:
        raise NotFound()
    costs.remove_cost(principal(), cost)
    return "", 204


@bp.get("/quotes/<quote_id>/pdf")
def quote_pdf(quote_id: str) -> ResponseReturnValue:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import quote_document

    found = common.get_document(principal(), Quote, quote_id)
    tenant = db.session.get(Tenant, principal().tenant_id)
    pdf = render_quote_pdf(quote_document(found, tenant, current_app.extensions["atelier.storage"]))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.number}.pdf"'
    return response


@bp.post("/contracts/<contract_id>/sign")
def sign_contract(contract_id: str) -> ResponseReturnValue:
    """multipart/form-data: `file` (the signed copy: PDF, PNG or JPEG, checked by content), `signed_on`."""
    found = common.get_document(principal(), Contract, contract_id)
    try:
        signed_on = date.fromisoformat(request.form["signed_on"]) if request.form.get("signed_on") else None
    except ValueError:
        return invalid(ValidationFailed({"signed_on": [_required_date()]}))
    try:
        storage = current_app.extensions["atelier.storage"]
        contracts.sign(principal(), found, storage, request.files.get("file"), signed_on)
    except ValidationFailed as exc:
        return invalid(exc)
    return _answer(found)


def _required_date() -> str:
    from flask_babel import gettext

    return gettext("Enter a date like 2026-12-31.")
