"""What exports plug into the floors below: their audited action, named for the audit trail's filter."""

from __future__ import annotations

from saas.tenants.audit import register_actions

register_actions("export.created")
