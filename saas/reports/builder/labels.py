"""Names of the coded values a report groups by, in the reader's language (the msgids the pages already use)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import pgettext

Names = Callable[[], dict[str, str]]


def client_status() -> dict[str, str]:
    return {
        "potential": _("Potential"),
        "intent": _("Interested"),
        "signed": pgettext("client status", "Signed"),
        "past": _("Past"),
    }


def client_kind() -> dict[str, str]:
    return {"company": _("Company"), "person": _("Person")}


def interaction_kind() -> dict[str, str]:
    return {
        "call": _("Call"),
        "wechat": _("WeChat"),
        "email": _("E-mail"),
        "meeting": _("Meeting"),
        "visit": _("Visit"),
        "note": _("Note"),
    }


def invoice_status() -> dict[str, str]:
    return {
        "draft": pgettext("document status", "Draft"),
        "sent": _("Sent"),
        "partly_paid": _("Partly paid"),
        "paid": pgettext("document status", "Paid"),
        "void": pgettext("document status", "Void"),
    }


def invoice_kind() -> dict[str, str]:
    return {"deposit": _("Deposit"), "milestone": _("Milestone"), "final": _("Final payment")}


def payment_method() -> dict[str, str]:
    return {"bank": _("Bank transfer"), "cash": _("Cash"), "other": _("Other"), "stripe": _("Online (Stripe)")}


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
    return {
        "scheduled": _("Scheduled"),
        "checked_in": _("On site"),
        "checked_out": pgettext("visit status", "Done"),
        "cancelled": _("Cancelled"),
        "missed": _("Missed"),
    }
