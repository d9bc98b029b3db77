"""What exports plug into the floors below: their audited action, named for the audit trail's filter, and the
hourly sweep that deletes the files of expired exports from storage."""

from __future__ import annotations

from saas.exports.services import remove_expired_files
from saas.scheduling import periodic
from saas.tenants.audit import register_actions

register_actions("export.created")
periodic("export-files", 3600, remove_expired_files)
