"""A visitor's submission: the answers are read and checked (saas.forms.answers), then each goes where its
question's target says — a new lead with its contact, or a follow-up on the client already known by that phone
or e-mail; a project's brief; a feedback score — and the submission keeps what it did. One event,
`form.submitted`, announces it; the client services announce their own.

No staff member acts: what the form creates belongs to the form's owner (the studio's owner if they have left),
and follow-ups are logged in their name. The studio is the one the URL named, already set on the session: every
id read here is looked up in that studio only, so a form of studio A never writes into studio B.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from saas.clients import services as clients
from saas.clients.models import Client, ClientKind, ClientStatus, Contact, InteractionKind
from saas.clients.services import phone_digits
from saas.db import utcnow
from saas.events import emit
from saas.extensions import db
from saas.fields import values as custom
from saas.fields.types import TYPES, InvalidValue
from saas.files import direct
from saas.files.models import FileStatus, StoredFile
from saas.files.storage import tenant_key
from saas.forms import targets
from saas.forms.answers import Answers, as_text, read_answers
from saas.forms.models import Form, FormRequest, Outcome, Question, Submission
from saas.money import plain_amount
from saas.notify.services import Recipient, notify
from saas.projects.models import Project
from saas.projects.services import fill_brief
from saas.quotas import Quota, require_room
from saas.tenants.models import Membership, Tenant
from saas.tenants.roles import Role
from saas.web.urls import site_path

OWNER_KIND = "form_submission"
LIMITS = {  # the record columns' lengths: answers are cut to fit rather than refused
    "name": 200, "industry": 80, "region": 80, "size": 40, "source": 80, "title": 120, "phone": 40,
    "email": 254, "wechat": 60, "best_time": 80, "cares_about": 300,
}  # fmt: skip
CONTACT_NAME = 120


@dataclass
class Visit:
    """Who sent it, from where: the page's language, the address (hashed before it is kept), the request a
    link named (a project's brief or feedback), and the portal user when filled from the portal."""

    language: str
    ip_hash: str
    request: FormRequest | None = None
    portal_user_id: uuid.UUID | None = None


def submit(form: Form, tenant: Tenant, form_data: MultiDict, files: MultiDict, visit: Visit) -> Submission:
    answers = read_answers(form, form_data, files, tenant.currency, tenant.timezone)
    submission = Submission(
        id=uuid.uuid4(),
        form_id=form.id,
        answers=answers.values,
        asked=[_asked(q) for q in form.questions],
        language=visit.language,
        ip_hash=visit.ip_hash,
        request_id=visit.request.id if visit.request else None,
        portal_user_id=visit.portal_user_id,
    )
    grouped = _by_record(form, answers, tenant)
    _apply(form, tenant, submission, grouped, visit)
    db.session.add(submission)  # once what it did is known: one INSERT, no UPDATE after
    _store_uploads(tenant, submission, answers)
    if visit.request is not None:
        visit.request.answered_at = utcnow()
    db.session.flush()
    client = db.session.get(Client, submission.client_id) if submission.client_id else None
    emit(
        "form.submitted",
        subject=submission,
        client=client,
        actor_id=None,
        form=form.title(tenant.locale),
        kind=form.kind,
        submission_id=str(submission.id),
        outcome=submission.outcome,
        client_id=_str(submission.client_id),
        contact_id=_str(submission.contact_id),
        project_id=_str(submission.project_id),
        ticket_id=_str(submission.ticket_id),
        interaction_id=_str(submission.interaction_id),
    )
    _tell_the_owner(form, tenant, submission)
    return submission


def _tell_the_owner(form: Form, tenant: Tenant, submission: Submission) -> None:
    """The form's owner hears of every submission on their bell (no e-mail: a busy form would flood it)."""
    if form.owner_id is None:
        return
    link = site_path("staff.form_submission", form_id=form.id, submission_id=submission.id)
    data = {"form": form.title(tenant.locale), "outcome": str(submission.outcome)}
    notify([Recipient(user_id=form.owner_id)], "form_submitted", data, link)


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


def _asked(question: Question) -> dict[str, Any]:
    return {
        "id": str(question.id),
        "type": question.type,
        "label_en": question.label_en,
        "label_zh": question.label_zh,
        "target": question.target,
        "choices": question.choices,
    }


def _by_record(form: Form, answers: Answers, tenant: Tenant) -> dict[str, dict[str, Any]]:
    """{record: {field: value}}: text for the records' text columns (several answers to one field are joined
    line by line, each with its question), the stored value for feedback scores and custom fields."""
    grouped: dict[str, dict[str, Any]] = defaultdict(dict)
    language = tenant.locale
    for question in form.questions:
        value = answers.values.get(str(question.id))
        target = targets.target(question.target)
        if value is None or target.record == "submission":
            continue
        if target.record.endswith("_custom") or (target.record == "feedback" and target.field != "comments"):
            grouped[target.record][target.field] = value
            continue
        text = as_text(question, value, language, tenant.currency)
        if target.field in grouped[target.record]:
            text = f"{grouped[target.record][target.field]}\n{question.label(language)}: {text}"
        grouped[target.record][target.field] = text
    return grouped


def _apply(form: Form, tenant: Tenant, submission: Submission, grouped: dict, visit: Visit) -> None:
    feedback = grouped.get("feedback", {})
    submission.nps, submission.csat = feedback.get("nps"), feedback.get("csat")
    project = db.session.get(Project, visit.request.project_id) if visit.request and visit.request.project_id else None
    if project is not None:
        submission.project_id, submission.client_id = project.id, project.client_id
        if answers := _custom("project", grouped.get("project_custom")).get("custom_fields"):
            kept = custom.clean(_acting(form), "project", answers, current=project.custom_fields)
            custom.write("project", project, kept)
        if grouped.get("brief"):
            fill_brief(project, grouped["brief"])
            submission.outcome = Outcome.BRIEF_FILLED
        elif feedback:
            submission.outcome = Outcome.FEEDBACK
        summary = _summary(form, submission, tenant)
        interaction = clients.log_interaction(
            _acting(form), project.client, {"kind": InteractionKind.NOTE, "summary": summary}
        )
        submission.interaction_id = interaction.id
        return
    if visit.request is not None and visit.request.ticket_id is not None:
        _about_ticket(form, tenant, submission, visit.request, bool(feedback))
        return
    if grouped.get("client") or grouped.get("contact"):
        _lead_or_follow_up(form, tenant, submission, grouped)


def _about_ticket(form: Form, tenant: Tenant, submission: Submission, request: FormRequest, feedback: bool) -> None:
    """Feedback on a closed ticket: kept with the ticket and its client (NPS and CSAT for the dashboards), and
    on the client's timeline as a follow-up note."""
    submission.client_id, submission.ticket_id = request.client_id, request.ticket_id
    if feedback:
        submission.outcome = Outcome.FEEDBACK
    client = db.session.get(Client, request.client_id)
    summary = _summary(form, submission, tenant)
    interaction = clients.log_interaction(_acting(form), client, {"kind": InteractionKind.NOTE, "summary": summary})
    submission.interaction_id = interaction.id


def _lead_or_follow_up(form: Form, tenant: Tenant, submission: Submission, grouped: dict) -> None:
    client_data = {k: _fit(k, v) for k, v in grouped.get("client", {}).items()}
    contact_data = {k: _fit(k, v) for k, v in grouped.get("contact", {}).items()}
    acting = _acting(form)
    known = known_contact(contact_data.get("phone"), contact_data.get("email"))
    if known is not None:
        summary = _summary(form, submission, tenant)
        interaction = clients.log_interaction(acting, known.client, {"kind": InteractionKind.NOTE, "summary": summary})
        submission.outcome, submission.interaction_id = Outcome.FOLLOW_UP, interaction.id
        submission.client_id, submission.contact_id = known.client_id, known.id
        return
    person = contact_data.get("name") or contact_data.get("email") or contact_data.get("phone") or form.title("zh")
    client = clients.create_client(
        acting,
        {
            **client_data,
            **_custom("client", grouped.get("client_custom")),
            "name": client_data.get("name") or person,
            "kind": ClientKind.COMPANY if client_data.get("name") else ClientKind.PERSON,
            "status": ClientStatus.POTENTIAL,
            "tags": [],
            "source": client_data.get("source") or form.channel or "form",
        },
        enforce_required=False,  # the visitor is asked what the form asks; the next edit asks the rest
    )
    db.session.flush()
    contact_data = {**contact_data, **_custom("contact", grouped.get("contact_custom"))}
    contact = clients.add_contact(
        acting, client, {**contact_data, "name": person[:CONTACT_NAME]}, enforce_required=False
    )
    submission.outcome, submission.client_id, submission.contact_id = Outcome.CREATED_LEAD, client.id, contact.id


def _custom(entity: str, answers: dict[str, Any] | None) -> dict[str, Any]:
    """Answers to `<entity>_custom` targets (saas/forms/listeners.py) as the record's `custom_fields`: each one
    the field itself accepts (its type, its options, its studio). An answer it refuses — a choice whose key the
    field does not offer, a field archived since the form was built — stays on the submission, where every answer
    is kept, rather than costing the visitor their whole submission."""
    fields = {d.key: d for d in custom.definitions(entity)}
    accepted = {}
    for key, answer in (answers or {}).items():
        if key not in fields:
            continue
        if TYPES[fields[key].type].stored == "money" and isinstance(answer, int):
            # The question stored minor units; the field reads an amount as typed, as the services will parse it.
            answer = plain_amount(answer, db.session.get(Tenant, fields[key].tenant_id).currency)
        try:
            custom.parse(fields[key], answer)
        except InvalidValue:
            continue
        accepted[key] = answer
    return {"custom_fields": accepted} if accepted else {}


def _fit(field: str, value: Any) -> Any:
    return value[: LIMITS[field]] if isinstance(value, str) and field in LIMITS else value


def known_contact(phone: str | None, email: str | None) -> Contact | None:
    """A contact of this studio with the same phone (compared by digits: "138-0013-8000" is 13800138000; a
    +86 in front does not matter) or the same e-mail. The client's search text holds every contact's phone
    digits and e-mail, so its trigram index narrows the search before the exact comparison."""
    digits = phone_digits(phone)
    if len(digits) >= 5:
        core = digits[-11:]
        for contact in _contacts_whose_client_mentions(core):
            theirs = phone_digits(contact.phone)
            if theirs and (theirs == digits or (len(theirs) >= 11 and theirs[-11:] == core)):
                return contact
    if email:
        for contact in _contacts_whose_client_mentions(email.lower()):
            if (contact.email or "").lower() == email.lower():
                return contact
    return None


def _contacts_whose_client_mentions(fragment: str) -> list[Contact]:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clients_found = select(Client.id).where(Client.search_text.like(f"%{escaped}%", escape="\\")).limit(20)
    query = select(Contact).where(Contact.client_id.in_(clients_found)).order_by(Contact.created_at)
    return list(db.session.scalars(query))


def _acting(form: Form) -> Membership:
    """Whom what the form creates belongs to: the form's owner while they are in the studio, else its owner."""
    query = select(Membership).where(Membership.active.is_(True))
    if form.owner_id is not None:
        found = db.session.scalar(query.where(Membership.user_id == form.owner_id))
        if found is not None and found.role != Role.FIELD:
            return found
    return db.session.scalar(query.where(Membership.role == Role.OWNER).limit(1))


def _summary(form: Form, submission: Submission, tenant: Tenant) -> str:
    language = tenant.locale
    lines = [f"{form.title(language)} ({form.slug})"]
    for question in form.questions:
        value = submission.answers.get(str(question.id))
        if value is not None and question.type != "file":
            lines.append(f"{question.label(language)}: {as_text(question, value, language, tenant.currency)}")
    return "\n".join(lines)


def _store_uploads(tenant: Tenant, submission: Submission, answers: Answers) -> None:
    storage = current_app.extensions["atelier.storage"]
    for upload in answers.uploads:
        if upload.stored is not None:  # in the bucket already (its room was checked when it was offered)
            belongs = {"client_id": submission.client_id, "project_id": submission.project_id, "purpose": "form"}
            direct.hand_over(upload.stored, OWNER_KIND, submission.id, **belongs)
            continue
        require_room(Quota.STORAGE_BYTES, len(upload.data))
        key = tenant_key(tenant.id, "files", str(upload.file_id), f"original{upload.kind.suffixes[0]}")
        storage.put(key, upload.data, upload.kind.content_type)
        db.session.add(
            StoredFile(
                id=upload.file_id,
                key=key,
                name=upload.name[:150],
                declared_type=upload.kind.content_type,
                content_type=upload.kind.content_type,
                size_bytes=len(upload.data),
                status=FileStatus.READY,
                purpose="form",
                previews={},
                owner_kind=OWNER_KIND,
                owner_id=submission.id,
                client_id=submission.client_id,
                project_id=submission.project_id,
            )
        )


def submission_count(form_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = db.session.execute(
        select(Submission.form_id, func.count()).where(Submission.form_id.in_(form_ids)).group_by(Submission.form_id)
    )
    return dict(rows.all())
