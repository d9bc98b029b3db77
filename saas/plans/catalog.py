"""The plans Atelier sells. Limits are counted on what a studio adds: going over never deletes anything, it only
stops adding more (a downgrade, or a lapsed payment, leaves every record and file in place)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_pgettext

GB = 1024**3
UNLIMITED = 10**9


@dataclass(frozen=True)
class Plan:
    key: str
    name: object  # a lazy string, shown in the reader's language
    seats: int  # staff members, counting open invitations
    storage_bytes: int
    portal_users: int  # client contacts with portal access
    price_setting: str | None  # the environment variable holding its Stripe Price id

    @property
    def paid(self) -> bool:
        return self.price_setting is not None


FREE = Plan("free", lazy_pgettext("plan", "Free"), 2, 1 * GB, 20, None)
STUDIO = Plan("studio", lazy_pgettext("plan", "Studio"), 10, 100 * GB, 200, "STRIPE_PRICE_STUDIO")
AGENCY = Plan("agency", lazy_pgettext("plan", "Agency"), 50, 1000 * GB, UNLIMITED, "STRIPE_PRICE_AGENCY")
PLANS = {plan.key: plan for plan in (FREE, STUDIO, AGENCY)}
TRIAL_DAYS = 30  # a new studio works on the Studio plan for this long, then on Free unless it subscribes
GRACE_DAYS = 7  # a subscription past due keeps its plan this long
