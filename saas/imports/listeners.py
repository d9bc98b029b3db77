"""What imports plug into the floors below: the audit trail's actions (an import started, finished, undone)."""

from __future__ import annotations

from saas.tenants import audit

audit.register_actions("clients.import_started", "clients.imported", "clients.import_undone")
