"""Reading a visitor's answers: each question's raw value parsed by its type (saas.fields.types), checked by its
target, and uploads checked by content. Every problem is collected, keyed by the question's input name, so the
page shows each one beside its input; nothing is written unless all is well."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage, MultiDict

from saas.errors import ValidationFailed
from saas.fields.types import TYPES, Choice, InvalidValue, Spec, parse_value
from saas.files import direct
from saas.files.kinds import KINDS, Kind, by_name, sniff
from saas.files.models import StoredFile
from saas.forms import targets
from saas.forms.models import Form, Question
from saas.money import format_money
from saas.schemas import N_, REQUIRED, load, translate

FILE_BYTES = 10 * 1024 * 1024  # per uploaded file on a public form
FILE_KINDS = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")
UPLOAD_SLOT = "form_upload"  # an upload sent straight to the bucket, waiting for its question's submission
UPLOAD_SUFFIX = ".upload"  # the hidden input beside a file question that names that upload: q_<id>.upload


def forget_unclaimed_uploads() -> int:
    """Periodic (forms/listeners.py): direct uploads no submission claimed."""
    return direct.sweep_unclaimed(UPLOAD_SLOT)


def upload_slot(question: Question) -> direct.Slot:
    """An upload is reserved for one question of one form: another question, form or studio cannot use it."""
    return direct.Slot(UPLOAD_SLOT, question.id)


def input_name(question: Question) -> str:
    return f"q_{question.id}"


def offer_for_question(storage: Any, tenant_id: uuid.UUID, questions: list[Question], body: dict[str, Any]) -> Any:
    """A presigned upload straight to the bucket for the file question the browser names (`input`), reserved for
    that question, with its size and types; None when no file question of the form has that name. ValidationFailed
    for a file the question cannot take. The public page and the portal's forms both offer uploads this way."""
    question = next((q for q in questions if q.type == "file" and input_name(q) == body.get("input")), None)
    if question is None:
        return None
    data = load(direct.OfferSchema(), {key: value for key, value in body.items() if key != "input"})
    return direct.offer(storage, tenant_id, upload_slot(question), data, FILE_BYTES, FILE_KINDS)


@dataclass
class Upload:
    question: Question
    name: str
    kind: Kind
    data: bytes
    file_id: uuid.UUID = field(default_factory=uuid.uuid4)
    stored: StoredFile | None = None  # sent to the bucket directly: already stored, checked by `direct.claim`


@dataclass
class Answers:
    values: dict[str, Any]  # question id → stored value (None when left empty)
    uploads: list[Upload]


def spec_of(question: Question, currency: str, time_zone: str) -> Spec:
    choices = tuple(Choice(c["key"], c.get("label_en", ""), c.get("label_zh", "")) for c in question.choices or [])
    return Spec(question.type, question.required, choices, currency, time_zone)


def _raw(question: Question, form_data: MultiDict) -> Any:
    name = input_name(question)
    if TYPES[question.type].widget == "checkboxes":
        return form_data.getlist(name)
    return form_data.get(name)


def read_answers(form: Form, form_data: MultiDict, files: MultiDict, currency: str, time_zone: str) -> Answers:
    values: dict[str, Any] = {}
    uploads: list[Upload] = []
    errors: dict[str, list[str]] = {}
    for question in form.questions:
        name = input_name(question)
        try:
            if question.type == "file":
                upload = _upload(question, files.get(name), form_data.get(name + UPLOAD_SUFFIX))
                if upload is not None:
                    uploads.append(upload)
                values[str(question.id)] = str(upload.file_id) if upload else None
                continue
            value = parse_value(spec_of(question, currency, time_zone), _raw(question, form_data))
            if value is not None and TYPES[question.type].needs == "member" and value not in _members():
                raise InvalidValue(N_("Choose a person of the studio."))
            check = targets.target(question.target).check
            if value is not None and check is not None:
                check(value)
            values[str(question.id)] = value
        except InvalidValue as exc:
            errors[name] = [translate(exc.message)]
    if errors:
        raise ValidationFailed(errors)
    return Answers(values, uploads)


def _members() -> set[str]:
    from saas.forms.queries import member_choices

    return {uid for uid, _name in member_choices()}


def _upload(question: Question, upload: FileStorage | None, upload_id: str | None) -> Upload | None:
    if (upload is None or not upload.filename) and upload_id:
        return _direct(question, upload_id)
    if upload is None or not upload.filename:
        if question.required:
            raise InvalidValue(REQUIRED)
        return None
    data = upload.read(FILE_BYTES + 1)
    if len(data) > FILE_BYTES:
        raise InvalidValue(_("The file is larger than %(mb)d MB.", mb=FILE_BYTES // (1024 * 1024)))
    kind, named = sniff(data[:16]), by_name(upload.filename)
    if kind is None or named is None or named.content_type != kind.content_type:
        raise InvalidValue(_("Attach an image (PNG, JPEG, GIF, WebP) or a PDF."))
    return Upload(question, upload.filename, kind, data)


def _direct(question: Question, upload_id: str) -> Upload:
    """The file the page's script sent to the bucket: this form's question's upload, arrived, of its type."""
    storage = current_app.extensions["atelier.storage"]
    try:
        stored = direct.claim(storage, upload_id, upload_slot(question), FILE_BYTES)
    except ValidationFailed as exc:
        raise InvalidValue(exc.errors["file"][0]) from exc
    kind = next(k for k in KINDS if k.content_type == stored.content_type)
    return Upload(question, stored.name, kind, b"", stored.id, stored)


def as_text(question: Question, value: Any, language: str, currency: str = "CNY") -> str:
    """An answer as words, for a record's text field, a follow-up or the brief."""
    if value is None:
        return ""
    labels = {c["key"]: Choice(c["key"], c.get("label_en", ""), c.get("label_zh", "")) for c in question.choices or []}
    if question.type == "choice":
        return labels[value].label(language) if value in labels else str(value)
    if question.type == "choices":
        return "、".join(labels[v].label(language) if v in labels else v for v in value)
    if question.type == "boolean":
        return _("Yes") if value else _("No")
    if question.type == "address":
        return value.get("text") or f"{value.get('lat')}, {value.get('lng')}"
    if question.type == "money":
        return format_money(value, currency, language)
    return str(value)
