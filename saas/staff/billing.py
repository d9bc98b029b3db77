"""Quotes, contracts, invoices and payments, the receivables ageing, project costs and billing settings.
Thin: resolve the document through the access helper, call a billing service, render or redirect."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.billing import queries
from saas.billing.models import Contract, Invoice, Quote
from saas.billing.schemas import (
    BillingSettingsSchema,
    CommentSchema,
    ContractSchema,
    CostSchema,
    DecisionSchema,
    InvoiceSchema,
    PaymentSchema,
    QuoteSchema,
    RefundSchema,
    ScheduleSchema,
    VoidSchema,
)
from saas.billing.services import common, contracts, costs, invoices, quotes
from saas.clients.access import get_client
from saas.errors import ValidationFailed
from saas.money import plain_amount
from saas.payments import gateway
from saas.payments.services import refunds
from saas.payments.services.connect import account_of, onboarding_link, refresh
from saas.projects.access import get_project
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.client_ip import client_ip
from saas.web.urls import external_url


def _today():
    return datetime.now(ZoneInfo(g.tenant.timezone)).date()


def _cur() -> dict[str, str]:
    return {"currency": g.tenant.currency}


def _flash_errors(exc: ValidationFailed) -> None:
    flash(exc.text, "error")


# Quotes


@bp.get("/quotes")
def quote_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    return render_template(
        "staff/billing/quotes.html", quotes=queries.quotes(g.membership, status), status=status, today=_today()
    )


def _quote_form(form: dict, errors: dict, quote=None, client=None, status: int = 200) -> ResponseReturnValue:
    client = client or (quote.client if quote else None)
    page = render_template(
        "staff/billing/quote_form.html",
        form=form,
        errors=errors,
        quote=quote,
        client=client,
        projects=_client_projects(client.id) if client else [],
        settings=common.settings(),
    )
    return page, status


def _client_projects(client_id) -> list:
    from saas.projects.queries import projects_of_client

    return projects_of_client(g.membership, client_id)


def _lines_form(quote) -> dict[str, list[str]]:
    lines = quote.lines if quote else []
    return {
        "line_description": [line.description for line in lines],
        "line_quantity": [f"{line.quantity.normalize():f}" for line in lines],
        "line_unit": [line.unit or "" for line in lines],
        "line_unit_price": [plain_amount(line.unit_price_minor, g.tenant.currency) for line in lines],
        "line_discount": [f"{line.discount_bp / 100:g}" if line.discount_bp else "" for line in lines],
    }


@bp.route("/quotes/new", methods=["GET", "POST"])
@requires(Perm.QUOTES)
def new_quote() -> ResponseReturnValue:
    client = get_client(g.membership, request.values.get("client_id") or request.args.get("client", ""))
    if request.method == "GET":
        form = {
            "client_id": str(client.id),
            "project_id": request.args.get("project", ""),
            "language": g.tenant.locale,
            **_lines_form(None),
        }
        return _quote_form(form, {}, client=client)
    try:
        quote = quotes.create_quote(g.membership, load(QuoteSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        return _quote_form(request.form, exc.errors, client=client, status=422)
    flash(_("Quote %(number)s created.", number=quote.number), "success")
    return redirect(url_for("staff.quote", quote_id=quote.id))


@bp.get("/quotes/<quote_id>")
def quote(quote_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Quote, quote_id)
    return render_template(
        "staff/billing/quote.html",
        quote=found,
        revisions=queries.revisions(found),
        needs_approval=quotes.needs_approval(found),
        contract=contracts.of_quote(found),
        invoiced=invoices.already_invoiced(found),
        settings=common.settings(),
        today=_today(),
    )


@bp.route("/quotes/<quote_id>/edit", methods=["GET", "POST"])
@requires(Perm.QUOTES)
def edit_quote(quote_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Quote, quote_id)
    if request.method == "GET":
        form = {
            "title": found.title,
            "language": found.language,
            "valid_until": found.valid_until,
            "tax": f"{found.tax_rate_bp / 100:g}",
            "notes": found.notes,
            "project_id": str(found.project_id or ""),
            "version": found.version,
            **_lines_form(found),
        }
        return _quote_form(form, {}, found)
    try:
        form = request.form.copy()
        form["client_id"] = str(found.client_id)
        data = load(QuoteSchema(**_cur()), form)
        quotes.update_quote(g.membership, found, data)
    except ValidationFailed as exc:
        return _quote_form(request.form, exc.errors, found, status=422)
    flash(_("Quote saved."), "success")
    return redirect(url_for("staff.quote", quote_id=found.id))


@bp.post("/quotes/<quote_id>/<any('request-approval', approve, reject, send, accept, decline):action>")
def quote_action(quote_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Quote, quote_id)
    try:
        if action == "request-approval":
            quotes.request_approval(g.membership, found)
        elif action in ("approve", "reject"):
            (quotes.approve_discount if action == "approve" else quotes.reject_discount)(g.membership, found)
        elif action == "send":
            quotes.send_quote(g.membership, found)
        else:
            name = load(DecisionSchema(), request.form)["name"]
            quotes.decide(g.membership, found, action == "accept", name, client_ip())
    except ValidationFailed as exc:
        _flash_errors(exc)
        return redirect(url_for("staff.quote", quote_id=found.id)), 303
    flash(_("Quote %(number)s updated.", number=found.number), "success")
    return redirect(url_for("staff.quote", quote_id=found.id))


@bp.get("/quotes/<quote_id>/print")
def print_quote(quote_id: str) -> ResponseReturnValue:
    from saas.billing.printing import quote_document

    found = common.get_document(g.membership, Quote, quote_id)
    return render_template("staff/billing/quote_print.html", doc=quote_document(found, g.tenant), quote=found)


@bp.get("/quotes/<quote_id>/pdf")
def quote_pdf(quote_id: str) -> ResponseReturnValue:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import quote_document

    found = common.get_document(g.membership, Quote, quote_id)
    pdf = render_quote_pdf(quote_document(found, g.tenant, current_app.extensions["atelier.storage"]))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


@bp.post("/quotes/<quote_id>/contract")
@requires(Perm.QUOTES)
def contract_from_quote(quote_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Quote, quote_id)
    try:
        contract = contracts.from_quote(g.membership, found)
    except ValidationFailed as exc:
        _flash_errors(exc)
        return redirect(url_for("staff.quote", quote_id=found.id)), 303
    flash(_("Contract %(number)s drafted from the quote.", number=contract.number), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


# Contracts


@bp.get("/contracts")
def contract_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    waiting = [c for c in queries.awaiting(g.membership) if contracts.can_decide(g.membership, c)]
    return render_template(
        "staff/billing/contracts.html",
        contracts=queries.contracts(g.membership, status),
        waiting=waiting,
        status=status,
    )


def _contract_form(form: dict, errors: dict, contract=None, client=None, status: int = 200):
    client = client or (contract.client if contract else None)
    page = render_template(
        "staff/billing/contract_form.html",
        form=form,
        errors=errors,
        contract=contract,
        client=client,
        projects=_client_projects(client.id),
    )
    return page, status


@bp.route("/contracts/new", methods=["GET", "POST"])
@requires(Perm.QUOTES)
def new_contract() -> ResponseReturnValue:
    client = get_client(g.membership, request.values.get("client_id") or request.args.get("client", ""))
    if request.method == "GET":
        return _contract_form(
            {"client_id": str(client.id), "project_id": request.args.get("project", "")}, {}, client=client
        )
    try:
        contract = contracts.create_contract(g.membership, load(ContractSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        return _contract_form(request.form, exc.errors, client=client, status=422)
    flash(_("Contract %(number)s created.", number=contract.number), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


@bp.get("/contracts/<contract_id>")
def contract(contract_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Contract, contract_id)
    return render_template(
        "staff/billing/contract.html",
        contract=found,
        decisions=contracts.decisions(found),
        pending=contracts.pending_role(found),
        invoiced=invoices.already_invoiced(found),
        can_decide=contracts.can_decide(g.membership, found),
        invoices=queries.documents_of(client_id=found.client_id).invoices,
        today=_today(),
    )


@bp.route("/contracts/<contract_id>/edit", methods=["GET", "POST"])
@requires(Perm.QUOTES)
def edit_contract(contract_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Contract, contract_id)
    if request.method == "GET":
        form = {
            "title": found.title,
            "amount": plain_amount(found.amount_minor, g.tenant.currency),
            "terms": found.terms,
            "version": found.version,
        }
        return _contract_form(form, {}, found)
    try:
        contracts.update_contract(g.membership, found, load(ContractSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        return _contract_form(request.form, exc.errors, found, status=422)
    flash(_("Contract saved."), "success")
    return redirect(url_for("staff.contract", contract_id=found.id))


@bp.post("/contracts/<contract_id>/<any(submit, approve, reject, sign):action>")
def contract_action(contract_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Contract, contract_id)
    try:
        if action == "submit":
            contracts.submit(g.membership, found)
        elif action in ("approve", "reject"):
            comment = load(CommentSchema(), request.form).get("comment")
            contracts.decide(g.membership, found, action == "approve", comment)
        else:
            signed_on = request.form.get("signed_on") or None
            signed = datetime.strptime(signed_on, "%Y-%m-%d").date() if signed_on else None
            storage = current_app.extensions["atelier.storage"]
            contracts.sign(g.membership, found, storage, request.files.get("file"), signed)
    except ValueError:
        flash(_("Enter a date like 2026-12-31."), "error")
        return redirect(url_for("staff.contract", contract_id=found.id)), 303
    except ValidationFailed as exc:
        _flash_errors(exc)
        return redirect(url_for("staff.contract", contract_id=found.id)), 303
    flash(_("Contract %(number)s updated.", number=found.number), "success")
    return redirect(url_for("staff.contract", contract_id=found.id))


@bp.get("/contracts/<contract_id>/signed")
def signed_copy(contract_id: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Contract, contract_id)
    if not found.signed_file_key:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    data = current_app.extensions["atelier.storage"].get(found.signed_file_key)
    kind = contracts._sniff(data) or "application/octet-stream"
    response = Response(data, mimetype=kind)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.number}-signed{contracts.SIGNED_TYPES.get(kind, "")}"'
    )
    return response


@bp.post("/<any(quotes, contracts):kind>/<document_id>/schedule")
@requires(Perm.INVOICES)
def schedule_invoices(kind: str, document_id: str) -> ResponseReturnValue:
    model = Quote if kind == "quotes" else Contract
    found = common.get_document(g.membership, model, document_id)
    back = (
        url_for("staff.quote", quote_id=found.id)
        if kind == "quotes"
        else url_for("staff.contract", contract_id=found.id)
    )
    try:
        made = invoices.schedule(g.membership, found, load(ScheduleSchema(), request.form)["parts"])
    except ValidationFailed as exc:
        _flash_errors(exc)
        return redirect(back), 303
    flash(_("%(n)d invoices drafted.", n=len(made)), "success")
    return redirect(back)


# Invoices


@bp.get("/invoices")
def invoice_list() -> ResponseReturnValue:
    status = request.args.get("status", "")
    return render_template(
        "staff/billing/invoices.html",
        invoices=queries.invoices(g.membership, status, _today()),
        status=status,
        today=_today(),
    )


def _invoice_form(form: dict, errors: dict, invoice=None, client=None, status: int = 200):
    client = client or (invoice.client if invoice else None)
    page = render_template(
        "staff/billing/invoice_form.html",
        form=form,
        errors=errors,
        invoice=invoice,
        client=client,
        projects=_client_projects(client.id),
    )
    return page, status


@bp.route("/invoices/new", methods=["GET", "POST"])
@requires(Perm.INVOICES)
def new_invoice() -> ResponseReturnValue:
    client = get_client(g.membership, request.values.get("client_id") or request.args.get("client", ""))
    if request.method == "GET":
        return _invoice_form(
            {"client_id": str(client.id), "project_id": request.args.get("project", "")}, {}, client=client
        )
    try:
        invoice = invoices.create_invoice(g.membership, load(InvoiceSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        return _invoice_form(request.form, exc.errors, client=client, status=422)
    flash(_("Invoice %(number)s created.", number=invoice.number), "success")
    return redirect(url_for("staff.invoice", invoice_id=invoice.id))


@bp.get("/invoices/<invoice_id>")
def invoice(invoice_id: str) -> ResponseReturnValue:
    return _invoice_page(common.get_document(g.membership, Invoice, invoice_id))


def _invoice_page(found: Invoice, errors: dict | None = None, form: Any = None, status: int = 200):
    page = render_template(
        "staff/billing/invoice.html",
        invoice=found,
        today=_today(),
        errors=errors or {},
        form=form or {},
        pending_refunds=refunds.unconfirmed(found),
        gate_drafts=invoices.drafts_to_wait_for(found),
    )
    return page, status


@bp.post("/invoices/<invoice_id>/gate")
@requires(Perm.INVOICES)
def gate_invoice(invoice_id: str) -> ResponseReturnValue:
    from saas.ids import parse_uuid

    found = common.get_document(g.membership, Invoice, invoice_id)
    chosen = request.form.get("draft_id") or None
    try:
        invoices.gate_on_draft(g.membership, found, parse_uuid(chosen) if chosen else None)
    except ValidationFailed as exc:
        return _invoice_page(found, {f"gate.{k}": v for k, v in exc.errors.items()}, request.form, 422)
    flash(_("Invoice %(number)s updated.", number=found.number), "success")
    return redirect(url_for("staff.invoice", invoice_id=found.id))


@bp.post("/invoices/<invoice_id>/payments/<payment_id>/refund")
@requires(Perm.PAYMENTS)
def refund_payment(invoice_id: str, payment_id: str) -> ResponseReturnValue:
    """Asked of Stripe by a job; the payment and the invoice change when Stripe's webhook confirms it."""
    found = common.get_document(g.membership, Invoice, invoice_id)
    payment = next((p for p in found.payments if str(p.id) == payment_id), None)
    if payment is None:
        abort(404)
    try:
        data = load(RefundSchema(**_cur()), request.form)
        refunds.request_refund(g.membership, found, payment, data["amount_minor"], data["reason"])
    except ValidationFailed as exc:
        form = {**request.form, "payment_id": payment_id}
        return _invoice_page(found, {f"refund.{k}": v for k, v in exc.errors.items()}, form, 422)
    flash(_("Refund asked of Stripe. The invoice shows it once Stripe confirms."), "success")
    return redirect(url_for("staff.invoice", invoice_id=found.id))


@bp.post("/invoices/<invoice_id>/<any(send, void, pay):action>")
def invoice_action(invoice_id: str, action: str) -> ResponseReturnValue:
    found = common.get_document(g.membership, Invoice, invoice_id)
    try:
        if action == "send":
            invoices.send_invoice(g.membership, found)
        elif action == "void":
            invoices.void_invoice(g.membership, found, load(VoidSchema(), request.form)["reason"])
        else:
            invoices.record_payment(g.membership, found, load(PaymentSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        return _invoice_page(found, {f"{action}.{k}": v for k, v in exc.errors.items()}, request.form, 422)
    flash(_("Invoice %(number)s updated.", number=found.number), "success")
    return redirect(url_for("staff.invoice", invoice_id=found.id))


@bp.get("/receivables")
def receivables() -> ResponseReturnValue:
    result = queries.ageing(g.membership, _today())
    return render_template(
        "staff/billing/ageing.html", rows=result.rows, totals=result.totals, clients=result.clients, today=_today()
    )


# Project costs


@bp.post("/projects/<project_id>/costs")
@requires(Perm.PROJECTS_EDIT)
def add_cost(project_id: str) -> ResponseReturnValue:
    project = get_project(g.membership, project_id)
    try:
        costs.add_cost(g.membership, project, load(CostSchema(**_cur()), request.form))
    except ValidationFailed as exc:
        _flash_errors(exc)
        return redirect(url_for("staff.project", project_id=project.id) + "#costs"), 303
    flash(_("Cost recorded."), "success")
    return redirect(url_for("staff.project", project_id=project.id) + "#costs")


@bp.post("/projects/<project_id>/costs/<cost_id>/remove")
@requires(Perm.PROJECTS_EDIT)
def remove_cost(project_id: str, cost_id: str) -> ResponseReturnValue:
    project = get_project(g.membership, project_id)
    cost = next((c for c in queries.costs_of(project) if str(c.id) == cost_id), None)
    if cost is None:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    costs.remove_cost(g.membership, cost)
    return redirect(url_for("staff.project", project_id=project.id) + "#costs")


# Settings


def _billing_settings_page(form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "staff/billing/settings.html",
        form=form,
        errors=errors,
        rules=contracts.rules(),
        approver_roles=contracts.APPROVER_ROLES,
        stripe_ready=gateway.enabled(),
        stripe_account=account_of(),
    )
    return page, status


@bp.route("/settings/billing", methods=["GET", "POST"])
@requires(Perm.BILLING_SETTINGS)
def billing_settings() -> ResponseReturnValue:
    row = common.settings()
    if request.method == "GET":
        form: dict[str, Any] = {
            "discount_threshold": f"{row.discount_threshold_bp / 100:g}",
            "tax": f"{row.tax_rate_bp / 100:g}",
            "quote_valid_days": row.quote_valid_days,
            "payment_instructions": row.payment_instructions,
            "allow_partial_payments": row.allow_partial_payments,
            "reminder_days": ", ".join(str(d) for d in row.reminder_days or []),
            "version": row.version,
        }
        return _billing_settings_page(form, {})
    try:
        common.update_settings(g.membership, row, load(BillingSettingsSchema(), request.form))
        contracts.set_rules(g.membership, _rules_from_form())
    except ValidationFailed as exc:
        return _billing_settings_page(request.form, exc.errors, 422)
    flash(_("Billing settings saved."), "success")
    return redirect(url_for("staff.billing_settings"))


@bp.post("/settings/billing/stripe")
@requires(Perm.BILLING_SETTINGS)
def connect_stripe() -> ResponseReturnValue:
    """Off to Stripe to connect (or finish connecting) the studio's own account; the owner alone may."""
    back = external_url("staff.stripe_connected")
    try:
        link = onboarding_link(g.membership, back, external_url("staff.billing_settings"))
    except ValidationFailed as exc:
        flash(exc.text, "error")
        return redirect(url_for("staff.billing_settings") + "#online"), 303
    return redirect(link, 303)


@bp.get("/settings/billing/stripe/done")
@requires(Perm.BILLING_SETTINGS)
def stripe_connected() -> ResponseReturnValue:
    """Back from Stripe: read what the account can do now (the account.updated webhook keeps it current)."""
    account = account_of()
    if account is not None:
        refresh(account)
    ready = account is not None and account.charges_enabled
    flash(
        _("Your Stripe account is connected: clients can pay online.")
        if ready
        else _("Stripe needs a few more details before clients can pay online."),
        "success" if ready else "warning",
    )
    return redirect(url_for("staff.billing_settings") + "#online")


def _rules_from_form() -> list[tuple[int, str]]:
    from saas.money import BadAmount, parse_amount

    wanted = []
    for amount, role in zip(request.form.getlist("rule_amount"), request.form.getlist("rule_role"), strict=False):
        if not amount.strip():
            continue
        try:
            minor = parse_amount(amount, g.tenant.currency)
        except BadAmount as exc:
            raise ValidationFailed({"rules": [_("Enter an amount like 12800 or 12,800.50.")]}) from exc
        if role not in {r.value for r in contracts.APPROVER_ROLES} or minor < 0:
            raise ValidationFailed({"rules": [_("Choose one of the options.")]})
        wanted.append((minor, role))
    return wanted
