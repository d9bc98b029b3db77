"""Which client each staged row is about, decided in SQL over the whole file at once (no key of any client or row
is held in Python: memory does not grow with the file or the studio).

A row is about an existing client by its external id, else by its phone (the digits), e-mail (lower-cased) or
name (trimmed, lower-cased), in that order, against the studio's clients as they were before this import (a
retried job leaves out the clients it created itself: those are rows of the file). Then, per the import's choice:
skip → the row is skipped; update → it updates that client; create → it creates a client anyway. Within the file
the first row wins: a later row updating the same client, or creating a client that shares an external id — or,
unless the choice is to create anyway, a phone, e-mail or name — with an earlier row that writes, is skipped.
A row that would create a client without the studio's required fields fails with that reason; so does a row
updating a client when the contact it brings would be added (none of the client's contacts has its phone or
e-mail) without the required fields of a contact — a new client's contact is held to the same.

Every statement names the studio explicitly (SQLite has no Row-Level Security behind it) and is a hash join or
a grouping over the staging table: one pass over the studio's clients and contacts per key, whatever the file's
size.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text

from saas.extensions import db
from saas.imports.models import Duplicates
from saas.imports.staging import Dialect

# Not a client this import created itself (a retried job's earlier batches): those are rows of the file.
_MADE_HERE = "NOT EXISTS (SELECT 1 FROM clients m WHERE m.tenant_id = :t AND m.import_id = :job AND m.id = {})"


def decide(found: Dialect, tenant_id: uuid.UUID, job_id: uuid.UUID, duplicates: str) -> None:
    params = {"t": found.uuid(tenant_id), "job": found.uuid(job_id)}
    for statement in _statements(found, duplicates):
        db.session.execute(text(statement), params)


def _statements(found: Dialect, duplicates: str) -> list[str]:
    statements = [_by_external_id(), *_by_keys(found)]
    if duplicates == Duplicates.SKIP:
        statements.append("UPDATE import_stage SET action = 'skip' WHERE action = 'create' AND studio IS NOT NULL")
    elif duplicates == Duplicates.UPDATE:
        statements.append(
            "UPDATE import_stage SET action = 'update', target = studio WHERE action = 'create' AND studio IS NOT NULL"
        )
    statements.append(_contacts_added(found))
    statements += _within_file(found, duplicates)
    # The rows that would write without a required field fail, with what is missing (those skipped as later rows
    # about the same client are only skipped, and never counted as writing).
    statements += [
        "UPDATE import_stage SET action = 'fail', reasons = missing WHERE action = 'create' AND missing IS NOT NULL",
        "UPDATE import_stage SET action = 'fail', reasons = c_missing WHERE action = 'update' AND add_contact"
        " AND c_missing IS NOT NULL",
    ]
    return statements


def _by_external_id() -> str:
    return (
        "UPDATE import_stage SET action = 'update', target = e.client_id FROM client_external_ids e"
        " WHERE import_stage.action = 'create' AND import_stage.external_id IS NOT NULL"
        " AND e.tenant_id = :t AND e.external_id = import_stage.external_id AND " + _MADE_HERE.format("e.client_id")
    )


def _by_keys(found: Dialect) -> list[str]:
    """Phone, then e-mail, then name: a row takes the client of its first key found (any one, when two clients
    share it)."""
    stage_digits, contact_digits = found.digits.format("import_stage.phone"), found.digits.format("c.phone")
    keys = (
        ("contacts", f"import_stage.phone IS NOT NULL AND {stage_digits} <> '' AND {contact_digits} = {stage_digits}"),
        ("contacts", "import_stage.email IS NOT NULL AND lower(c.email) = lower(import_stage.email)"),
        ("clients", "lower(trim(c.name)) = lower(trim(import_stage.name))"),
    )
    return [
        f"UPDATE import_stage SET studio = c.{'client_id' if table == 'contacts' else 'id'} FROM {table} c"
        f" WHERE import_stage.action = 'create' AND import_stage.studio IS NULL AND c.tenant_id = :t AND {match}"
        f" AND {_MADE_HERE.format('c.client_id' if table == 'contacts' else 'c.id')}"
        for table, match in keys
    ]


def _contacts_added(found: Dialect) -> str:
    """Whether an update row's contact joins its client: unless one of the client's contacts has its phone (digits)
    or e-mail (any case). One that joins must have the contact's required fields, as a new client's must."""
    stage_digits, contact_digits = found.digits.format("import_stage.phone"), found.digits.format("c.phone")
    known = (
        f"SELECT 1 FROM contacts c WHERE c.tenant_id = :t AND c.client_id = import_stage.target AND ("
        f"(import_stage.phone IS NOT NULL AND {stage_digits} <> '' AND {contact_digits} = {stage_digits})"
        " OR (import_stage.email IS NOT NULL AND lower(c.email) = lower(import_stage.email)))"
    )
    return (
        f"UPDATE import_stage SET add_contact = (c_name IS NOT NULL AND NOT EXISTS ({known})) WHERE action = 'update'"
    )


def _within_file(found: Dialect, duplicates: str) -> list[str]:
    """The later rows of the file about a client an earlier row writes: skipped."""
    fails = (
        "(action = 'create' AND missing IS NOT NULL) OR (action = 'update' AND add_contact AND c_missing IS NOT NULL)"
    )
    writes = f"action IN ('create', 'update') AND NOT ({fails})"
    same = [
        _later("{}target", f"action = 'update' AND NOT ({fails})", "s.action = 'update'"),
        _later("{}external_id", f"{writes} AND external_id IS NOT NULL", "s.action IN ('create', 'update')"),
    ]
    if duplicates != Duplicates.CREATE:
        digits = found.digits.format("{}phone")
        same += [
            _later(digits, f"{writes} AND phone IS NOT NULL AND {digits.format('')} <> ''", "s.action = 'create'"),
            _later("lower({}email)", f"{writes} AND email IS NOT NULL", "s.action = 'create'"),
            _later("lower(trim({}name))", writes, "s.action = 'create'"),
        ]
    # The rows to skip are gathered in a table of their own, counted (ANALYZE), then marked: in one statement the
    # planner guessed millions of them and hashed the whole staging table to mark a thousand (1.4 s of 2.4 s).
    return [
        "DROP TABLE IF EXISTS import_skip",
        f"CREATE TEMP TABLE import_skip AS {' UNION '.join(same)}",
        "ANALYZE import_skip",
        "UPDATE import_stage SET action = 'skip' WHERE seq IN (SELECT seq FROM import_skip)",
        "DROP TABLE import_skip",
    ]


def _later(key: str, first_of: str, which: str) -> str:
    """The rows (`which`) whose key — `key` formatted with a table's prefix — an earlier row (`first_of`) has."""
    mine, theirs = key.format("s."), key.format("")
    return (
        f"SELECT s.seq FROM import_stage s JOIN (SELECT {theirs} AS k, min(seq) AS first FROM import_stage"
        f" WHERE {first_of} GROUP BY {theirs}) f ON f.k = {mine} AND s.seq > f.first WHERE {which}"
    )
