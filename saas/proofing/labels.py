"""Names of proofing states and decisions in the reader's language, for staff and portal pages alike."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext


def draft_status_label(status: str) -> str:
    return {
        "preparing": _("Being prepared"),
        "in_review": _("In review"),
        "approved": pgettext("draft decision", "Approved"),
        "approved_with_changes": _("Approved with minor changes"),
        "changes_requested": _("Changes requested"),
        "superseded": _("Replaced by a later version"),
    }.get(status, status)


def decision_label(choice: str | None) -> str:
    return {
        "approve": _("Approve"),
        "approve_with_changes": _("Approve with minor changes"),
        "request_changes": _("Request changes"),
    }.get(choice or "", "—")
