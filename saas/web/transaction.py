"""The one commit point of a request, and what a database refusal at that point means to the person.

After the view has answered, the session commits if the answer is a success and rolls back if it is an error,
so nothing is half-written by a request that failed. A view that must keep a record even though it answers
with an error (a refused upload marked rejected, a failed sign-in counted) says so with
`keep_changes_on_error()`; that is the only way to commit on an error answer.

Two requests racing on one record end with the loser's commit refused by the database: a stale version
(`StaleDataError`: someone changed the row since it was read) or a unique key taken a moment ago
(`IntegrityError`). Both are conflicts, answered 409 with what happened, never a 500.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, g
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from saas.errors import Conflict
from saas.extensions import db

log = logging.getLogger(__name__)

# Unique keys whose loss to a parallel request deserves its own words; others get the general message.
_DUPLICATE_MESSAGES: dict[str, str] = {}


def duplicate_message(constraint: str, message: str) -> None:
    """Register what to tell a person whose write lost a race on the unique key `constraint` (by its name,
    e.g. "uq_portal_users_tenant_id_email"), at start-up. The message is a msgid, translated when shown."""
    _DUPLICATE_MESSAGES[constraint] = message


def keep_changes_on_error() -> None:
    """Commit this request's changes even though it answers with an error (the one declared exception)."""
    g.keep_changes_on_error = True


def conflict_for(exc: Exception) -> Conflict | None:
    """The Conflict a database refusal stands for, or None when it is not a race between writers."""
    if isinstance(exc, StaleDataError):
        return Conflict()
    if isinstance(exc, IntegrityError):
        return Conflict(_duplicate(exc), field=_field_of(exc))
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        # The embedded SQLite has one writer at a time; past its busy timeout the loser is told to try again.
        return Conflict(_("Someone else was saving at the same moment. Try again."))
    return None


def _constraint_of(exc: DBAPIError) -> str:
    diag = getattr(exc.orig, "diag", None)  # psycopg names the constraint; SQLite only says which columns
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    return str(exc.orig)


def _duplicate(exc: IntegrityError) -> str:
    constraint = _constraint_of(exc)
    for name, message in _DUPLICATE_MESSAGES.items():
        if name in constraint:
            return _(message)
    if "foreign key" in str(exc.orig).lower() or constraint.startswith("fk_"):
        return _("Something this refers to was removed in the meantime. Reload the page and try again.")
    return _("This already exists: someone saved the same thing a moment ago. Reload the page to see it.")


def _field_of(exc: IntegrityError) -> str:
    """The column a unique key names last (uq_<table>_tenant_id_<column>), for the form to mark; else _schema."""
    match = re.search(r"uq_\w+?_tenant_id_(\w+)", _constraint_of(exc))
    return match.group(1) if match else "_schema"


def init_transactions(app: Flask) -> None:
    from saas.web.errors import conflict_response

    @app.after_request
    def _commit(response: Response) -> Response:
        session = db.session()
        if response.status_code >= 400 and not g.get("keep_changes_on_error"):
            session.rollback()
            return response
        try:
            session.commit()
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            session.rollback()
            if (conflict := conflict_for(exc)) is None:
                raise
            log.info("write lost a race at commit: %s", exc.__class__.__name__)
            return conflict_response(conflict)
        return response
