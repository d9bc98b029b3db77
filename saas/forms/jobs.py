"""The confirmation e-mail to a visitor who gave an address: sent after the submission commits, with their
answers, in the language they filled the form in."""

from __future__ import annotations

from saas.extensions import db
from saas.forms.answers import as_text
from saas.forms.models import Form, Submission
from saas.jobs import enqueue
from saas.mail import send_templated
from saas.tenants.models import Tenant


def confirm_later(submission: Submission) -> None:
    if address_of(submission) is not None:
        enqueue(send_confirmation, submission.id, job_id=f"form-confirmation-{submission.id}")


def address_of(submission: Submission) -> str | None:
    """The first e-mail answer: the visitor's own address (contact e-mail, or any e-mail question)."""
    for asked in submission.asked:
        value = submission.answers.get(asked["id"])
        if asked["type"] == "email" and value:
            return value
    return None


def send_confirmation(submission_id: str) -> None:
    submission = db.session.get(Submission, submission_id)
    address = address_of(submission) if submission else None
    if address is None:
        return
    form = db.session.get(Form, submission.form_id)
    tenant = db.session.get(Tenant, submission.tenant_id)
    language = submission.language
    lines = [
        (q.label(language), as_text(q, submission.answers.get(str(q.id)), language, tenant.currency))
        for q in form.questions
        if submission.answers.get(str(q.id)) is not None and q.type != "file"
    ]
    send_templated(
        address,
        "form_confirmation",
        language,
        message_id=f"<form-{submission.id}@atelier>",
        tenant=tenant,
        form=form,
        language=language,
        lines=lines,
    )
