"""What proofing plugs into the floors below: draft versions as holders of their pages."""

from __future__ import annotations

from saas.files.owners import register_owner
from saas.proofing.access import DraftFiles

register_owner("draft", DraftFiles())
