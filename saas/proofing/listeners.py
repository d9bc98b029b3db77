"""What proofing plugs into the floors below: draft versions as holders of their pages, and the reminder to
reviewers who have not decided by the due date."""

from __future__ import annotations

from saas.files.owners import register_owner
from saas.proofing.access import DraftFiles
from saas.proofing.services import remind_due
from saas.scheduling import periodic

register_owner("draft", DraftFiles())

periodic("review-reminders", 900, remind_due)
