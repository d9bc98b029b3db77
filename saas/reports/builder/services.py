"""Saving, changing, pinning and removing reports, and computing one for a reader. A definition is checked on
save (nothing is written when any part of it is refused) and again on every read; a report is always computed
with the reader's access, never its author's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from flask_babel import gettext as _

from saas.db import lock_row, utcnow
from saas.errors import Conflict, ValidationFailed
from saas.extensions import db
from saas.i18n import current_locale
from saas.reports.builder import definition as definitions
from saas.reports.builder.compiler import compute, context_for
from saas.reports.builder.models import NAME_MAX, SavedReport
from saas.reports.builder.shape import chart_of
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Perm, require
from saas.web.charts import Chart

Board = Literal["studio", "personal"]


def chart_for(membership: Membership, raw: Mapping[str, Any]) -> Chart:
    """The chart a definition draws over what `membership` may see; ValidationFailed when it does not hold."""
    require(membership, Perm.REPORTS_BUILD)
    language = current_locale()
    checked = definitions.check(membership, raw, language)
    tenant = db.session.get(Tenant, membership.tenant_id)
    ctx = context_for(tenant, language)
    return chart_of(checked, compute(checked, membership, ctx), ctx, tenant.currency, membership.role)


def _name(raw: Any) -> str:
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        raise ValidationFailed({"name": [_("Give the report a name.")]})
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": [_("Keep the name under %(n)d characters.", n=NAME_MAX)]})
    if any(ord(c) < 32 for c in name):
        raise ValidationFailed({"name": [_("The name holds characters that cannot be shown.")]})
    return name


def _checked(membership: Membership, data: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    errors: dict[str, list[str]] = {}
    try:
        name = _name(data.get("name"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        name = ""
    try:
        stored = definitions.check(membership, data, current_locale()).as_dict()
    except ValidationFailed as exc:
        errors.update(exc.errors)
        stored = {}
    if errors:
        raise ValidationFailed(errors)
    return name, stored


def create_report(membership: Membership, data: Mapping[str, Any]) -> SavedReport:
    require(membership, Perm.REPORTS_BUILD)
    name, stored = _checked(membership, data)
    report = SavedReport(owner_id=membership.user_id, name=name, definition=stored)
    db.session.add(report)
    db.session.flush()
    return report


def update_report(membership: Membership, report: SavedReport, data: Mapping[str, Any]) -> None:
    """With the version the person read: someone who saved in between gets a conflict (409), not overwritten."""
    require(membership, Perm.REPORTS_BUILD)
    name, stored = _checked(membership, data)
    lock_row(db.session, report)
    if str(data.get("version") or "") != str(report.version):
        raise Conflict(_("Someone changed this report since you opened it. Reload it to see their changes."))
    report.name, report.definition, report.updated_at = name, stored, utcnow()
    db.session.flush()


def pin_report(membership: Membership, report: SavedReport, board: Board, on: bool) -> None:
    require(membership, Perm.REPORTS_STUDIO if board == "studio" else Perm.REPORTS_BUILD)
    if on:  # a report pinned anywhere must still hold for its author
        definitions.check(membership, report.definition or {}, current_locale())
    if board == "studio":
        report.pinned_studio = on
    else:
        report.pinned_personal = on
    report.updated_at = utcnow()
    db.session.flush()


def delete_report(membership: Membership, report: SavedReport) -> None:
    require(membership, Perm.REPORTS_BUILD)
    db.session.delete(report)
    db.session.flush()
