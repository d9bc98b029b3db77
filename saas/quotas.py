"""Quotas: the seam between the places that add something a plan may limit and the plans that limit it.

A lower floor (people are invited in `tenants`, files stored in `files`, portal access opened in
`portal_accounts`) must not know about plans, which live higher up. So it asks here, `require_room(SEATS)`, and
whoever sets the limits registers a check at start-up (`saas.plans` does). A check raises ValidationFailed with
the message to show; with no check registered there is no limit (an installation without plans).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Quota(StrEnum):
    SEATS = "seats"  # active members plus open invitations
    STORAGE_BYTES = "storage_bytes"  # bytes of ready files
    PORTAL_USERS = "portal_users"  # client contacts who may open the portal


Check = Callable[[int], None]  # called with how much is being added; raises ValidationFailed when over
_checks: dict[Quota, list[Check]] = {quota: [] for quota in Quota}


def limits(quota: Quota) -> Callable[[Check], Check]:
    """Register `check` for `quota` (a decorator)."""

    def register(check: Check) -> Check:
        if check not in _checks[quota]:
            _checks[quota].append(check)
        return check

    return register


def require_room(quota: Quota, adding: int = 1) -> None:
    """Raise ValidationFailed if adding `adding` more of `quota` would go over the current studio's limit."""
    for check in _checks[quota]:
        check(adding)
