"""Reads for the staff pages and the API: forms with their submission counts, a form's submissions newest
first in keyset pages."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_

from saas.extensions import db
from saas.forms.models import Form, Submission
from saas.tenants.models import Membership, User

PAGE_SIZE = 50


@dataclass
class FormRow:
    form: Form
    submissions: int
    last_at: datetime | None


def form_list() -> list[FormRow]:
    counts = (
        select(Submission.form_id, func.count().label("n"), func.max(Submission.submitted_at).label("last"))
        .group_by(Submission.form_id)
        .subquery()
    )
    query = (
        select(Form, counts.c.n, counts.c.last).outerjoin(counts, counts.c.form_id == Form.id).order_by(Form.created_at)
    )
    return [FormRow(form, n or 0, last) for form, n, last in db.session.execute(query)]


@dataclass
class SubmissionPage:
    submissions: list[Submission]
    next_cursor: str | None


def submission_page(form: Form, cursor: str | None, size: int = PAGE_SIZE) -> SubmissionPage:
    """Newest first, keyset-paginated on (submitted_at, id): the index (tenant_id, form_id, submitted_at, id)."""
    query = select(Submission).where(Submission.form_id == form.id)
    if cursor and "|" in cursor:
        ident, _, stamp = cursor.partition("|")
        with contextlib.suppress(ValueError):
            query = query.where(
                tuple_(Submission.submitted_at, Submission.id) < (datetime.fromisoformat(stamp), uuid.UUID(ident))
            )
    order = (Submission.submitted_at.desc(), Submission.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(size + 1)))
    last = rows[size - 1] if len(rows) > size else None
    return SubmissionPage(rows[:size], f"{last.id}|{last.submitted_at.isoformat()}" if last else None)


def submissions_of_project(project_id: uuid.UUID) -> list[Submission]:
    query = select(Submission).where(Submission.project_id == project_id).order_by(Submission.submitted_at.desc())
    return list(db.session.scalars(query.limit(20)))


def member_choices() -> list[tuple[str, str]]:
    """The studio's people, for a "person in the studio" question: (user id, name)."""
    query = (
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.active.is_(True))
        .order_by(User.name)
    )
    return [(str(uid), name) for uid, name in db.session.execute(query)]
