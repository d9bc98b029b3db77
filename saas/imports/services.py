"""Import rules: upload a sheet (refused at once when it is not what it says), map its columns, start the job,
run it in batches (saas.imports.engine), undo it as a whole. Services flush, never commit — except the job, which
commits after each batch so that its progress is seen while it runs and a retried job resumes where it stopped.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO

from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import selectinload

from saas.clients.models import Client, ClientTag, Contact
from saas.clients.services import refresh_search_text
from saas.db import lock_row, utcnow
from saas.errors import ValidationFailed
from saas.events import emit
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.models import FieldValue
from saas.imports import mapping as columns
from saas.imports import reading, staging
from saas.imports.engine import Importer
from saas.imports.models import ClientImport, Duplicates, ImportRow, ImportStatus, Outcome
from saas.imports.validation import Cleaned, Cleaner, RowProblems
from saas.jobs import LONG_JOB_SECONDS, enqueue
from saas.tenants import audit
from saas.tenants.models import Membership, User
from saas.tenants.roles import Perm, require

log = logging.getLogger(__name__)
BATCH = 10_000  # rows written per transaction: the progress moves, and a retried job resumes, batch by batch
UNDO_BATCH = 5000
CONTENT_CHUNK = 1024 * 1024
PREVIEW_ROWS = 20


def upload_import(membership: Membership, filename: str, content: bytes) -> ClientImport:
    """Check the file, read its header and count its rows; the mapping starts as the headers suggest."""
    require(membership, Perm.DATA_IMPORT)
    filename = (filename or "").strip()[-200:]
    sheet = reading.sniff(filename, content)
    headers, data = reading.header_and_rows(sheet, content)
    total = sum(1 for _row in data)
    if total == 0:
        raise reading.refuse(_("The file has a header row but no rows under it."))
    job = ClientImport(
        created_by_id=membership.user_id,
        filename=filename,
        file_format=sheet.file_format,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        content=content,
        headers=headers,
        total_rows=total,
        mapping=columns.guess(headers, columns.client_fields()),
    )
    db.session.add(job)
    db.session.flush()
    return job


@dataclass
class PreviewRow:
    number: int
    saved: dict[str, Any]  # target -> value as it will be saved
    problems: list[str]


def preview(job: ClientImport, mapping: dict[str, str] | None = None) -> list[PreviewRow]:
    """The first rows as they would be saved with this mapping, and what is wrong with each."""
    fields = columns.client_fields()
    mapping = mapping if mapping is not None else job.mapping
    cleaner = Cleaner(job.headers, mapping, fields)
    _headers, data = reading.header_and_rows(_sheet(job), job.content)
    found = []
    for number, cells in islice(data, PREVIEW_ROWS):
        try:
            found.append(PreviewRow(number, _as_saved(cleaner.clean(number, cells)), []))
        except RowProblems as problems:  # shown as read, beside what is wrong with it
            read = {target: cells[int(i)] for i, target in mapping.items() if int(i) < len(cells)}
            found.append(PreviewRow(number, read, problems.reasons))
    return found


def _as_saved(cleaned: Cleaned) -> dict[str, Any]:
    saved: dict[str, Any] = dict(cleaned.client)
    for key, value in (cleaned.contact or {}).items():
        saved["contact_name" if key == "name" else ("contact_title" if key == "title" else key)] = value
    saved |= {columns.CUSTOM + key: value for key, value in cleaned.custom.items()}
    saved |= {columns.CONTACT_CUSTOM + key: value for key, value in cleaned.contact_custom.items()}
    if cleaned.external_id:
        saved["external_id"] = cleaned.external_id
    return saved


def clean_mapping(job: ClientImport, sent: dict[str, str]) -> dict[str, str]:
    """{column index: target} from the form, without the columns left out; refused when a field is chosen twice
    or no column holds the client's name."""
    allowed = columns.valid_targets(columns.client_fields())
    mapping: dict[str, str] = {}
    for index in range(len(job.headers)):
        target = (sent.get(str(index)) or "").strip()
        if not target:
            continue
        if target not in allowed:
            raise ValidationFailed({f"column_{index}": [_("There is no such field.")]})
        if target in mapping.values():
            raise ValidationFailed({f"column_{index}": [_("Two columns go to the same field: choose one.")]})
        mapping[str(index)] = target
    if "name" not in mapping.values():
        raise ValidationFailed({"mapping": [_("Choose the column that holds the client's name.")]})
    return mapping


def save_mapping(membership: Membership, job: ClientImport, sent: dict[str, str], duplicates: str) -> None:
    require(membership, Perm.DATA_IMPORT)
    _still_ready(job)
    job.mapping = clean_mapping(job, sent)
    if duplicates not in tuple(Duplicates):
        raise ValidationFailed({"duplicates": [_("Choose what to do with duplicates.")]})
    job.duplicates = duplicates


def start_import(membership: Membership, job: ClientImport, sent: dict[str, str], duplicates: str) -> None:
    save_mapping(membership, job, sent, duplicates)
    job.status = ImportStatus.QUEUED
    audit.record("clients.import_started", job, file=job.filename, rows=job.total_rows, duplicates=duplicates)
    enqueue(run_import, job.id, job_id=f"import-{job.id}", timeout=LONG_JOB_SECONDS)


def _still_ready(job: ClientImport) -> None:
    if job.status != ImportStatus.READY:
        raise ValidationFailed({"mapping": [_("This import has already started.")]})


def _sheet(job: ClientImport) -> reading.SheetFormat:
    return reading.SheetFormat(job.file_format, job.encoding, job.delimiter)


# --- the job ---------------------------------------------------------------------------------------------------


def run_import(import_id: str) -> None:
    """The job: idempotent (a finished import is left alone) and resumable (a retry skips the rows done)."""
    job = db.session.get(ClientImport, uuid.UUID(import_id))
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return
    author = db.session.get(User, job.created_by_id) if job.created_by_id else None
    with force_locale(author.locale if author else "en"), _one_connection():
        try:
            _run(job)
        except Exception as exc:  # the rows done stay (and can be undone); the page says it stopped
            log.exception("import %s stopped", import_id)
            db.session.rollback()
            job = db.session.get(ClientImport, uuid.UUID(import_id), populate_existing=True)
            job.status, job.finished_at, job.error = ImportStatus.FAILED, utcnow(), str(exc)[:2000]
            db.session.commit()


def run_in_this_transaction(job: ClientImport) -> None:
    """The job's work without its commits, for seeding (the demo studio): all of it commits, or none."""
    _run(job, commit=db.session.flush)


@contextmanager
def _one_connection() -> Iterator[None]:
    """Every transaction of the job on one database connection: the staging tables are temporary tables, which
    live on the connection that made them (the pool could hand the next batch another one)."""
    session = db.session()
    session.commit()
    engine = session.bind
    connection = db.engine.connect()
    session.bind = connection
    try:
        yield
    finally:
        session.rollback()
        session.bind = engine
        with suppress(Exception):  # the connection may be broken: then it is discarded with its tables
            for table in staging.TABLES:
                connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
            connection.commit()
        connection.close()


def _stored_content(job: ClientImport) -> BinaryIO:
    """The upload, copied from its row into a temporary file a megabyte at a time: the job never holds the whole
    file in memory (a 50 MB sheet would otherwise be held two or three times over by the driver)."""
    size = db.session.scalar(select(func.length(ClientImport.content)).where(ClientImport.id == job.id)) or 0
    out = tempfile.TemporaryFile()  # noqa: SIM115  handed to the reader, which closes it when done
    for offset in range(0, size, CONTENT_CHUNK):
        piece = select(func.substr(ClientImport.content, offset + 1, CONTENT_CHUNK)).where(ClientImport.id == job.id)
        out.write(db.session.scalar(piece))
    out.seek(0)
    return out


def _run(job: ClientImport, commit: Callable[[], None] | None = None) -> None:
    commit = commit or db.session.commit
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or utcnow()
    commit()
    fields = columns.client_fields()
    importer = Importer(job, Cleaner(job.headers, job.mapping, fields), fields, job.created_by_id)
    _headers, data = reading.header_and_rows(_sheet(job), _stored_content(job))
    total = importer.stage(data)
    commit()
    for after in range(job.done_rows, total, BATCH):  # a retried job resumes after the last committed batch
        counts = importer.write(after, after + BATCH)
        job.done_rows = min(after + BATCH, total)
        job.created_count += counts.created
        job.updated_count += counts.updated
        job.skipped_count += counts.skipped
        job.failed_count += counts.failed
        commit()
    job.status, job.finished_at = ImportStatus.DONE, utcnow()
    job.total_rows = job.done_rows = total
    counts = {
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "failed": job.failed_count,
    }
    audit.record("clients.imported", job, actor_id=job.created_by_id, file=job.filename, **counts)
    emit("clients.imported", subject=job, actor_id=job.created_by_id, file=job.filename, **counts)
    staging.drop()
    commit()


def progress(job: ClientImport) -> dict[str, Any]:
    """What the progress page shows, as JSON: rows done of total, the counts, seconds left (None until known)."""
    left = None
    if job.status == ImportStatus.RUNNING and job.started_at and job.done_rows:
        elapsed = (utcnow() - job.started_at).total_seconds()
        left = round(elapsed / job.done_rows * max(job.total_rows - job.done_rows, 0))
    return {
        "status": job.status,
        "done": job.done_rows,
        "total": job.total_rows,
        "percent": 100 if job.finished else (job.done_rows * 100 // job.total_rows if job.total_rows else 0),
        "seconds_left": left,
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "failed": job.failed_count,
        "finished": job.finished,
        "undo": {
            "done": job.undo_done,
            "total": job.undo_total,
            "percent": job.undo_done * 100 // job.undo_total if job.undo_total else 0,
            "error": job.undo_error,
        },
    }


# --- failed rows -----------------------------------------------------------------------------------------------


def failed_rows_xlsx(job: ClientImport) -> bytes:
    """The failed rows as the file had them, each with its row number and its reasons, streamed into a workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Failed rows"))
    sheet.append([pgettext("import", "Row"), *job.headers, pgettext("import", "Problems")])
    query = (
        select(ImportRow.row_number, ImportRow.values, ImportRow.reasons)
        .where(ImportRow.import_id == job.id, ImportRow.outcome == Outcome.FAILED)
        .order_by(ImportRow.row_number)
    )
    width = len(job.headers)
    for number, values, reasons in db.session.execute(query.execution_options(yield_per=2000)):
        cells = (list(values or []) + [""] * width)[:width]
        sheet.append([number, *(_safe_cell(c) for c in cells), "; ".join(reasons or [])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """What a workbook may hold: no control characters; a leading = + - @ would be read as a formula."""
    text = "".join(ch for ch in str(text) if ch >= " " or ch in "\t\n")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- undo ------------------------------------------------------------------------------------------------------


def changed_since(job: ClientImport) -> int:
    """How many of the clients it created or updated (and that are not undone yet) were changed afterwards (an
    edit, a contact, a follow-up)."""
    later = Client.updated_at > job.finished_at
    created = select(func.count()).select_from(Client).where(Client.import_id == job.id, (Client.version != 1) | later)
    updated = (
        select(func.count())
        .select_from(ImportRow)
        .join(Client, Client.id == ImportRow.client_id)
        .where(
            ImportRow.import_id == job.id,
            ImportRow.outcome == Outcome.UPDATED,
            ImportRow.row_number > job.undo_row,
            (Client.version != ImportRow.version_after) | later,
        )
    )
    return (db.session.scalar(created) or 0) + (db.session.scalar(updated) or 0)


def _changed_message(changed: int) -> str:
    return _(
        "Undo is not possible: %(num)d of the clients from this import were changed since, and undoing would "
        "lose those changes.",
        num=changed,
    )


def undo_import(membership: Membership, job: ClientImport) -> None:
    """Start undoing it as a job (saas.imports.services.run_undo): refused, with the reason, while it is being
    undone already, or when any of its clients was changed since (undoing would silently lose that work)."""
    require(membership, Perm.DATA_IMPORT)
    lock_row(db.session, job)  # a second click waits for the first to commit, then sees it undoing
    if job.status == ImportStatus.UNDOING:
        raise ValidationFailed({"undo": [_("This import is being undone already.")]})
    if job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        raise ValidationFailed({"undo": [_("Only a finished import can be undone.")]})
    if changed := changed_since(job):
        raise ValidationFailed({"undo": [_changed_message(changed)]})
    created = select(func.count()).select_from(Client).where(Client.import_id == job.id)
    updated = (
        select(func.count())
        .select_from(ImportRow)
        .where(ImportRow.import_id == job.id, ImportRow.outcome == Outcome.UPDATED, ImportRow.row_number > job.undo_row)
    )
    total = job.undo_done + (db.session.scalar(created) or 0) + (db.session.scalar(updated) or 0)
    job.status, job.undo_total, job.undo_error = ImportStatus.UNDOING, total, None
    enqueue(run_undo, job.id, membership.user_id, job_id=f"undo-{job.id}", timeout=LONG_JOB_SECONDS)


def run_undo(import_id: str, actor_id: str | None = None) -> None:
    """The undo job: batch by batch, each committed with its progress — the clients it created (they name it),
    then the clients it updated in the order of the file's rows; a retry goes on after the last batch done.
    Should it stop, the import is back to undoable and says why."""
    job = db.session.get(ClientImport, uuid.UUID(import_id))
    if job is None or job.status != ImportStatus.UNDOING:
        return
    author = db.session.get(User, uuid.UUID(actor_id)) if actor_id else None
    with force_locale(author.locale if author else "en"):
        try:
            _undo(job, uuid.UUID(actor_id) if actor_id else None)
        except Exception:
            log.exception("undo of import %s stopped", import_id)
            db.session.rollback()
            job = db.session.get(ClientImport, uuid.UUID(import_id), populate_existing=True)
            _stop_undo(job, _("The undo stopped before the end: what it undid stays undone. Undo again to finish."))
            db.session.commit()


def _stop_undo(job: ClientImport, reason: str) -> None:
    job.status = ImportStatus.FAILED if job.error else ImportStatus.DONE
    job.undo_error = reason


def _undo(job: ClientImport, actor_id: uuid.UUID | None) -> None:
    if changed := changed_since(job):  # changed between the click and the job: refused all the same
        _stop_undo(job, _changed_message(changed))
        return
    removed = restored = 0
    while gone := _remove_created(job):
        removed += gone
        job.undo_done += gone
        db.session.commit()
    while rows := _next_undo_batch(job):
        last = rows[-1].row_number
        restored += _restore_updated(job, last)
        job.undo_row, job.undo_done = last, job.undo_done + len(rows)
        db.session.commit()
    job.status, job.undone_at = ImportStatus.UNDONE, utcnow()
    audit.record("clients.import_undone", job, actor_id=actor_id, file=job.filename, removed=removed, restored=restored)
    emit("clients.import_undone", subject=job, actor_id=actor_id, removed=removed, restored=restored)


def _next_undo_batch(job: ClientImport) -> list[Any]:
    """The next rows of the file that updated a client."""
    query = (
        select(ImportRow.row_number)
        .where(
            ImportRow.import_id == job.id,
            ImportRow.outcome == Outcome.UPDATED,
            ImportRow.row_number > job.undo_row,
        )
        .order_by(ImportRow.row_number)
        .limit(UNDO_BATCH)
    )
    return list(db.session.execute(query))


def _remove_created(job: ClientImport) -> int:
    """Up to UNDO_BATCH of the clients it created, with what hangs on them: their contacts, tags, timeline and
    external ids go by the foreign keys' cascade; the typed custom values (no foreign key) by hand first. How many
    went (none: all of them are gone)."""
    if db.session.connection().dialect.name == "postgresql":
        # Each client removed sets off its foreign keys' cascades, one query per child table (fifteen): planned
        # afresh for every client, they cost more than the deleting (saas.imports.engine, on the import's checks).
        db.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
    batch = select(Client.id).where(Client.import_id == job.id).order_by(Client.id).limit(UNDO_BATCH)
    contacts = select(Contact.id).where(Contact.client_id.in_(batch))
    gone = FieldValue.record_id.in_(batch) | FieldValue.record_id.in_(contacts)
    db.session.execute(delete(FieldValue).where(gone).execution_options(synchronize_session=False))
    result = db.session.execute(delete(Client).where(Client.id.in_(batch)).execution_options(synchronize_session=False))
    return result.rowcount or 0


def _restore_updated(job: ClientImport, last: int) -> int:
    trail = db.session.scalars(
        select(ImportRow).where(
            ImportRow.import_id == job.id,
            ImportRow.outcome == Outcome.UPDATED,
            ImportRow.row_number > job.undo_row,
            ImportRow.row_number <= last,
        )
    ).all()
    if not trail:
        return 0
    ids = [row.client_id for row in trail]
    query = select(Client).where(Client.id.in_(ids)).options(selectinload(Client.contacts))
    clients = {c.id: c for c in db.session.scalars(query)}
    for row in trail:
        if (client := clients.get(row.client_id)) is not None:
            _restore(client, row)
    return len(clients)


def _restore(client: Client, row: ImportRow) -> None:
    previous = dict(row.previous or {})
    values = previous.pop("custom_fields", {})
    previous["owner_id"] = uuid.UUID(previous["owner_id"]) if previous.get("owner_id") else None
    for key, value in previous.items():
        setattr(client, key, value)
    db.session.execute(delete(ClientTag).where(ClientTag.client_id == client.id))
    db.session.add_all(ClientTag(client_id=client.id, tag=t) for t in client.tags)
    custom.write("client", client, values)
    if row.added_contact_id:
        for contact in [c for c in client.contacts if c.id == row.added_contact_id]:
            client.contacts.remove(contact)
            db.session.delete(contact)  # its own custom values go with it (saas.fields.entities)
    client.updated_at = utcnow()
    refresh_search_text(client)
