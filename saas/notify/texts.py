"""What each kind of notification says, in the reader's language: one title, a line of detail, and the label
of the button that opens it. The same words serve the bell and the e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext


@dataclass(frozen=True)
class Words:
    title: str
    detail: str
    action: str


def _decision(choice: str) -> str:
    return {
        "approve": _("approved"),
        "approve_with_changes": _("approved with minor changes"),
        "request_changes": _("asked for changes to"),
    }.get(choice, choice)


def words_for(kind: str, data: dict[str, Any]) -> Words:
    """The text of a notification. `data` holds what was true when it was written (names, version numbers)."""
    d = {k: v for k, v in data.items() if isinstance(v, str | int)}
    if kind == "review_requested":
        title = _("%(studio)s asks for your review: %(project)s, version %(version)d", **d)
        detail = data.get("message") or ""
        if data.get("due_on"):
            detail = (detail + "\n" if detail else "") + _("Please answer by %(date)s.", date=data["due_on"])
        return Words(title, detail, _("Review the draft"))
    if kind == "review_reminder":
        title = _("A reminder: %(project)s, version %(version)d is waiting for your review", **d)
        return Words(title, _("It was due on %(date)s.", date=data.get("due_on", "")), _("Review the draft"))
    if kind == "draft_commented":
        title = _("%(author)s commented on %(project)s, version %(version)d", **d)
        return Words(title, data.get("excerpt", ""), _("Open the draft"))
    if kind == "draft_replied":
        title = _("%(author)s replied on %(project)s, version %(version)d", **d)
        return Words(title, data.get("excerpt", ""), _("Open the draft"))
    if kind == "draft_decided":
        title = _("%(reviewer)s %(decision)s %(project)s, version %(version)d", decision=_decision(data["choice"]), **d)
        detail = _("Rating: %(rating)d of 5", rating=data["rating"]) if data.get("rating") else ""
        if data.get("note"):
            detail = (detail + "\n" if detail else "") + data["note"]
        return Words(title, detail, _("Open the draft"))
    if kind == "payment_received":
        amount = _amount(data)
        title = _("Receipt: %(amount)s paid to %(studio)s for invoice %(invoice)s", amount=amount, **d)
        return Words(title, _("Thank you. Keep this receipt for your records."), _("View the receipt"))
    if kind == "invoice_sent":
        title = _("%(studio)s sent you invoice %(invoice)s: %(amount)s", amount=_amount(data), **d)
        return Words(title, _("Due %(date)s.", date=data.get("due_on", "")), _("View and pay"))
    if kind == "quote_sent":
        title = _("%(studio)s sent you quote %(quote)s: %(amount)s", amount=_amount(data), **d)
        detail = data.get("title", "")
        if data.get("valid_until"):
            detail += "\n" + _("Valid until %(date)s.", date=data["valid_until"])
        return Words(title, detail, _("Open the quote"))
    if kind == "quote_opened":
        title = _("%(person)s opened quote %(quote)s in the portal", **d)
        return Words(title, data.get("title", ""), _("Open the quote"))
    if kind == "invoice_reminder":
        day = int(data.get("day", 0))
        if day < 0:
            title = _("Invoice %(invoice)s from %(studio)s is due on %(date)s", date=data.get("due_on", ""), **d)
        elif day == 0:
            title = _("Invoice %(invoice)s from %(studio)s is due today", **d)
        else:
            title = _("Invoice %(invoice)s from %(studio)s is overdue since %(date)s", date=data.get("due_on", ""), **d)
        return Words(title, _("Still to pay: %(amount)s.", amount=_amount(data)), _("View and pay"))
    if kind == "invoice_paid_online":
        title = _("%(client)s paid %(amount)s online for invoice %(invoice)s", amount=_amount(data), **d)
        return Words(title, "", _("Open the invoice"))
    if kind == "form_requested":
        title = _("%(studio)s asks you to fill in “%(form)s” for %(project)s", **d)
        return Words(title, _("It takes a few minutes; your answers go straight to the team."), _("Fill in the form"))
    if kind == "form_submitted":
        title = _("New answers to “%(form)s”", **d)
        return Words(title, _form_outcome(data.get("outcome", "")), _("Open the submission"))
    if kind == "export_ready":  # written by the export job in its author's language
        return Words(data.get("title", ""), _("The file can be downloaded for 7 days."), _("Download"))
    if kind.startswith("ticket_"):
        return _ticket_words(kind, data, d)
    return Words(kind, "", pgettext("action", "Open"))


def _ticket_words(kind: str, data: dict[str, Any], d: dict[str, Any]) -> Words:
    """Service tickets: what staff hear (urgent, from a client, breached, replied, assigned) and what the client
    hears (a reply from the studio; never an internal note, which is not sent at all)."""
    if kind == "ticket_replied":
        title = _("%(studio)s replied to your ticket %(ticket)s: %(title)s", **d)
        return Words(title, data.get("excerpt", ""), _("Open the ticket"))
    if kind == "ticket_client_replied":
        title = _("%(author)s replied on ticket %(ticket)s: %(title)s", **d)
        return Words(title, data.get("excerpt", ""), _("Open the ticket"))
    if kind == "ticket_breached":
        if data.get("target") == "first_response":
            title = _("Ticket %(ticket)s of %(client)s is past its first-response time", **d)
        else:
            title = _("Ticket %(ticket)s of %(client)s is past its resolution time", **d)
        return Words(title, data.get("title", ""), _("Open the ticket"))
    if kind == "ticket_urgent":
        title = _("Urgent ticket %(ticket)s from %(client)s: %(title)s", **d)
        return Words(title, "", _("Open the ticket"))
    if kind == "ticket_from_client":
        title = _("%(client)s raised ticket %(ticket)s: %(title)s", **d)
        return Words(title, "", _("Open the ticket"))
    title = _("Ticket %(ticket)s of %(client)s is yours: %(title)s", **d)
    return Words(title, "", _("Open the ticket"))


def _form_outcome(outcome: str) -> str:
    return {
        "created_lead": _("Created a lead"),
        "follow_up": _("Follow-up added to an existing client"),
        "brief_filled": _("Filled the project brief"),
        "feedback": _("Feedback recorded on the project"),
    }.get(outcome, "")


def _amount(data: dict[str, Any]) -> str:
    from saas.money import for_reader

    return for_reader(data.get("amount_minor"), data.get("currency", "CNY"))
