"""A payment's receipt as a PDF the client downloads from the portal: the studio, who paid, for which invoice,
when, how, how much (and what was refunded), in the reader's language, with the quote PDF's font and styles."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from saas.billing.labels import payment_method_label
from saas.billing.models import Invoice, Payment
from saas.billing.pdf import FONT, MARGIN, STYLES, brand_colour, setup_reportlab
from saas.money import for_reader
from saas.tenants.models import Tenant


@dataclass(frozen=True)
class ReceiptDocument:
    studio: str
    brand_color: str
    title: str  # "Receipt", in the reader's language
    rows: list[tuple[str, str]]  # label, value
    locale: str


def receipt_document(tenant: Tenant, invoice: Invoice, payment: Payment) -> ReceiptDocument:
    """What the receipt says, in the reader's language (the request's)."""
    from flask_babel import get_locale

    def money(minor: int) -> str:
        return for_reader(minor, tenant.currency)

    rows = [
        (_("Received from"), invoice.client.name),
        (_("Invoice"), f"{invoice.number} · {invoice.title}"),
        (_("Date"), payment.paid_on.isoformat()),
        (_("Method"), payment_method_label(payment.method)),
        (_("Reference"), payment.reference or "—"),
        (_("Amount"), money(payment.amount_minor)),
    ]
    if payment.refunded_minor:
        rows.append((_("Refunded"), money(payment.refunded_minor)))
    rows.append((_("Still to pay on this invoice"), money(max(invoice.balance_minor, 0))))
    return ReceiptDocument(tenant.name, tenant.brand_color, _("Receipt"), rows, str(get_locale() or "zh_CN"))


def render_receipt_pdf(doc: ReceiptDocument) -> bytes:
    setup_reportlab()
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{doc.title} · {doc.studio}",
        author=doc.studio,
        lang=doc.locale.replace("_", "-"),
    )
    rows = [
        [Paragraph(escape(label), STYLES["caption"]), Paragraph(escape(value), STYLES["body"])]
        for label, value in doc.rows
    ]
    table = Table(rows, colWidths=[45 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, brand_colour("#e3e6e4")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    heading = Table(
        [[Paragraph(escape(doc.studio), STYLES["studio"]), Paragraph(escape(doc.title), STYLES["title"])]],
        colWidths=[None, None],
    )
    heading.setStyle(
        TableStyle(
            [("LINEBELOW", (0, 0), (-1, 0), 2, brand_colour(doc.brand_color)), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
        )
    )
    template.build([heading, Spacer(1, 18), table])
    return buffer.getvalue()
