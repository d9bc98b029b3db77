"""Quotes, contracts, invoices and payments, the receivables ageing, project costs and billing settings.
Thin: resolve the document through the access helper, call a billing service, render or redirect."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.billing import queries
from saas.billing.access import get_document
from saas.billing.models import Contract, Invoice, Payment, ProjectCost, Quote
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
from saas.billing.services import common, contracts, costs, invoices, quotes, reminders
from saas.clients import queries as client_queries
from saas.clients.access import get_client
from saas.clients.models import Client
from saas.errors import ValidationFailed
from saas.i18n import current_locale
from saas.money import format_money, plain_amount
from saas.payments import gateway
from saas.payments.services import refunds
from saas.payments.services.connect import account_of, onboarding_link, refresh
from saas.projects.access import get_project
from saas.projects.models import Project
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.staff.picker import pick_client
from saas.tenants.models import Membership
from saas.tenants.roles import Perm
from saas.web.client_ip import client_ip
from saas.web.inputs import FORM_OVERHEAD, accepts_body
from saas.web.pages import ChildOf, flash_and_return, on_invalid, resolves
from saas.web.urls import external_url


def _today():
    return datetime.now(ZoneInfo(g.tenant.timezone)).date()


def _cur() -> dict[str, str]:
    return {"currency": g.tenant.currency}


# The documents a URL names, each through the one access helper (seen through its client, or 404).


def _quote(membership: Membership, quote_id: str) -> Quote:
    return get_document(membership, Quote, quote_id)


def _contract(membership: Membership, contract_id: str) -> Contract:
    return get_document(membership, Contract, contract_id)


def _invoice(membership: Membership, invoice_id: str) -> Invoice:
    return get_document(membership, Invoice, invoice_id)


def _quote_or_contract(membership: Membership, document_id: str) -> Quote | Contract:
    """/quotes/<id>/… or /contracts/<id>/…: the document of the kind the URL names."""
    model = Quote if (request.view_args or {}).get("kind") == "quotes" else Contract
    return get_document(membership, model, document_id)


def _new_document_client() -> Client:
    """The client a new document is for: the form's client_id, or ?client= on the link that opened the form.
    Not a record of the URL's path, so not resolved: asked for again when a refused form is shown again."""
    return get_client(g.membership, request.values.get("client_id") or request.args.get("client", ""))


def _to_quote(quote: Quote, **_records: object) -> str:
    return url_for("staff.quote", quote_id=quote.id)


def _to_contract(contract: Contract, **_records: object) -> str:
    return url_for("staff.contract", contract_id=contract.id)


def _to_document(document: Quote | Contract, **_records: object) -> str:
    return _to_quote(document) if isinstance(document, Quote) else _to_contract(document)


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
@on_invalid(lambda exc: _quote_form(request.form, exc.errors, client=_new_document_client(), status=422))
def new_quote() -> ResponseReturnValue:
    if request.method == "GET" and not request.args.get("client"):
        return pick_client("staff.new_quote", _("New quote"), "staff.quote_list", _("Quotes"))
    client = _new_document_client()
    if request.method == "GET":
        form = {
            "client_id": str(client.id),
            "project_id": request.args.get("project", ""),
            "language": g.tenant.locale,
            **_lines_form(None),
        }
        return _quote_form(form, {}, client=client)
    quote = quotes.create_quote(g.membership, load(QuoteSchema(**_cur()), request.form))
    flash(_("Quote %(number)s created.", number=quote.number), "success")
    return redirect(url_for("staff.quote", quote_id=quote.id))


@bp.get("/quotes/<quote_id>")
@resolves(quote=_quote)
def quote(quote: Quote) -> ResponseReturnValue:
    return render_template(
        "staff/billing/quote.html",
        quote=quote,
        revisions=queries.revisions(quote),
        needs_approval=quotes.needs_approval(quote),
        contract=contracts.of_quote(quote),
        invoiced=invoices.already_invoiced(quote),
        quote_invoices=queries.invoices_of(quote),
        settings=common.settings(),
        today=_today(),
    )


@bp.route("/quotes/<quote_id>/edit", methods=["GET", "POST"])
@requires(Perm.QUOTES)
@resolves(quote=_quote)
@on_invalid(lambda exc, quote: _quote_form(request.form, exc.errors, quote, status=422))
def edit_quote(quote: Quote) -> ResponseReturnValue:
    if request.method == "GET":
        form = {
            "title": quote.title,
            "language": quote.language,
            "valid_until": quote.valid_until,
            "tax": f"{quote.tax_rate_bp / 100:g}",
            "notes": quote.notes,
            "project_id": str(quote.project_id or ""),
            "version": quote.version,
            **_lines_form(quote),
        }
        return _quote_form(form, {}, quote)
    form = request.form.copy()
    form["client_id"] = str(quote.client_id)
    quotes.update_quote(g.membership, quote, load(QuoteSchema(**_cur()), form))
    flash(_("Quote saved."), "success")
    return redirect(url_for("staff.quote", quote_id=quote.id))


@bp.post("/quotes/<quote_id>/<any('request-approval', approve, reject, send, accept, decline):action>")
@resolves(quote=_quote)
@on_invalid(flash_and_return(_to_quote))
def quote_action(quote: Quote, action: str) -> ResponseReturnValue:
    if action == "request-approval":
        quotes.request_approval(g.membership, quote)
        flash(_("Quote %(number)s is waiting for a manager's approval.", number=quote.number), "success")
    elif action in ("approve", "reject"):
        (quotes.approve_discount if action == "approve" else quotes.reject_discount)(g.membership, quote)
        flash(_("Quote %(number)s updated.", number=quote.number), "success")
    elif action == "send":
        _told(quotes.send_quote(g.membership, quote), quote.client)
    else:
        name = load(DecisionSchema(), request.form)["name"]
        quotes.decide(g.membership, quote, action == "accept", name, client_ip())
        flash(_("Quote %(number)s updated.", number=quote.number), "success")
    return redirect(url_for("staff.quote", quote_id=quote.id))


def _told(recipients: list, client: Client) -> None:
    """Say who was e-mailed, or that nobody could be (no contact of the client can open the portal yet)."""
    if recipients:
        people = ", ".join(r.email for r in recipients if r.email)
        flash(_("Sent. %(people)s got an e-mail with a link, and see it in the portal.", people=people), "success")
    else:
        flash(
            _(
                "Marked as sent, but nobody at %(client)s can open the portal yet, so no e-mail went out. Invite a "
                "contact from the client's page; they will find it there.",
                client=client.name,
            ),
            "warning",
        )


@bp.get("/quotes/<quote_id>/print")
@resolves(quote=_quote)
def print_quote(quote: Quote) -> ResponseReturnValue:
    from saas.billing.printing import quote_document

    return render_template(
        "billing/print.html",
        doc=quote_document(quote, g.tenant),
        back=url_for("staff.quote", quote_id=quote.id),
        pdf=url_for("staff.quote_pdf", quote_id=quote.id),
    )


@bp.get("/quotes/<quote_id>/pdf")
@resolves(quote=_quote)
def quote_pdf(quote: Quote) -> ResponseReturnValue:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import quote_document

    pdf = render_quote_pdf(quote_document(quote, g.tenant, current_app.extensions["atelier.storage"]))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@bp.post("/quotes/<quote_id>/contract")
@requires(Perm.QUOTES)
@resolves(quote=_quote)
@on_invalid(flash_and_return(_to_quote))
def contract_from_quote(quote: Quote) -> ResponseReturnValue:
    contract = contracts.from_quote(g.membership, quote)
    flash(_("Contract %(number)s drafted from the quote.", number=contract.number), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


# Contracts


@bp.get("/contracts")
def contract_list() -> ResponseReturnValue:
    filters = queries.ContractFilters.from_args(request.args)
    waiting = [c for c in queries.awaiting(g.membership) if contracts.can_decide(g.membership, c)]
    return render_template(
        "staff/billing/contracts.html",
        contracts=queries.contracts(g.membership, filters),
        waiting=waiting,
        status=filters.status,
        filters=filters,
        team=client_queries.team(),
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
@on_invalid(lambda exc: _contract_form(request.form, exc.errors, client=_new_document_client(), status=422))
def new_contract() -> ResponseReturnValue:
    if request.method == "GET" and not request.args.get("client"):
        return pick_client("staff.new_contract", _("New contract"), "staff.contract_list", _("Contracts"))
    client = _new_document_client()
    if request.method == "GET":
        return _contract_form(
            {"client_id": str(client.id), "project_id": request.args.get("project", "")}, {}, client=client
        )
    contract = contracts.create_contract(g.membership, load(ContractSchema(**_cur()), request.form))
    flash(_("Contract %(number)s created.", number=contract.number), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


@bp.get("/contracts/<contract_id>")
@resolves(contract=_contract)
def contract(contract: Contract) -> ResponseReturnValue:
    return render_template(
        "staff/billing/contract.html",
        contract=contract,
        decisions=contracts.decisions(contract),
        pending=contracts.pending_role(contract),
        invoiced=invoices.already_invoiced(contract),
        can_decide=contracts.can_decide(g.membership, contract),
        invoices=queries.documents_of(client_id=contract.client_id).invoices,
        today=_today(),
    )


@bp.route("/contracts/<contract_id>/edit", methods=["GET", "POST"])
@requires(Perm.QUOTES)
@resolves(contract=_contract)
@on_invalid(lambda exc, contract: _contract_form(request.form, exc.errors, contract, status=422))
def edit_contract(contract: Contract) -> ResponseReturnValue:
    if request.method == "GET":
        form = {
            "title": contract.title,
            "amount": plain_amount(contract.amount_minor, g.tenant.currency),
            "terms": contract.terms,
            "version": contract.version,
        }
        return _contract_form(form, {}, contract)
    contracts.update_contract(g.membership, contract, load(ContractSchema(**_cur()), request.form))
    flash(_("Contract saved."), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


@bp.post("/contracts/<contract_id>/<any(submit, approve, reject, sign):action>")
@accepts_body(lambda: contracts.MAX_SIGNED_BYTES + FORM_OVERHEAD)  # the signed copy comes through the app
@resolves(contract=_contract)
@on_invalid(flash_and_return(_to_contract))
def contract_action(contract: Contract, action: str) -> ResponseReturnValue:
    try:
        if action == "submit":
            contracts.submit(g.membership, contract)
        elif action in ("approve", "reject"):
            comment = load(CommentSchema(), request.form).get("comment")
            contracts.decide(g.membership, contract, action == "approve", comment)
        else:
            signed_on = request.form.get("signed_on") or None
            signed = datetime.strptime(signed_on, "%Y-%m-%d").date() if signed_on else None
            storage = current_app.extensions["atelier.storage"]
            contracts.sign(g.membership, contract, storage, request.files.get("file"), signed)
    except ValueError:
        flash(_("Enter a date like 2026-12-31."), "error")
        return redirect(url_for("staff.contract", contract_id=contract.id)), 303
    flash(_("Contract %(number)s updated.", number=contract.number), "success")
    return redirect(url_for("staff.contract", contract_id=contract.id))


@bp.get("/contracts/<contract_id>/signed")
@resolves(contract=_contract)
def signed_copy(contract: Contract) -> ResponseReturnValue:
    if not contract.signed_file_key:
        raise NotFound()
    data = current_app.extensions["atelier.storage"].get(contract.signed_file_key)
    kind = contracts._sniff(data) or "application/octet-stream"
    response = Response(data, mimetype=kind)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{contract.number}-signed{contracts.SIGNED_TYPES.get(kind, "")}"'
    )
    return response


@bp.post("/<any(quotes, contracts):kind>/<document_id>/schedule")
@requires(Perm.INVOICES)
@resolves(document=_quote_or_contract)
@on_invalid(flash_and_return(_to_document))
def schedule_invoices(kind: str, document: Quote | Contract) -> ResponseReturnValue:
    made = invoices.schedule(g.membership, document, load(ScheduleSchema(), request.form)["parts"])
    flash(_("%(n)d invoices drafted.", n=len(made)), "success")
    return redirect(_to_document(document))


# Invoices


@bp.get("/invoices")
def invoice_list() -> ResponseReturnValue:
    filters = queries.InvoiceFilters.from_args(request.args)
    page = queries.invoice_page(g.membership, filters, _today(), request.args.get("after"))
    return render_template(
        "staff/billing/invoices.html",
        invoices=page.invoices,
        next_cursor=page.next_cursor,
        filters=filters,
        status=filters.status,
        today=_today(),
        team=client_queries.team(),
    )


@bp.get("/payments")
@requires(Perm.PAYMENTS)
def payment_list() -> ResponseReturnValue:
    """Payments received, latest first: by period, method and client, for those who handle money."""
    filters = queries.PaymentFilters.from_args(request.args)
    page = queries.payment_page(g.membership, filters, request.args.get("after"))
    client = _filter_client(filters.client)
    any_client = {k: v for k, v in filters.as_args().items() if k != "client"}
    return render_template(
        "staff/billing/payments.html",
        page=page,
        filters=filters,
        client=client,
        any_client=any_client,
        team=client_queries.team(),
    )


def _filter_client(client_id: str) -> Client | None:
    try:
        return get_client(g.membership, client_id) if client_id else None
    except NotFound:
        return None


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
@on_invalid(lambda exc: _invoice_form(request.form, exc.errors, client=_new_document_client(), status=422))
def new_invoice() -> ResponseReturnValue:
    if request.method == "GET" and not request.args.get("client"):
        return pick_client("staff.new_invoice", _("New invoice"), "staff.invoice_list", _("Invoices"))
    client = _new_document_client()
    if request.method == "GET":
        return _invoice_form(
            {"client_id": str(client.id), "project_id": request.args.get("project", "")}, {}, client=client
        )
    invoice = invoices.create_invoice(g.membership, load(InvoiceSchema(**_cur()), request.form))
    flash(_("Invoice %(number)s created.", number=invoice.number), "success")
    return redirect(url_for("staff.invoice", invoice_id=invoice.id))


@bp.get("/invoices/<invoice_id>")
@resolves(invoice=_invoice)
def invoice(invoice: Invoice) -> ResponseReturnValue:
    return _invoice_page(invoice)


def _invoice_page(found: Invoice, errors: dict | None = None, form: Any = None, status: int = 200):
    page = render_template(
        "staff/billing/invoice.html",
        invoice=found,
        today=_today(),
        errors=errors or {},
        form=form or {},
        pending_refunds=refunds.unconfirmed(found),
        gate_drafts=invoices.drafts_to_wait_for(found),
        basis=queries.invoice_basis(found),
    )
    return page, status


def _section(name: str, exc: ValidationFailed) -> dict[str, list[str]]:
    """The invoice page holds several forms: a refused one's errors are keyed by its section."""
    return {f"{name}.{k}": v for k, v in exc.errors.items()}


def _payment_of(invoice: Invoice, payment_id: str) -> Payment:
    payment = next((p for p in invoice.payments if str(p.id) == payment_id), None)
    if payment is None:
        abort(404)
    return payment


@bp.post("/invoices/<invoice_id>/gate")
@requires(Perm.INVOICES)
@resolves(invoice=_invoice)
@on_invalid(lambda exc, invoice: _invoice_page(invoice, _section("gate", exc), request.form, 422))
def gate_invoice(invoice: Invoice) -> ResponseReturnValue:
    from saas.ids import parse_uuid

    chosen = request.form.get("draft_id") or None
    invoices.gate_on_draft(g.membership, invoice, parse_uuid(chosen) if chosen else None)
    flash(_("Invoice %(number)s updated.", number=invoice.number), "success")
    return redirect(url_for("staff.invoice", invoice_id=invoice.id))


def _refund_refused(exc: ValidationFailed, invoice: Invoice, payment: Payment) -> ResponseReturnValue:
    form = {**request.form, "payment_id": str(payment.id)}
    return _invoice_page(invoice, _section("refund", exc), form, 422)


@bp.post("/invoices/<invoice_id>/payments/<payment_id>/refund")
@requires(Perm.PAYMENTS)
@resolves(invoice=_invoice, payment=ChildOf("invoice", _payment_of))
@on_invalid(_refund_refused)
def refund_payment(invoice: Invoice, payment: Payment) -> ResponseReturnValue:
    """Asked of Stripe by a job; the payment and the invoice change when Stripe's webhook confirms it."""
    data = load(RefundSchema(**_cur()), request.form)
    refunds.request_refund(g.membership, invoice, payment, data["amount_minor"], data["reason"])
    flash(_("Refund asked of Stripe. The invoice shows it once Stripe confirms."), "success")
    return redirect(url_for("staff.invoice", invoice_id=invoice.id))


def _action_refused(exc: ValidationFailed, invoice: Invoice) -> ResponseReturnValue:
    """The errors of the send, void or pay form, keyed by the action the URL names."""
    action = (request.view_args or {})["action"]
    return _invoice_page(invoice, _section(action, exc), request.form, 422)


@bp.post("/invoices/<invoice_id>/<any(send, resend, remind, void, pay):action>")
@resolves(invoice=_invoice)
@on_invalid(_action_refused)
def invoice_action(invoice: Invoice, action: str) -> ResponseReturnValue:
    if action == "send":
        _told(invoices.send_invoice(g.membership, invoice), invoice.client)
    elif action == "resend":
        _told(reminders.send_again(g.membership, invoice), invoice.client)
    elif action == "remind":
        people = ", ".join(r.email for r in reminders.remind_now(g.membership, invoice) if r.email)
        flash(_("Reminder sent to %(people)s.", people=people), "success")
    elif action == "void":
        invoices.void_invoice(g.membership, invoice, load(VoidSchema(), request.form)["reason"])
        flash(_("Invoice %(number)s is void; the client no longer sees it.", number=invoice.number), "success")
    else:
        payment = invoices.record_payment(g.membership, invoice, load(PaymentSchema(**_cur()), request.form))
        flash(_paid_message(payment.amount_minor, invoice), "success")
    return redirect(url_for("staff.invoice", invoice_id=invoice.id))


def _paid_message(amount: int, invoice: Invoice) -> str:
    """What recording a payment did: "¥20,000.00 recorded; ¥17,251.93 still due", or that it is paid in full."""
    money = lambda minor: format_money(minor, g.tenant.currency, current_locale())  # noqa: E731
    if invoice.balance_minor > 0:
        return _(
            "%(amount)s recorded; %(balance)s still due.", amount=money(amount), balance=money(invoice.balance_minor)
        )
    return _("%(amount)s recorded; invoice %(number)s is paid in full.", amount=money(amount), number=invoice.number)


@bp.get("/invoices/<invoice_id>/print")
@resolves(invoice=_invoice)
def print_invoice(invoice: Invoice) -> ResponseReturnValue:
    from saas.billing.printing import invoice_document

    return render_template(
        "billing/print.html",
        doc=invoice_document(invoice, g.tenant, common.settings().payment_instructions),
        back=url_for("staff.invoice", invoice_id=invoice.id),
        pdf=url_for("staff.invoice_pdf", invoice_id=invoice.id),
    )


@bp.get("/invoices/<invoice_id>/pdf")
@resolves(invoice=_invoice)
def invoice_pdf(invoice: Invoice) -> ResponseReturnValue:
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import invoice_document

    storage = current_app.extensions["atelier.storage"]
    doc = invoice_document(invoice, g.tenant, common.settings().payment_instructions, storage)
    response = Response(render_quote_pdf(doc), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@bp.get("/receivables")
def receivables() -> ResponseReturnValue:
    result = queries.ageing(g.membership, _today())
    return render_template(
        "staff/billing/ageing.html", rows=result.rows, totals=result.totals, clients=result.clients, today=_today()
    )


# Project costs


def _to_costs(project: Project, **_records: object) -> str:
    return url_for("staff.project", project_id=project.id) + "#costs"


def _cost_of(project: Project, cost_id: str) -> ProjectCost:
    cost = next((c for c in queries.costs_of(project) if str(c.id) == cost_id), None)
    if cost is None:
        raise NotFound()
    return cost


@bp.post("/projects/<project_id>/costs")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project)
@on_invalid(flash_and_return(_to_costs))
def add_cost(project: Project) -> ResponseReturnValue:
    costs.add_cost(g.membership, project, load(CostSchema(**_cur()), request.form))
    flash(_("Cost recorded."), "success")
    return redirect(_to_costs(project))


@bp.post("/projects/<project_id>/costs/<cost_id>/remove")
@requires(Perm.PROJECTS_EDIT)
@resolves(project=get_project, cost=ChildOf("project", _cost_of))
def remove_cost(project: Project, cost: ProjectCost) -> ResponseReturnValue:
    costs.remove_cost(g.membership, cost)
    return redirect(_to_costs(project))


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
@on_invalid(lambda exc: _billing_settings_page(request.form, exc.errors, 422))
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
            "send_deposit_on_acceptance": row.send_deposit_on_acceptance,
            "deposit_percent": row.deposit_percent,
            "deposit_due_days": row.deposit_due_days,
            "version": row.version,
        }
        return _billing_settings_page(form, {})
    common.update_settings(g.membership, row, load(BillingSettingsSchema(), request.form))
    contracts.set_rules(g.membership, _rules_from_form())
    flash(_("Billing settings saved."), "success")
    return redirect(url_for("staff.billing_settings"))


def _to_online_payments(**_records: object) -> str:
    return url_for("staff.billing_settings") + "#online"


@bp.post("/settings/billing/stripe")
@requires(Perm.BILLING_SETTINGS)
@on_invalid(flash_and_return(_to_online_payments))
def connect_stripe() -> ResponseReturnValue:
    """Off to Stripe to connect (or finish connecting) the studio's own account; the owner alone may."""
    back = external_url("staff.stripe_connected")
    link = onboarding_link(g.membership, back, external_url("staff.billing_settings"))
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
