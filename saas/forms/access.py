"""Lookups that 404: another studio's form or submission reads exactly like a missing one (the ORM scope and
RLS already hide it; these helpers also refuse what the person may not see)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from saas.extensions import db
from saas.forms.models import Form, FormRequest, FormStatus, Question, Submission
from saas.ids import parse_uuid
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, has_perm


def get_form(membership: Membership, form_id: str) -> Form:
    """Staff: the builder and the submissions (those who see every client)."""
    form = db.session.get(Form, parse_uuid(form_id))
    if form is None or not may_read(membership):
        raise NotFound()
    return form


def may_read(membership: Membership) -> bool:
    return has_perm(membership.role, Perm.CLIENTS_ALL)


def question_of(form: Form, question_id: str) -> Question:
    wanted = parse_uuid(question_id)
    found = next((q for q in form.questions if q.id == wanted), None)
    if found is None:
        raise NotFound()
    return found


def submission_of(form: Form, submission_id: str) -> Submission:
    found = db.session.get(Submission, parse_uuid(submission_id))
    if found is None or found.form_id != form.id:
        raise NotFound()
    return found


def published_form(slug: str) -> Form:
    """The public page's form, in the studio already set from the URL: draft and closed forms are 404."""
    form = db.session.scalar(select(Form).where(Form.slug == slug.lower()))
    if form is None or form.status != FormStatus.PUBLISHED:
        raise NotFound()
    return form


def any_form(slug: str) -> Form:
    """For a staff preview: whatever its status."""
    form = db.session.scalar(select(Form).where(Form.slug == slug.lower()))
    if form is None:
        raise NotFound()
    return form


def open_request(form: Form, request_id: str | None) -> FormRequest | None:
    """The request a link names, for this form; a wrong, foreign or answered one is ignored (the form still
    works as a plain public form — nothing is written into a project the link did not name)."""
    if not request_id:
        return None
    try:
        wanted = parse_uuid(request_id)
    except NotFound:
        return None
    found = db.session.get(FormRequest, wanted)
    if found is None or found.form_id != form.id or found.answered_at is not None:
        return None
    return found


def answered_request(request_id: str, client_id: object) -> FormRequest:
    found = db.session.get(FormRequest, parse_uuid(request_id))
    if found is None or found.client_id != client_id:
        raise NotFound()
    return found
