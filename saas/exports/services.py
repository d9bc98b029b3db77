"""Exporting a list: who may, what is read, how it leaves.

`start_export` checks the permission and the filters, counts the rows up to the threshold (a capped COUNT, never
over the whole studio) and either hands back a sheet to stream now or queues a job. Every export is a row of
`exports` and one audit entry with its list, filters, format and row count: written by the request for a
streamed export, by the job for a queued one (the job knows the exact count). The job writes the file through
the app's storage (S3 in production), tells its author (the bell), and the file can be downloaded by its author
alone until it expires.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from saas.billing.queries import InvoiceFilters, PaymentFilters
from saas.clients.queries import ClientFilters
from saas.db import utcnow
from saas.errors import NotAllowed, ValidationFailed
from saas.exports import filters as checks
from saas.exports import lists, writers
from saas.exports.models import Export, ExportState
from saas.extensions import db
from saas.files.storage import tenant_key
from saas.ids import parse_uuid
from saas.jobs import LONG_JOB_SECONDS, enqueue
from saas.notify.services import Recipient, notify
from saas.projects.queries import ProjectFilters
from saas.tenants import audit
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Perm, has_perm
from saas.web.urls import site_path

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
KEEP_FOR = timedelta(days=7)  # a queued export's file, and its link
DEFAULT_JOB_ROWS = 5000
RECENT = 30


class _Args(dict):
    """A plain dict of query arguments that answers `getlist` as the lists' builders expect of a request."""

    def getlist(self, key: str) -> list[str]:
        return [self[key]] if self.get(key) else []


def may_export(membership: Membership, list_name: str) -> bool:
    """Everyone but field staff exports what they may see; payments are for those who handle money."""
    if not has_perm(membership.role, Perm.DATA_EXPORT):
        return False
    return list_name != "payments" or has_perm(membership.role, Perm.PAYMENTS)


def list_label(list_name: str) -> str:
    return {
        "clients": _("Clients"),
        "projects": _("Projects"),
        "invoices": _("Invoices"),
        "payments": _("Payments"),
    }.get(list_name, list_name)


def sheet_for(membership: Membership, place: lists.Place, list_name: str, args: dict[str, str]) -> lists.Sheet:
    """The list's sheet for these (already checked) arguments, built by the list's own filter classes."""
    given = _Args(args)
    if list_name == "clients":
        return lists.clients_sheet(membership, place, ClientFilters.from_args(given))
    if list_name == "projects":
        return lists.projects_sheet(membership, place, ProjectFilters.from_args(given))
    if list_name == "invoices":
        return lists.invoices_sheet(membership, place, InvoiceFilters.from_args(given))
    return lists.payments_sheet(membership, place, PaymentFilters.from_args(given))


def _checked(membership: Membership, list_name: str, fmt: str, args: dict[str, str]) -> None:
    if list_name not in lists.LISTS:
        raise NotFound()
    if not may_export(membership, list_name):
        raise NotAllowed()
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [_("Choose CSV or Excel.")]})
    checks.check(list_name, args)


def count_up_to(sheet: lists.Sheet, limit: int) -> int:
    """How many rows the sheet holds, counting no further than `limit` (an index scan of at most that many)."""
    capped = sheet.query.with_only_columns(sheet.counted).limit(limit).subquery()
    return int(db.session.scalar(select(func.count()).select_from(capped)) or 0)


def job_threshold() -> int:
    return int(current_app.config.get("EXPORT_JOB_ROWS", DEFAULT_JOB_ROWS))


@dataclass
class Started:
    export: Export
    sheet: lists.Sheet | None  # to stream now; None when a job writes the file


def _filename(list_name: str, fmt: str, tenant: Tenant) -> str:
    stamp = datetime.now(ZoneInfo(tenant.timezone)).strftime("%Y%m%d-%H%M")
    return f"{list_label(list_name)}-{stamp}.{fmt}"


def start_export(
    membership: Membership, tenant: Tenant, locale: str, list_name: str, fmt: str, args: dict[str, str]
) -> Started:
    """Check, count, and either stream (small) or queue a job (large). Refused input raises ValidationFailed."""
    args = {k: v for k, v in args.items() if k not in ("list", "format", "csrf_token", "after")}
    _checked(membership, list_name, fmt, args)
    place = lists.Place(tenant, locale)
    sheet = sheet_for(membership, place, list_name, args)
    threshold = job_threshold()
    found = count_up_to(sheet, threshold + 1)
    export = Export(
        user_id=membership.user_id,
        list_name=list_name,
        format=fmt,
        filters=args,
        locale=locale,
        filename=_filename(list_name, fmt, tenant),
    )
    db.session.add(export)
    if found > threshold:
        db.session.flush()
        enqueue(run_export, str(export.id), job_id=f"export-{export.id}", timeout=LONG_JOB_SECONDS)
        return Started(export, None)
    export.state, export.rows, export.finished_at = ExportState.STREAMED, found, utcnow()
    _audit(export, membership.user_id)
    return Started(export, sheet)


def _audit(export: Export, actor_id: uuid.UUID) -> None:
    audit.record(
        "export.created",
        export,
        actor_id=actor_id,
        list=export.list_name,
        format=export.format,
        filters=export.filters,
        rows=export.rows,
    )


# --- the job ------------------------------------------------------------------------------------------------


def run_export(export_id: str) -> None:
    """Write a queued export's file to storage, mark it ready and tell its author. Runs as its author's current
    role (a person who lost the right since does not get the file); idempotent: only a queued export runs."""
    export = db.session.get(Export, uuid.UUID(export_id))
    if export is None or export.state != ExportState.QUEUED:
        return
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == export.user_id, Membership.active.is_(True))
    )
    if membership is None or not may_export(membership, export.list_name):
        export.state, export.error, export.finished_at = ExportState.FAILED, "not allowed", utcnow()
        return
    try:
        title = _write_and_store(export, membership)
    except Exception:
        # Said on My exports rather than left "being prepared" for ever; the person can export again.
        log.exception("export %s failed", export_id)
        db.session.rollback()
        export = db.session.get(Export, uuid.UUID(export_id))
        export.state, export.error, export.finished_at = ExportState.FAILED, "the file could not be written", utcnow()
        return
    export.state, export.finished_at = ExportState.READY, utcnow()
    export.expires_at = export.finished_at + KEEP_FOR
    _audit(export, export.user_id)
    link = site_path("staff.download_export", export_id=export.id)
    notify([Recipient(user_id=export.user_id, locale=export.locale)], "export_ready", {"title": title}, link)


def _write_and_store(export: Export, membership: Membership) -> str:
    """Write the file in a temporary folder, hand it to storage; returns the notification's title."""
    with force_locale(export.locale), tempfile.TemporaryDirectory(prefix="export-") as folder:
        path = Path(folder) / f"export.{export.format}"
        sheet = sheet_for(membership, lists.Place(membership.tenant, export.locale), export.list_name, export.filters)
        export.rows = write_file(sheet, export.format, path, list_label(export.list_name))
        export.file_key = tenant_key(export.tenant_id, "exports", f"{export.id}.{export.format}")
        export.size = path.stat().st_size
        store_file(export.file_key, path, writers.CONTENT_TYPES[export.format])
        return _("Your export is ready: %(list)s, %(rows)d rows", list=list_label(export.list_name), rows=export.rows)


def write_file(sheet: lists.Sheet, fmt: str, path: Path, title: str) -> int:
    if fmt == "xlsx":
        return writers.write_xlsx(sheet.columns, lists.batches(sheet), path, title)
    return writers.write_csv(sheet.columns, lists.batches(sheet), path)


def store_file(key: str, path: Path, content_type: str) -> None:
    """Hand the file to storage without reading it into memory: the local folder copies it in chunks, S3 takes
    it as a (multipart) upload; any other storage gets its bytes."""
    storage: Any = current_app.extensions["atelier.storage"]
    if hasattr(storage, "save_stream"):
        with path.open("rb") as handle:
            storage.save_stream(key, handle, path.stat().st_size)
    elif hasattr(storage, "client") and hasattr(storage, "bucket"):
        storage.client.upload_file(str(path), storage.bucket, key, ExtraArgs={"ContentType": content_type})
    else:
        storage.put(key, path.read_bytes(), content_type)


def remove_expired_files() -> int:
    """Periodic, per studio: delete the files of exports whose link has expired (the row stays, for My exports
    and the audit trail). Returns how many files it removed."""
    storage: Any = current_app.extensions["atelier.storage"]
    expired = select(Export).where(Export.file_key.is_not(None), Export.expires_at < utcnow()).limit(500)
    found = list(db.session.scalars(expired))
    for export in found:
        storage.delete(export.file_key)
        export.file_key = None
    return len(found)


# --- reading them back --------------------------------------------------------------------------------------


def exports_of(membership: Membership) -> list[Export]:
    """One's own recent exports, newest first."""
    query = select(Export).where(Export.user_id == membership.user_id).order_by(Export.created_at.desc())
    return list(db.session.scalars(query.limit(RECENT)))


def export_of(membership: Membership, export_id: str) -> Export:
    """One of one's own exports; anyone else's (a colleague's, another studio's) reads as missing."""
    found = db.session.scalar(
        select(Export).where(Export.id == parse_uuid(export_id), Export.user_id == membership.user_id)
    )
    if found is None:
        raise NotFound()
    return found


def downloadable(membership: Membership, export_id: str) -> Export:
    """An export whose file may be downloaded now by this person: theirs, ready and not expired; else 404."""
    found = export_of(membership, export_id)
    if not found.downloadable() or not found.file_key:
        raise NotFound()
    return found
