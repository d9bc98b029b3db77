"""What the builder sends: a form's words and settings, a question. (The visitor's answers are parsed by the
question types themselves, saas.fields.types, in saas.forms.submit.)"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, pre_load, validates

from saas.fields.types import TYPES
from saas.forms.presets import PRESETS
from saas.schemas import N_, FormSchema, MaxLength, choice, field_messages, text

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?")


def _words(limit: int) -> fields.String:
    return fields.String(load_default="", validate=MaxLength(limit), error_messages=field_messages())


class NewFormSchema(FormSchema):
    preset = choice(tuple(PRESETS))


class FormSettingsSchema(FormSchema):
    slug = text(60)
    title_en = _words(200)
    title_zh = _words(200)
    intro_en = _words(4000)
    intro_zh = _words(4000)
    thanks_en = _words(2000)
    thanks_zh = _words(2000)
    channel = _words(80)
    version = fields.Integer(load_default=None)

    @pre_load
    def _tidy(self, data: Any, **_kwargs: Any) -> dict:
        data = {k: v for k, v in dict(data).items()}
        if isinstance(data.get("slug"), str):
            data["slug"] = data["slug"].strip().lower()
        return data

    @validates("slug")
    def _slug(self, value: str, **_kwargs: Any) -> None:
        if not SLUG.fullmatch(value):
            raise ValidationError(N_("Use lower-case letters, digits and hyphens, like new-client."))


class QuestionSchema(FormSchema):
    type = choice(tuple(TYPES))
    label_en = _words(300)
    label_zh = _words(300)
    help_en = _words(500)
    help_zh = _words(500)
    required = fields.Boolean(load_default=False)
    target = fields.String(load_default="submission", validate=MaxLength(80))
    # One option a line: "key | English | 中文", or just a label (its key is made from its position).
    choices = fields.String(load_default="", validate=MaxLength(4000))

    @pre_load
    def _checkbox(self, data: Any, **_kwargs: Any) -> dict:
        data = dict(data)
        data["required"] = data.get("required") in ("1", "on", "true", True)
        return data


def parse_choices(text_value: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for number, line in enumerate(l.strip() for l in text_value.splitlines() if l.strip()):  # noqa: E741
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            parts = [f"option-{number + 1}", parts[0], parts[0]]
        elif len(parts) == 2:
            parts = [f"option-{number + 1}", *parts]
        found.append({"key": parts[0][:40], "label_en": parts[1][:200], "label_zh": parts[2][:200]})
    return found


def choices_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(f"{c['key']} | {c.get('label_en', '')} | {c.get('label_zh', '')}" for c in choices)
