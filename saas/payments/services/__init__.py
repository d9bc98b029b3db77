"""Payments' rules, one module per concern: a studio connecting its own Stripe account, a client paying an
invoice through Stripe Checkout, what Stripe's events record (payments, refunds), refunds asked by staff, and
the receipt the client gets."""

from saas.payments.services import checkout, connect, receipts, refunds, settle

__all__ = ["checkout", "connect", "receipts", "refunds", "settle"]
