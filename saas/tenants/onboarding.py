"""The first-run guide: what a new studio should do next, worked out from what it has already done."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from saas.extensions import db
from saas.tenants.models import Invitation, Membership, Tenant
from saas.tenants.roles import Perm, has_perm


@dataclass(frozen=True)
class Step:
    title: str
    detail: str
    endpoint: str
    done: bool


def first_run_steps(tenant: Tenant, membership: Membership) -> list[Step]:
    if not has_perm(membership.role, Perm.STUDIO_SETTINGS):
        return []
    people = db.session.scalar(select(func.count()).select_from(Membership))
    invited = db.session.scalar(select(func.count()).select_from(Invitation))
    return [
        Step(
            str(_l("Add your logo and brand colour")),
            str(_l("Clients see them on the portal and in every e-mail.")),
            "staff.studio_settings",
            tenant.logo_key is not None,
        ),
        Step(
            str(_l("Check currency, time zone and language")),
            str(_l("Quotes and invoices use the currency; due dates and reminders use the time zone.")),
            "staff.studio_settings",
            tenant.version > 1,
        ),
        Step(
            str(_l("Invite your team")),
            str(_l("Designers, sales, finance and field staff each get the access their role needs.")),
            "staff.members",
            people > 1 or invited > 0,
        ),
    ]
