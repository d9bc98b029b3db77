"""Online payments through Stripe: studios connect their own Stripe account; clients pay invoices in the
portal; every effect comes from Stripe's webhooks, once."""
