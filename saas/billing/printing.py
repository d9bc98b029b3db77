"""The printed quote and invoice: labels in the language chosen for the client (not the reader's), amounts in the
studio's currency, the studio's name, colour and logo. The printable page and the PDF share this."""

from __future__ import annotations

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _

from saas.billing.documents import DocumentLine, QuoteDocument
from saas.billing.models import Invoice, Quote
from saas.billing.queries import InvoiceBasis, invoice_basis
from saas.files.storage import Storage
from saas.money import format_money
from saas.tenants.models import Tenant


def _labels() -> dict[str, str]:
    return {
        "description": _("Description"),
        "quantity": _("Qty"),
        "unit": _("Unit"),
        "unit_price": _("Unit price"),
        "discount": _("Discount"),
        "total": _("Amount"),
        "grand_total": _("Total"),
        "subtotal": _("Subtotal"),
        "discount_total": _("Discounts included"),
        "client": _("Client"),
        "issued_on": _("Issued"),
        "valid_until": _("Valid until"),
        "notes": _("Notes"),
        "page": _("Page"),
        "due_on": _("Due on"),
        "paid": pgettext("amount", "Paid"),
        "balance": _("Balance due"),
        "how_to_pay": _("How to pay"),
    }


def quote_document(quote: Quote, tenant: Tenant, storage: Storage | None = None) -> QuoteDocument:
    locale = quote.language if quote.language in ("zh_CN", "en") else "zh_CN"
    money = lambda minor: format_money(minor, tenant.currency, locale)  # noqa: E731
    contact = next((c for c in quote.client.contacts if c.decision_maker), None) or next(
        iter(quote.client.contacts), None
    )
    with force_locale(locale):
        labels = _labels()
        title = _("Quote")
        tax_label = _("Tax %(rate)s%%", rate=f"{quote.tax_rate_bp / 100:g}")
    return QuoteDocument(
        locale=locale,
        studio_name=tenant.name,
        brand_color=tenant.brand_color,
        logo_png=_logo(tenant, storage),
        title=title,
        number=f"{quote.number} · v{quote.revision}",
        client_name=quote.client.name,
        client_contact=contact.name if contact else None,
        issued_on=(quote.sent_at or quote.created_at).date(),
        valid_until=quote.valid_until,
        lines=[
            DocumentLine(
                description=line.description,
                quantity=f"{line.quantity.normalize():f}",
                unit=line.unit or "",
                unit_price=money(line.unit_price_minor),
                discount=f"{line.discount_bp / 100:g}%" if line.discount_bp else "",
                total=money(line.total_minor),
            )
            for line in quote.lines
        ],
        subtotal=money(quote.subtotal_minor),
        discount_total=money(quote.discount_minor) if quote.discount_minor else "",
        tax_label=tax_label,
        tax=money(quote.tax_minor),
        total=money(quote.total_minor),
        notes=quote.notes,
        labels=labels,
    )


def invoice_document(
    invoice: Invoice, tenant: Tenant, instructions: str | None, storage: Storage | None = None
) -> QuoteDocument:
    """An invoice on paper: what it bills as one line (its share of the quote or contract, or its title), the
    amount, what was received and what is left, and how to pay; in the quote's language, else the studio's."""
    basis = invoice_basis(invoice)
    language = basis.quote.language if basis.quote is not None else tenant.locale
    locale = language if language in ("zh_CN", "en") else "zh_CN"
    money = lambda minor: format_money(minor, tenant.currency, locale)  # noqa: E731
    contact = next((c for c in invoice.client.contacts if c.decision_maker), None) or next(
        iter(invoice.client.contacts), None
    )
    with force_locale(locale):
        labels = _labels()
        title = _("Invoice")
        description = billed_line(invoice, basis, money)
    line = DocumentLine(description, "1", "", money(invoice.amount_minor), "", money(invoice.amount_minor))
    return QuoteDocument(
        locale=locale,
        studio_name=tenant.name,
        brand_color=tenant.brand_color,
        logo_png=_logo(tenant, storage),
        title=title,
        number=invoice.number,
        client_name=invoice.client.name,
        client_contact=contact.name if contact else None,
        issued_on=(invoice.sent_at or invoice.created_at).date(),
        valid_until=None,
        lines=[line],
        subtotal="",
        total=money(invoice.amount_minor),
        labels=labels,
        due_on=invoice.due_on,
        paid=money(invoice.paid_minor) if invoice.paid_minor else "",
        balance=money(invoice.balance_minor),
        payment_instructions=instructions if invoice.balance_minor > 0 else None,
    )


def billed_line(invoice: Invoice, basis: InvoiceBasis, money) -> str:
    """ "Deposit: 30% of quote Q-2026-0002 «Office interior» (total ¥389,... )", or the invoice's own title."""
    kind = {"deposit": _("Deposit"), "milestone": _("Milestone"), "final": _("Final payment")}.get(invoice.kind, "")
    if basis.document is None:
        return f"{kind}: {invoice.title}" if kind and kind not in invoice.title else invoice.title
    document = (
        _("quote %(number)s", number=basis.document.number)
        if basis.quote is basis.document
        else _("contract %(number)s", number=basis.document.number)
    )
    return _(
        "%(kind)s: %(percent)s of %(document)s «%(title)s» (total %(total)s)",
        kind=kind,
        percent=basis.percent,
        document=document,
        title=basis.document.title,
        total=money(basis.total_minor),
    )


def _logo(tenant: Tenant, storage: Storage | None) -> bytes | None:
    if storage is None or not tenant.logo_key:
        return None
    try:
        return storage.get(tenant.logo_key)
    except Exception:  # a missing logo file must not stop a quote from printing
        return None
