"""What plans plug into the floors below: the limits on seats, storage and portal access, and the platform's
Stripe events that move a studio's plan."""

from __future__ import annotations

from saas.payments.webhooks import handles, register_platform_customer
from saas.plans import limits, services
from saas.quotas import Quota
from saas.quotas import limits as quota

quota(Quota.SEATS)(limits.check_seats)
quota(Quota.STORAGE_BYTES)(limits.check_storage)
quota(Quota.PORTAL_USERS)(limits.check_portal_users)

handles("customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted")(
    services.subscription_changed
)
handles("checkout.session.completed", "checkout.session.async_payment_succeeded")(services.checkout_completed)
register_platform_customer(services.customer_id)
