"""Billing's rules, one module per document (the package grew past one file): quotes with their approvals and
revisions, contracts with their approval chain, invoices and payments, project costs, reminders of open
invoices, and what they share (settings, numbering, finding a document through its client)."""

from saas.billing.services import common, contracts, costs, invoices, quotes, reminders

__all__ = ["common", "contracts", "costs", "invoices", "quotes", "reminders"]
