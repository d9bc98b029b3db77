"""Inbound webhooks: other services (Stripe today) telling Atelier what happened. A surface like the staff
workspace or the API: it verifies and hands over to the domains."""
