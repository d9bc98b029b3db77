"""Paying in the portal: an invoice's page with what is left to pay and how (online through the studio's Stripe
account, or the studio's bank details), the return from Stripe, and printable receipts. Routes attach to the
portal blueprint; everything is resolved through the signed-in person's client."""

from __future__ import annotations

from typing import NamedTuple

from flask import Response, abort, current_app, g, redirect, render_template, request
from flask.typing import ResponseReturnValue

from saas.billing import queries as billing_queries
from saas.billing.models import Invoice, Payment
from saas.billing.schemas import OnlinePaymentSchema
from saas.billing.services.common import settings as billing_settings
from saas.extensions import db
from saas.files.storage import content_disposition
from saas.ids import parse_uuid
from saas.payments.receipt_pdf import receipt_document, render_receipt_pdf
from saas.payments.services import checkout
from saas.payments.services.connect import takes_payments
from saas.portal import queries
from saas.portal.views import bp, signed_in
from saas.portal_accounts.models import PortalUser
from saas.schemas import load
from saas.tenants.queries import studio_today
from saas.web.pages import on_invalid, resolves


def _invoice_page(invoice, status: int = 200, error: str | None = None) -> ResponseReturnValue:
    settings = billing_settings()
    page = render_template(
        "portal/invoice.html",
        tenant=g.portal_tenant,
        invoice=invoice,
        online=takes_payments(),
        partial=settings.allow_partial_payments,
        payment_instructions=settings.payment_instructions,
        confirming=bool(request.args.get("paid")) and invoice.balance_minor > 0,
        today=studio_today(invoice.tenant_id),
        error=error,
        basis=billing_queries.invoice_basis(invoice),
    )
    return page, status


@bp.get("/invoices/<invoice_id>")
@resolves(actor=signed_in, invoice=queries.invoice_for)
def invoice(invoice: Invoice) -> ResponseReturnValue:
    return _invoice_page(invoice)


@bp.get("/invoices/<invoice_id>/pdf")
@resolves(actor=signed_in, invoice=queries.invoice_for)
def invoice_pdf(invoice: Invoice) -> ResponseReturnValue:
    """The invoice as a PDF for the client's books, in the quote's language (else the studio's)."""
    from saas.billing.pdf import render_quote_pdf
    from saas.billing.printing import invoice_document

    storage = current_app.extensions["atelier.storage"]
    doc = invoice_document(invoice, g.portal_tenant, billing_settings().payment_instructions, storage)
    response = Response(render_quote_pdf(doc), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@bp.post("/invoices/<invoice_id>/pay")
@resolves(actor=signed_in, invoice=queries.invoice_for)
@on_invalid(lambda exc, invoice: _invoice_page(invoice, 422, exc.text))
def pay_invoice(invoice: Invoice) -> ResponseReturnValue:
    """Off to Stripe's payment page; the invoice changes only when Stripe's webhook says the money arrived."""
    requested = load(OnlinePaymentSchema(currency=g.portal_tenant.currency), request.form)["amount_minor"]
    url = checkout.start(g.portal_user, invoice, requested)
    return redirect(url, 303)


class Receipt(NamedTuple):
    invoice: Invoice
    payment: Payment


def _receipt(user: PortalUser, payment_id: str) -> Receipt:
    """The URL's payment, with its invoice, when that invoice is this person's client's; anything else is
    missing."""
    payment = db.session.get(Payment, parse_uuid(payment_id))
    if payment is None:
        abort(404)
    return Receipt(queries.invoice_for(user, payment.invoice_id), payment)


@bp.get("/payments/<payment_id>/receipt")
@resolves(actor=signed_in, payment=_receipt)
def receipt(payment: Receipt) -> ResponseReturnValue:
    found, paid = payment
    user = g.portal_user
    return render_template("portal/receipt.html", tenant=g.portal_tenant, invoice=found, payment=paid, user=user)


@bp.get("/payments/<payment_id>/receipt.pdf")
@resolves(actor=signed_in, payment=_receipt)
def receipt_pdf(payment: Receipt) -> ResponseReturnValue:
    found, paid = payment
    pdf = render_receipt_pdf(receipt_document(g.portal_tenant, found, paid))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"receipt-{found.number}.pdf", attachment=True)
    return response
