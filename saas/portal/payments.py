"""Paying in the portal: an invoice's page with what is left to pay and how (online through the studio's Stripe
account, or the studio's bank details), the return from Stripe, and printable receipts. Routes attach to the
portal blueprint; everything is resolved through the signed-in person's client."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas.billing.common import settings as billing_settings
from saas.billing.common import studio_today
from saas.billing.models import Payment
from saas.errors import ValidationFailed
from saas.extensions import db
from saas.money import parse_amount
from saas.payments import checkout
from saas.payments.connect import takes_payments
from saas.portal import queries
from saas.portal.views import _signed_in, bp
from saas.tenants.access import parse_uuid


def _invoice_page(invoice, status: int = 200, error: str | None = None) -> ResponseReturnValue:
    settings = billing_settings()
    page = render_template(
        "portal/invoice.html",
        tenant=g.portal_tenant,
        invoice=invoice,
        online=takes_payments(invoice.tenant_id),
        partial=settings.allow_partial_payments,
        payment_instructions=settings.payment_instructions,
        confirming=bool(request.args.get("paid")) and invoice.balance_minor > 0,
        today=studio_today(invoice.tenant_id),
        error=error,
    )
    return page, status


@bp.get("/invoices/<invoice_id>")
def invoice(invoice_id: str) -> ResponseReturnValue:
    return _invoice_page(queries.invoice_for(_signed_in(), invoice_id))


@bp.post("/invoices/<invoice_id>/pay")
def pay_invoice(invoice_id: str) -> ResponseReturnValue:
    """Off to Stripe's payment page; the invoice changes only when Stripe's webhook says the money arrived."""
    user = _signed_in()
    found = queries.invoice_for(user, invoice_id)
    try:
        typed = request.form.get("amount", "").strip()
        requested = parse_amount(typed, g.portal_tenant.currency) if typed else None
        url = checkout.start(user, found, requested)
    except ValidationFailed as exc:
        return _invoice_page(found, 422, " ".join(m for ms in exc.errors.values() for m in ms))
    except ValueError:
        return _invoice_page(found, 422, _amount_help())
    return redirect(url, 303)


def _amount_help() -> str:
    return _("Enter an amount like 1280.50.")


def _payment(payment_id: str):
    """A payment on an invoice of this person's client; anything else is missing."""
    user = _signed_in()
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
    from flask import Response
    from flask_babel import get_locale

    from saas.files.storage import content_disposition
    from saas.money import format_money
    from saas.payments.receipt_pdf import ReceiptDocument, render_receipt_pdf

    _user, found, payment = _payment(payment_id)
    tenant, locale = g.portal_tenant, str(get_locale() or "zh_CN")

    def money(minor: int) -> str:
        return format_money(minor, tenant.currency, locale)

    methods = {"bank": _("Bank transfer"), "cash": _("Cash"), "other": _("Other"), "stripe": _("Online (Stripe)")}
    rows = [
        (_("Received from"), found.client.name),
        (_("Invoice"), f"{found.number} · {found.title}"),
        (_("Date"), payment.paid_on.isoformat()),
        (_("Method"), methods.get(payment.method, payment.method)),
        (_("Reference"), payment.reference or "—"),
        (_("Amount"), money(payment.amount_minor)),
    ]
    if payment.refunded_minor:
        rows.append((_("Refunded"), money(payment.refunded_minor)))
    rows.append((_("Still to pay on this invoice"), money(max(found.balance_minor, 0))))
    doc = ReceiptDocument(tenant.name, tenant.brand_color, _("Receipt"), rows, locale)
    response = Response(render_receipt_pdf(doc), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"receipt-{found.number}.pdf", attachment=True)
    return response
