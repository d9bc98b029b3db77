"""Who reads and who changes a saved report. Its author reads and changes it; a report pinned to the studio board
is read by everyone who builds reports (computed with the reader's own access, so it shows each one only what
they may see). Another studio's report, or another person's unpinned one, reads as missing (404)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, or_, select
from werkzeug.exceptions import NotFound

from saas.extensions import db
from saas.ids import parse_uuid
from saas.reports.builder.definition import sources_for
from saas.reports.builder.models import SavedReport
from saas.tenants.models import Membership

LISTED = 200


def readable_by(membership: Membership) -> ColumnElement[bool]:
    return or_(SavedReport.owner_id == membership.user_id, SavedReport.pinned_studio.is_(True))


def get_report(membership: Membership, report_id: str | uuid.UUID) -> SavedReport:
    """A report this person may read (theirs, or pinned to the studio board), or 404."""
    query = select(SavedReport).where(SavedReport.id == parse_uuid(report_id), readable_by(membership))
    found = db.session.scalar(query)
    if found is None:
        raise NotFound()
    return found


def get_own_report(membership: Membership, report_id: str | uuid.UUID) -> SavedReport:
    """A report this person wrote (to edit, pin or delete), or 404."""
    query = select(SavedReport).where(
        SavedReport.id == parse_uuid(report_id), SavedReport.owner_id == membership.user_id
    )
    found = db.session.scalar(query)
    if found is None:
        raise NotFound()
    return found


def readable_reports(membership: Membership) -> list[SavedReport]:
    """The reports listed for this person, last changed first: their own, and the studio's pinned ones on a source
    they use (another's report on clients is not finance's to read)."""
    query = select(SavedReport).where(readable_by(membership)).order_by(SavedReport.updated_at.desc()).limit(LISTED)
    usable = {s.key for s in sources_for(membership)}
    return [
        r
        for r in db.session.scalars(query)
        if r.owner_id == membership.user_id or (r.definition or {}).get("source") in usable
    ]
