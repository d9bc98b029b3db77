"""Names of the coded values a report groups by, in the reader's language: the pages' own maps where they have one
(saas.web.labels, saas.billing.labels), so a bar says what the list it opens says."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import pgettext

from saas.billing.labels import payment_methods
from saas.web.labels import label_maps

Names = Callable[[], dict[str, str]]


def _plain(name: str) -> dict[str, str]:
    """One of the pages' maps, as plain text (the pages' are Markup, safe in their templates)."""
    return {code: str(label) for code, label in label_maps()[name].items()}


def client_status() -> dict[str, str]:
    return _plain("status_labels")


def client_kind() -> dict[str, str]:
    return _plain("kind_labels")


def interaction_kind() -> dict[str, str]:
    return _plain("interaction_labels")


def invoice_status() -> dict[str, str]:
    documents = _plain("doc_status_labels")
    return {code: documents[code] for code in ("draft", "sent", "partly_paid", "paid", "void")}


def invoice_kind() -> dict[str, str]:
    return _plain("invoice_kind_labels")


def payment_method() -> dict[str, str]:
    return payment_methods()


def ticket_status() -> dict[str, str]:
    return {
        "new": pgettext("ticket status", "New"),
        "open": pgettext("ticket status", "Open"),
        "waiting": _("Waiting on client"),
        "resolved": pgettext("ticket status", "Resolved"),
        "closed": pgettext("ticket status", "Closed"),
    }


def ticket_priority() -> dict[str, str]:
    return {
        "low": pgettext("priority", "Low"),
        "normal": pgettext("priority", "Normal"),
        "high": pgettext("priority", "High"),
        "urgent": pgettext("priority", "Urgent"),
    }


def ticket_source() -> dict[str, str]:
    return {
        "portal": _("Client portal"),
        "staff": _("Raised by staff"),
        "phone": _("Phone call"),
        "visit": _("Site visit"),
        "email": pgettext("ticket source", "E-mail"),
    }


def visit_status() -> dict[str, str]:
    return _plain("visit_status_labels")
