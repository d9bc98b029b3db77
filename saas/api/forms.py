"""/api/v1 for public forms: list the studio's forms, read one with its questions, list a form's submissions
newest first (cursor pages) with the record each created or changed. Reading needs the right to see every
client (submissions hold people's details); another studio's ids are 404 as everywhere."""

from __future__ import annotations

from marshmallow import Schema, fields

from saas.api.http import api, principal
from saas.api.operations import Page
from saas.api.schemas import CURSOR, _text
from saas.forms import queries
from saas.forms.access import get_form, may_read
from saas.forms.models import Form, FormKind, FormStatus, Outcome
from saas.tenants.roles import Perm

OF_FORM = {"resolves": {"form": get_form}, "perm": Perm.CLIENTS_ALL}


class ChoiceOut(Schema):
    key = fields.String()
    label_en = fields.String()
    label_zh = fields.String()


class QuestionOut(Schema):
    id = fields.UUID()
    position = fields.Integer()
    type = fields.String(metadata={"description": "A field type: text, long_text, number, money, choice, …"})
    label_en = fields.String()
    label_zh = fields.String()
    help_en = fields.String()
    help_zh = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.Nested(ChoiceOut))
    target = fields.String(metadata={"description": "Where the answer goes: client.name, brief.audience, …"})


class FormOut(Schema):
    id = fields.UUID()
    slug = fields.String()
    kind = fields.String(metadata={"enum": list(FormKind)})
    status = fields.String(metadata={"enum": list(FormStatus)})
    title_en = fields.String()
    title_zh = fields.String()
    intro_en = fields.String()
    intro_zh = fields.String()
    thanks_en = fields.String()
    thanks_zh = fields.String()
    channel = fields.String(allow_none=True)
    version = fields.Integer()
    updated_at = fields.DateTime()


class FormDetailOut(FormOut):
    questions = fields.List(fields.Nested(QuestionOut))


class SubmissionOut(Schema):
    id = fields.UUID()
    form_id = fields.UUID()
    submitted_at = fields.DateTime()
    language = fields.String()
    answers = fields.Dict(keys=fields.String(), metadata={"description": "Question id → the stored value."})
    outcome = fields.String(metadata={"enum": list(Outcome)})
    client_id = fields.UUID(allow_none=True)
    contact_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    nps = fields.Integer(allow_none=True)
    csat = fields.Integer(allow_none=True)


class SubmissionListQuery(Schema):
    cursor = _text(200, CURSOR)


@api.get("/forms", summary="The studio's forms, oldest first", perm=Perm.CLIENTS_ALL, response=FormOut, many=True)
def forms() -> list[Form]:
    return [row.form for row in queries.form_list()] if may_read(principal()) else []


@api.get("/forms/<form_id>", summary="Read a form with its questions", **OF_FORM, response=FormDetailOut)
def form(form: Form) -> Form:
    return form


@api.get(
    "/forms/<form_id>/submissions",
    summary="A form's submissions, newest first (cursor pages of 50), with the record each created or changed",
    **OF_FORM,
    query=SubmissionListQuery,
    response=SubmissionOut,
    paged=True,
)
def submissions(form: Form, query: dict[str, str]) -> Page:
    page = queries.submission_page(form, query["cursor"] or None)
    return Page(page.submissions, page.next_cursor)
