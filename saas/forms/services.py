"""Building forms: create one from a preset, edit its words and questions, reorder, publish and close. Only
those who may change the studio's settings build forms; every change is audited. Services flush, never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from saas.db import lock_row, utcnow
from saas.errors import Conflict, ValidationFailed
from saas.extensions import db
from saas.fields.types import TYPES
from saas.forms import targets
from saas.forms.models import Form, FormStatus, Question
from saas.forms.presets import PRESETS
from saas.forms.schemas import parse_choices
from saas.tenants import audit
from saas.tenants.models import Membership
from saas.tenants.roles import Perm, require

MAX_QUESTIONS = 60


def _free_slug(wanted: str) -> str:
    taken = set(db.session.scalars(select(Form.slug).where(Form.slug.like(f"{wanted}%"))))
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def create_form(membership: Membership, preset_key: str) -> Form:
    require(membership, Perm.STUDIO_SETTINGS)
    preset = PRESETS[preset_key]
    form = Form(
        slug=_free_slug(preset.slug),
        kind=preset.kind,
        title_en=preset.title_en,
        title_zh=preset.title_zh,
        intro_en=preset.intro_en,
        intro_zh=preset.intro_zh,
        thanks_en=preset.thanks_en,
        thanks_zh=preset.thanks_zh,
        owner_id=membership.user_id,
    )
    for position, q in enumerate(preset.questions):
        choices = [{"key": k, "label_en": en, "label_zh": zh} for k, en, zh in q.choices]
        form.questions.append(
            Question(
                position=position,
                type=q.type,
                label_en=q.label_en,
                label_zh=q.label_zh,
                help_en=q.help_en,
                help_zh=q.help_zh,
                required=q.required,
                choices=choices,
                target=q.target,
            )
        )
    db.session.add(form)
    db.session.flush()
    audit.record("form.created", form, actor_id=membership.user_id, slug=form.slug, kind=form.kind)
    return form


def update_form(membership: Membership, form: Form, data: dict[str, Any]) -> None:
    require(membership, Perm.STUDIO_SETTINGS)
    if data.pop("version", None) not in (None, form.version):
        raise Conflict()
    if data["slug"] != form.slug and db.session.scalar(select(Form.id).where(Form.slug == data["slug"])):
        raise ValidationFailed({"slug": [_("Another form of the studio already uses this address.")]})
    if not (data["title_en"].strip() or data["title_zh"].strip()):
        raise ValidationFailed({"title_en": [_("Give the form a title in at least one language.")]})
    data["channel"] = data["channel"].strip() or None
    for key, value in data.items():
        setattr(form, key, value)
    _touched(form)


def _touched(form: Form) -> None:
    form.updated_at = utcnow()
    db.session.flush()


def _question_values(form: Form, data: dict[str, Any]) -> dict[str, Any]:
    if not (data["label_en"].strip() or data["label_zh"].strip()):
        raise ValidationFailed({"label_en": [_("Give the question a label in at least one language.")]})
    target = targets.all_targets().get(data["target"])
    if target is None or form.kind not in target.kinds:
        raise ValidationFailed({"target": [_("Choose where the answer goes from the list.")]})
    if not target.fits(data["type"]):
        raise ValidationFailed({"target": [_("This kind of answer cannot go there; choose another place.")]})
    choices = parse_choices(data.pop("choices"))
    if target.choices:
        choices = [dict(c) for c in target.choices]  # the field's options, so every answer is one it stores
    if TYPES[data["type"]].widget in ("select", "checkboxes"):
        if not choices:
            raise ValidationFailed({"choices": [_("Give at least one option, one a line.")]})
        if len({c["key"] for c in choices}) != len(choices):
            raise ValidationFailed({"choices": [_("Each option needs its own key.")]})
    return {**data, "choices": choices}


def add_question(membership: Membership, form: Form, data: dict[str, Any]) -> Question:
    require(membership, Perm.STUDIO_SETTINGS)
    lock_row(db.session, form, "questions")
    if len(form.questions) >= MAX_QUESTIONS:
        raise ValidationFailed({"_schema": [_("A form holds at most %(n)d questions.", n=MAX_QUESTIONS)]})
    question = Question(position=len(form.questions), **_question_values(form, data))
    form.questions.append(question)
    _touched(form)
    return question


def update_question(membership: Membership, form: Form, question: Question, data: dict[str, Any]) -> None:
    require(membership, Perm.STUDIO_SETTINGS)
    for key, value in _question_values(form, data).items():
        setattr(question, key, value)
    _touched(form)


def remove_question(membership: Membership, form: Form, question: Question) -> None:
    require(membership, Perm.STUDIO_SETTINGS)
    lock_row(db.session, form, "questions")
    form.questions = [q for q in form.questions if q.id != question.id]
    _renumber(form.questions)
    _touched(form)


def reorder(membership: Membership, form: Form, ids: list[str]) -> None:
    """The questions in the order given (every question once: a stale page's order is refused)."""
    require(membership, Perm.STUDIO_SETTINGS)
    lock_row(db.session, form, "questions")
    by_id = {str(q.id): q for q in form.questions}
    if sorted(ids) != sorted(by_id):
        raise Conflict(_("The questions changed since the page was loaded. Reload it and try again."))
    _renumber([by_id[i] for i in ids])
    _touched(form)


def move(membership: Membership, form: Form, question: Question, step: int) -> None:
    ids = [str(q.id) for q in form.questions]
    at = ids.index(str(question.id))
    to = max(0, min(len(ids) - 1, at + step))
    ids.insert(to, ids.pop(at))
    reorder(membership, form, ids)


def _renumber(questions: list[Question]) -> None:
    for position, question in enumerate(questions):
        question.position = position


def set_status(membership: Membership, form: Form, status: str) -> None:
    require(membership, Perm.STUDIO_SETTINGS)
    if status not in tuple(FormStatus):
        raise ValidationFailed({"status": [_("Choose one of the options.")]})
    if status == FormStatus.PUBLISHED and not form.questions:
        raise ValidationFailed({"status": [_("Add a question before publishing the form.")]})
    if status != form.status:
        form.status = status
        _touched(form)
        audit.record(f"form.{status}", form, actor_id=membership.user_id, slug=form.slug)
