"""/api/v1 for money: quotes (with their transitions), contracts (submit, approve, reject), invoices (send, void,
payments, schedules from a quote or contract) and the receivables ageing. Amounts are integer minor units of the
studio's currency; rates and discounts are basis points. Same access, validation and concurrency rules as the
staff UI, through the same services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.api.http import api, check_version, principal
from saas.api.operations import Page
from saas.api.schemas import (
    CONTRACT_COMMENT_IN,
    CONTRACT_IN,
    CONTRACT_PATCH,
    COST_IN,
    DECISION_IN,
    INVOICE_IN,
    INVOICE_PATCH,
    PAYMENT_IN,
    QUOTE_IN,
    QUOTE_PATCH,
    SCHEDULE_IN,
    SIGNED_COPY,
    VOID_IN,
    ContractListQuery,
    ContractOut,
    CostOut,
    InvoiceListQuery,
    InvoiceOut,
    PaymentOut,
    QuoteListQuery,
    QuoteOut,
    ReceivablesOut,
    refuse_problems,
)
from saas.billing import queries
from saas.billing.access import get_document
from saas.billing.models import Contract, Invoice, Payment, ProjectCost, Quote
from saas.billing.services import contracts, costs, invoices, quotes, reminders
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.projects.access import get_project
from saas.projects.models import Project
from saas.tenants.models import Tenant
from saas.tenants.queries import studio_today
from saas.web.client_ip import client_ip
from saas.web.inputs import FORM_OVERHEAD, accepts_body


def _document(model: type) -> Callable[[Any, str], Any]:
    """A quote, contract or invoice the token may see, through its client (404 otherwise)."""
    return lambda who, document_id: get_document(who, model, document_id)


OF_QUOTE = {"resolves": {"quote": _document(Quote)}}
OF_CONTRACT = {"resolves": {"contract": _document(Contract)}}
OF_INVOICE = {"resolves": {"invoice": _document(Invoice)}}
OF_PROJECT = {"resolves": {"project": get_project}}


def _required() -> str:
    return _("This field is required.")


# Quotes


@api.get("/quotes", summary="List quotes (200 newest)", query=QuoteListQuery, response=QuoteOut, many=True)
def quotes_list(query: dict[str, str]) -> list[Quote]:
    return queries.quotes(principal(), query["status"], with_lines=True)


@api.post("/quotes", summary="Create a quote", body=QUOTE_IN, response=QuoteOut, status=201, location="api.quote")
def create_quote(body: dict[str, Any]) -> Quote:
    return quotes.create_quote(principal(), body)


@api.get("/quotes/<quote_id>", **OF_QUOTE, summary="Read a quote", response=QuoteOut)
def quote(quote: Quote) -> Quote:
    return quote


@api.patch(
    "/quotes/<quote_id>",
    **OF_QUOTE,
    summary="Change some fields of a quote",
    body=QUOTE_PATCH,
    response=QuoteOut,
    if_match="required",
)
def update_quote(quote: Quote, body: dict[str, Any]) -> Quote:
    """Changing a sent or approved quote keeps that version as a revision and makes it a draft again."""
    check_version(quote.version)
    quotes.update_quote(principal(), quote, body)
    return quote


QUOTE_STEPS = {
    "request-approval": "Ask a manager to approve a discount beyond the studio's threshold",
    "approve": "Approve the discount (managers and above)",
    "reject": "Send the discount back to draft (managers and above)",
    "send": "Send to the client: their portal users are e-mailed a link (refused when expired or awaiting approval)",
}


def _quote_step(quote: Quote, step: str) -> Quote:
    if step == "request-approval":
        quotes.request_approval(principal(), quote)
    elif step in ("approve", "reject"):
        (quotes.approve_discount if step == "approve" else quotes.reject_discount)(principal(), quote)
    else:
        quotes.send_quote(principal(), quote)
    return quote


for _step, _summary in QUOTE_STEPS.items():
    api.post(
        f"/quotes/<quote_id>/{_step}",
        **OF_QUOTE,
        summary=_summary,
        response=QuoteOut,
        defaults={"step": _step},
        endpoint=f"quote_action_{_step.replace('-', '_')}",
    )(_quote_step)


@api.post(
    "/quotes/<quote_id>/accept",
    **OF_QUOTE,
    summary="Record the client's acceptance: who answered",
    body=DECISION_IN,
    response=QuoteOut,
    defaults={"accepted": True},
    endpoint="quote_action_accept",
)
@api.post(
    "/quotes/<quote_id>/decline",
    **OF_QUOTE,
    summary="Record the client's refusal: who answered",
    body=DECISION_IN,
    response=QuoteOut,
    defaults={"accepted": False},
    endpoint="quote_action_decline",
)
def decide_quote(quote: Quote, accepted: bool, body: dict[str, Any]) -> Quote:
    quotes.decide(principal(), quote, accepted, body["name"].strip(), client_ip())
    return quote


# Contracts


@api.get("/contracts", summary="List contracts (200 newest)", query=ContractListQuery, response=ContractOut, many=True)
def contracts_list(query: dict[str, str]) -> list[Contract]:
    return queries.contracts(principal(), query["status"])


@api.post(
    "/contracts",
    summary="Create a contract from an accepted quote (quote_id) or on its own (client_id, title, amount)",
    body=CONTRACT_IN,
    response=ContractOut,
    status=201,
    location="api.contract",
)
def create_contract(body: dict[str, Any]) -> Contract:
    """From an accepted quote (quote_id: title and amount come from it) or on its own (client_id, amount_minor)."""
    if body.get("quote_id"):
        try:
            source = get_document(principal(), Quote, body["quote_id"])
        except NotFound as exc:
            raise ValidationFailed({"quote_id": [_required()]}) from exc
        return contracts.from_quote(principal(), source)
    missing = [k for k in ("client_id", "title", "amount_minor") if body.get(k) is None]
    if missing:
        raise ValidationFailed({k: [_required()] for k in missing})
    return contracts.create_contract(principal(), body)


@api.get("/contracts/<contract_id>", **OF_CONTRACT, summary="Read a contract", response=ContractOut)
def contract(contract: Contract) -> Contract:
    return contract


@api.patch(
    "/contracts/<contract_id>",
    **OF_CONTRACT,
    summary="Change some fields of a contract",
    body=CONTRACT_PATCH,
    response=ContractOut,
    if_match="required",
)
def update_contract(contract: Contract, body: dict[str, Any]) -> Contract:
    check_version(contract.version)
    contracts.update_contract(principal(), contract, body)
    return contract


@api.post(
    "/contracts/<contract_id>/submit",
    **OF_CONTRACT,
    summary="Submit for approval (the chain is fixed now)",
    response=ContractOut,
    endpoint="contract_action_submit",
)
def submit_contract(contract: Contract) -> Contract:
    contracts.submit(principal(), contract)
    return contract


@api.post(
    "/contracts/<contract_id>/approve",
    **OF_CONTRACT,
    summary="Approve the pending step (its role, or the owner)",
    body=CONTRACT_COMMENT_IN,
    response=ContractOut,
    defaults={"approve": True},
    endpoint="contract_action_approve",
)
@api.post(
    "/contracts/<contract_id>/reject",
    **OF_CONTRACT,
    summary="Send back to draft, with a comment",
    body=CONTRACT_COMMENT_IN,
    response=ContractOut,
    defaults={"approve": False},
    endpoint="contract_action_reject",
)
def decide_contract(contract: Contract, approve: bool, body: dict[str, Any]) -> Contract:
    contracts.decide(principal(), contract, approve, body.get("comment"))
    return contract


@api.post(
    "/quotes/<quote_id>/invoices",
    **OF_QUOTE,
    summary="Invoices in parts adding up to 100% (deposit, milestones, final)",
    body=SCHEDULE_IN,
    response=InvoiceOut,
    many=True,
    status=201,
    endpoint="schedule_quote",
)
def schedule_quote(quote: Quote, body: dict[str, Any]) -> list[Invoice]:
    """Parts (e.g. 30% deposit, 70% final) whose percentages add up to 100, each with a due date."""
    return invoices.schedule(principal(), quote, body["parts"])


@api.post(
    "/contracts/<contract_id>/invoices",
    **OF_CONTRACT,
    summary="Invoices in parts adding up to 100% (deposit, milestones, final)",
    body=SCHEDULE_IN,
    response=InvoiceOut,
    many=True,
    status=201,
    endpoint="schedule_contract",
)
def schedule_contract(contract: Contract, body: dict[str, Any]) -> list[Invoice]:
    return invoices.schedule(principal(), contract, body["parts"])


# Invoices and payments


@api.get(
    "/invoices",
    summary="List invoices, latest due first (cursor pages of 50)",
    query=InvoiceListQuery,
    response=InvoiceOut,
    paged=True,
)
def invoices_list(query: dict[str, Any]) -> Page:
    """Issued means made (`created_at`); both periods are the studio's days, either end open."""
    today = studio_today(principal().tenant_id)
    filters = queries.InvoiceFilters.from_args(query)
    refuse_problems(filters.problems)
    page = queries.invoice_page(principal(), filters, today, query["cursor"] or None)
    return Page(page.invoices, page.next_cursor)


@api.post(
    "/invoices", summary="Create an invoice", body=INVOICE_IN, response=InvoiceOut, status=201, location="api.invoice"
)
def create_invoice(body: dict[str, Any]) -> Invoice:
    return invoices.create_invoice(principal(), body)


@api.get("/invoices/<invoice_id>", **OF_INVOICE, summary="Read an invoice", response=InvoiceOut)
def invoice(invoice: Invoice) -> Invoice:
    return invoice


@api.patch(
    "/invoices/<invoice_id>",
    **OF_INVOICE,
    summary="Change some fields of an invoice",
    body=INVOICE_PATCH,
    response=InvoiceOut,
    if_match="required",
)
def update_invoice(invoice: Invoice, body: dict[str, Any]) -> Invoice:
    check_version(invoice.version)
    invoices.update_invoice(principal(), invoice, body)
    return invoice


@api.post(
    "/invoices/<invoice_id>/send",
    **OF_INVOICE,
    summary="Send to the client (their portal users are told)",
    response=InvoiceOut,
    endpoint="invoice_action_send",
)
def send_invoice(invoice: Invoice) -> Invoice:
    invoices.send_invoice(principal(), invoice)
    return invoice


@api.post(
    "/invoices/<invoice_id>/resend",
    **OF_INVOICE,
    summary="Send a sent, unpaid invoice to the client's portal users again",
    response=InvoiceOut,
    endpoint="invoice_action_resend",
)
def resend_invoice(invoice: Invoice) -> Invoice:
    reminders.send_again(principal(), invoice)
    return invoice


@api.post(
    "/invoices/<invoice_id>/remind",
    **OF_INVOICE,
    summary="Remind the client's portal users of a sent, unpaid invoice now (it counts as today's reminder)",
    response=InvoiceOut,
    endpoint="invoice_action_remind",
)
def remind_invoice(invoice: Invoice) -> Invoice:
    reminders.remind_now(principal(), invoice)
    return invoice


@api.post(
    "/invoices/<invoice_id>/void",
    **OF_INVOICE,
    summary="Void, with a reason (not once paid)",
    body=VOID_IN,
    response=InvoiceOut,
    endpoint="invoice_action_void",
)
def void_invoice(invoice: Invoice, body: dict[str, Any]) -> Invoice:
    invoices.void_invoice(principal(), invoice, body["reason"])
    return invoice


@api.get(
    "/invoices/<invoice_id>/payments", **OF_INVOICE, summary="Payments of the invoice", response=PaymentOut, many=True
)
def payments(invoice: Invoice) -> list[Payment]:
    return invoice.payments


@api.post(
    "/invoices/<invoice_id>/payments",
    **OF_INVOICE,
    summary="Record a payment (finance, managers, admins); never more than the balance",
    body=PAYMENT_IN,
    response=PaymentOut,
    status=201,
    if_match="optional",
)
def record_payment(invoice: Invoice, body: dict[str, Any]) -> Payment:
    """If-Match (the invoice's ETag) is optional here: without it, a payment that would overpay is refused."""
    check_version(invoice.version, required=False)
    read = invoice.version if request.if_match else None  # checked again once the invoice is locked
    return invoices.record_payment(principal(), invoice, {**body, "version": read})


@api.get(
    "/receivables",
    summary="Outstanding balances by client: not yet due, 1-30, 31-60, 61-90, 90+ days",
    response=ReceivablesOut,
)
def receivables() -> dict[str, Any]:
    """The clients owing most (200 at most), the totals over all of them, and how many owe anything."""
    result = queries.ageing(principal(), studio_today(principal().tenant_id))
    return {"data": result.rows, "totals": result.totals, "clients": result.clients}


# Project costs, the quote PDF, the signed contract


@api.get("/projects/<project_id>/costs", **OF_PROJECT, summary="The project's costs", response=CostOut, many=True)
def costs_list(project: Project) -> list[ProjectCost]:
    return queries.costs_of(project)


@api.post(
    "/projects/<project_id>/costs",
    **OF_PROJECT,
    summary="Record time (hours × rate_minor) or an expense (amount_minor)",
    body=COST_IN,
    response=CostOut,
    status=201,
)
def add_cost(project: Project, body: dict[str, Any]) -> ProjectCost:
    return costs.add_cost(principal(), project, body)


@api.delete("/projects/<project_id>/costs/<cost_id>", **OF_PROJECT, summary="Remove a cost")
def remove_cost(project: Project, cost_id: str) -> None:
    found = next((c for c in queries.costs_of(project) if str(c.id) == cost_id), None)
    if found is None:
        raise NotFound()
    costs.remove_cost(principal(), found)


@api.get(
    "/quotes/<quote_id>/pdf", **OF_QUOTE, summary="The quote as a PDF, in its language", produces="application/pdf"
)
def quote_pdf(quote: Quote) -> Response:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import quote_document

    tenant = db.session.get(Tenant, principal().tenant_id)
    pdf = render_quote_pdf(quote_document(quote, tenant, current_app.extensions["atelier.storage"]))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{quote.number}.pdf"'
    return response


@api.post(
    "/contracts/<contract_id>/sign",
    **OF_CONTRACT,
    summary="Attach the signed copy (PDF, PNG or JPEG, checked by content) and mark signed",
    body=SIGNED_COPY,
    response=ContractOut,
)
@accepts_body(lambda: contracts.MAX_SIGNED_BYTES + FORM_OVERHEAD)
def sign_contract(contract: Contract) -> Contract:
    """multipart/form-data: `file` (the signed copy: PDF, PNG or JPEG, checked by content), `signed_on`."""
    storage = current_app.extensions["atelier.storage"]
    contracts.sign(principal(), contract, storage, request.files.get("file"), _signed_on())
    return contract


def _signed_on() -> date | None:
    raw = request.form.get("signed_on")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ValidationFailed({"signed_on": [_("Enter a date like 2026-12-31.")]}) from exc
