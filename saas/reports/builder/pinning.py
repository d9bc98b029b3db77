"""Saved reports on the dashboards (saas/reports/pins.py): each reader's board shows the reports pinned there,
computed with that reader's access. A report the reader may no longer compute (a removed custom field, a source
their role does not use) is left off their board rather than shown half-computed."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from saas.errors import ValidationFailed
from saas.extensions import db
from saas.reports import pins
from saas.reports.builder.models import SavedReport
from saas.reports.builder.services import chart_for
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm

BOARD_MAX = 12


def pinned_reports(membership: Membership, board: pins.Board) -> list[SavedReport]:
    if board == "studio":
        where = SavedReport.pinned_studio.is_(True)
    else:
        where = (SavedReport.pinned_personal.is_(True)) & (SavedReport.owner_id == membership.user_id)
    query = select(SavedReport).where(where).order_by(SavedReport.created_at).limit(BOARD_MAX)
    return list(db.session.scalars(query))


@pins.register
def _pinned(membership: Membership, board: pins.Board) -> list[pins.Pinned]:
    if not has_perm(membership.role, Perm.REPORTS_BUILD):
        return []
    found = []
    for report in pinned_reports(membership, board):
        try:
            chart = chart_for(membership, report.definition or {})
        except ValidationFailed:
            continue
        found.append(pins.Pinned(report.name, chart, url_for("staff.report", report_id=report.id)))
    return found
