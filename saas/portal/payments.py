"""Paying in the portal: an invoice's page with what is left to pay and how (online through the studio's Stripe
account, or the studio's bank details), the return from Stripe, and printable receipts. Routes attach to the
portal blueprint; everything is resolved through the signed-in person's client."""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request
from flask.typing import ResponseReturnValue

from saas.billing.models import Payment
from saas.billing.schemas import OnlinePaymentSchema
from saas.billing.services.common import settings as billing_settings
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.files.storage import content_disposition
from saas.ids import parse_uuid
from saas.payments.receipt_pdf import receipt_document, render_receipt_pdf
from saas.payments.services import checkout
from saas.payments.services.connect import takes_payments
from saas.portal import queries
from saas.portal.views import bp, signed_in
from saas.schemas import load
from saas.tenants.queries import studio_today


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
    )
    return page, status


@bp.get("/invoices/<invoice_id>")
def invoice(invoice_id: str) -> ResponseReturnValue:
    return _invoice_page(queries.invoice_for(signed_in(), invoice_id))


@bp.post("/invoices/<invoice_id>/pay")
def pay_invoice(invoice_id: str) -> ResponseReturnValue:
    """Off to Stripe's payment page; the invoice changes only when Stripe's webhook says the money arrived."""
    user = signed_in()
    found = queries.invoice_for(user, invoice_id)
    try:
        requested = load(OnlinePaymentSchema(currency=g.portal_tenant.currency), request.form)["amount_minor"]
        url = checkout.start(user, found, requested)
    except ValidationFailed as exc:
        return _invoice_page(found, 422, exc.text)
    return redirect(url, 303)


def _payment(payment_id: str):
    """A payment on an invoice of this person's client; anything else is missing."""
    user = signed_in()
    payment = db.session.get(Payment, parse_uuid(payment_id))
    if payment is None:
        abort(404)
    return user, queries.invoice_for(user, payment.invoice_id), payment


@bp.get("/payments/<payment_id>/receipt")
def receipt(payment_id: str) -> ResponseReturnValue:
    user, found, payment = _payment(payment_id)
    return render_template("portal/receipt.html", tenant=g.portal_tenant, invoice=found, payment=payment, user=user)


@bp.get("/payments/<payment_id>/receipt.pdf")
def receipt_pdf(payment_id: str) -> ResponseReturnValue:
    _user, found, payment = _payment(payment_id)
    pdf = render_receipt_pdf(receipt_document(g.portal_tenant, found, payment))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"receipt-{found.number}.pdf", attachment=True)
    return response
