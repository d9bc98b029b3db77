"""What a printed quote or invoice shows, decoupled from the ORM: the PDF and the printable page render this, in
the language chosen for the client, with the studio's name, colour and logo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DocumentLine:
    description: str
    quantity: str  # as typed, e.g. "0.333" or "3"
    unit: str  # e.g. "项", "hours", "m²"
    unit_price: str  # formatted money, e.g. "¥1,200.00"
    discount: str  # e.g. "10%" or ""
    total: str  # formatted money


@dataclass(frozen=True)
class QuoteDocument:
    locale: str  # "zh_CN" or "en": every label on the document is in this language
    studio_name: str
    brand_color: str  # "#2f6f5e"
    logo_png: bytes | None  # the studio's logo (PNG/JPEG bytes) or None
    title: str  # "报价单" / "Quote"
    number: str  # "Q-2026-0042 · v2"
    client_name: str
    client_contact: str | None
    issued_on: date
    valid_until: date | None
    lines: list[DocumentLine] = field(default_factory=list)
    subtotal: str = ""
    discount_total: str = ""
    tax_label: str = ""  # e.g. "税 6%" / "Tax 6%"
    tax: str = ""
    total: str = ""
    notes: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # column headings and captions, already translated
    # Invoices only: when it is due, what was received and what is left, and how to pay.
    due_on: date | None = None
    paid: str = ""
    balance: str = ""
    payment_instructions: str | None = None
