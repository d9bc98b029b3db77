"""Names of billing codes in the reader's language, for pages and for documents made in Python (the PDFs)."""

from __future__ import annotations

from flask_babel import gettext as _


def payment_methods() -> dict[str, str]:
    return {
        "bank": _("Bank transfer"),
        "cash": _("Cash"),
        "other": _("Other"),
        "stripe": _("Online (Stripe)"),
    }


def payment_method_label(method: str) -> str:
    return payment_methods().get(method, method)
