"""The API's schemas: one output schema per resource (for the API audience), the request bodies (the domains'
own input schemas, loaded strictly: unknown fields are refused) and the query strings of the lists."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate

from saas.api.operations import Body
from saas.billing.models import ContractStatus, InvoiceKind, InvoiceStatus, QuoteStatus
from saas.billing.schemas import (
    CommentSchema,
    ContractApiSchema,
    CostApiSchema,
    DecisionSchema,
    InvoiceApiSchema,
    PaymentApiSchema,
    QuoteApiSchema,
    ScheduleSchema,
    VoidSchema,
)
from saas.clients.models import SORT_KEY, ClientKind, ClientStatus
from saas.clients.schemas import ClientSchema, ContactSchema, InteractionSchema, ShareSchema, TagRenameSchema
from saas.errors import ValidationFailed
from saas.fields import values as custom
from saas.fields.schemas import CUSTOM_DESCRIPTION
from saas.fields.types import TYPES
from saas.projects.schemas import ProjectApiSchema, TaskApiSchema
from saas.proofing.schemas import CommentSchema as DraftCommentSchema
from saas.schemas import field_messages
from saas.visits.schemas import CancelSchema, VisitApiSchema


def _readable_keys(entity: str) -> tuple[str, ...]:
    """The keys the caller reads on `entity`, once per request (a list page dumps fifty records)."""
    kept = g.setdefault("custom_keys", {})
    if entity not in kept:
        kept[entity] = tuple(d.key for d in custom.visible(g.principal.role, entity))
    return kept[entity]


def custom_out(entity: str) -> fields.Function:
    """The record's custom values the caller's role sees (every live field, null when unset)."""

    def read(record: object) -> dict[str, object]:
        stored = getattr(record, "custom_fields", None) or {}
        return {key: stored.get(key) for key in _readable_keys(entity)}

    return fields.Function(
        read, metadata={"type": "object", "additionalProperties": True, "description": CUSTOM_DESCRIPTION}
    )


class ClientOut(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    status = fields.String()
    industry = fields.String(allow_none=True)
    size = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    credit_rating = fields.String(allow_none=True)
    payment_terms = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    owner_id = fields.UUID(allow_none=True)
    archived = fields.Function(lambda c: c.archived_at is not None, metadata={"type": "boolean"})
    last_contact_at = fields.DateTime(allow_none=True)
    custom_fields = custom_out("client")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class ContactOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    name = fields.String()
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    wechat = fields.String(allow_none=True)
    preferred_channel = fields.String(allow_none=True)
    best_time = fields.String(allow_none=True)
    decision_maker = fields.Boolean()
    cares_about = fields.String(allow_none=True)
    birthday = fields.Date(allow_none=True)
    custom_fields = custom_out("contact")
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class InteractionOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    author_id = fields.UUID(allow_none=True)
    kind = fields.String()
    occurred_at = fields.DateTime()
    summary = fields.String()
    outcome = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    next_action_due = fields.Date(allow_none=True)
    next_action_done_at = fields.DateTime(allow_none=True)
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class TagOut(Schema):
    name = fields.String()
    clients = fields.Integer(metadata={"description": "Live clients carrying the tag that the token can see."})


class MemberOut(Schema):
    """A person of the studio with their membership (role and status)."""

    user_id = fields.UUID(attribute="user.id")
    membership_id = fields.UUID(attribute="id")
    name = fields.String(attribute="user.name")
    email = fields.String(attribute="user.email")
    role = fields.String()
    active = fields.Boolean()


class ShareOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    user_id = fields.UUID()
    expires_at = fields.DateTime(allow_none=True)
    active = fields.Boolean(attribute="is_active")


class FieldChoiceOut(Schema):
    key = fields.String()
    label_en = fields.String()
    label_zh = fields.String()


class FieldDefinitionOut(Schema):
    """One of the studio's own fields: send its values under `custom_fields.<key>` of a record of `entity`."""

    id = fields.UUID()
    entity = fields.String(metadata={"description": "The record type: client, contact, project…"})
    key = fields.String(metadata={"description": "Stable: the values are stored and sent under it."})
    label_en = fields.String()
    label_zh = fields.String()
    help_en = fields.String()
    help_zh = fields.String()
    type = fields.String(metadata={"enum": list(TYPES)})
    value = fields.Function(
        lambda d: VALUE_SHAPES[TYPES[d.type].stored],
        metadata={"type": "string", "description": "The JSON shape of a value of this type."},
    )
    filters = fields.Function(
        lambda d: list(TYPES[d.type].filters),
        metadata={"type": "array", "items": {"type": "string", "enum": ["eq", "contains", "range", "empty"]}},
    )
    required = fields.Boolean()
    default = fields.Raw(allow_none=True)
    choices = fields.List(fields.Nested(FieldChoiceOut))
    visibility = fields.String(metadata={"enum": ["everyone", "not_finance", "admins"]})
    position = fields.Integer()
    version = fields.Integer()


VALUE_SHAPES = {
    "text": "string",
    "number": "number",
    "money": 'integer: minor units of the studio\'s currency (a string like "12,800.50" is read too)',
    "date": "string: YYYY-MM-DD",
    "datetime": "string: ISO 8601 with an offset (stored and returned in UTC, ...Z)",
    "choice": "string: an option's key",
    "choices": "array of option keys",
    "boolean": "boolean",
    "member": "string: a user id of an active member of the studio",
    "file": "string: the id of a stored file of the studio",
    "address": "object: {text, lat, lng} (a string is read as the text)",
}


class ErrorOut(Schema):
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


# Request bodies

CLIENT_IN = Body(ClientSchema, "ClientInput")
CLIENT_PATCH = CLIENT_IN.patch()
CONTACT_IN = Body(ContactSchema, "ContactInput")
CONTACT_PATCH = CONTACT_IN.patch()
INTERACTION_IN = Body(InteractionSchema, "InteractionInput")
INTERACTION_PATCH = INTERACTION_IN.patch()
SHARE_IN = Body(ShareSchema, "ShareInput")
TAG_RENAME = Body(TagRenameSchema, "TagRename")
PROJECT_IN = Body(ProjectApiSchema, "ProjectInput")
PROJECT_PATCH = PROJECT_IN.patch()
TASK_IN = Body(TaskApiSchema, "TaskInput")
TASK_PATCH = TASK_IN.patch()
QUOTE_IN = Body(QuoteApiSchema, "QuoteInput")
QUOTE_PATCH = QUOTE_IN.patch()
CONTRACT_IN = Body(ContractApiSchema, "ContractInput")
CONTRACT_PATCH = CONTRACT_IN.patch()
INVOICE_IN = Body(InvoiceApiSchema, "InvoiceInput")
INVOICE_PATCH = INVOICE_IN.patch()
PAYMENT_IN = Body(PaymentApiSchema, "PaymentInput")
SCHEDULE_IN = Body(ScheduleSchema, "Schedule")
DECISION_IN = Body(DecisionSchema, "Decision")
VOID_IN = Body(VoidSchema, "Void")
CONTRACT_COMMENT_IN = Body(CommentSchema, "Comment", required=False)
COST_IN = Body(CostApiSchema, "CostInput")
DRAFT_COMMENT_IN = Body(DraftCommentSchema, "DraftCommentInput")
SIGNED_COPY = Body(
    None,
    "SignedCopy",
    media="multipart/form-data",
    doc={
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, checked by content."},
            "signed_on": {"type": "string", "format": "date"},
        },
    },
)


# Query strings of the lists (unknown parameters are ignored; known ones must be valid)


def _one_of(options: tuple[str, ...]) -> fields.String:
    choices = validate.OneOf(("", *options), error="Choose one of: {choices}.")
    return fields.String(load_default="", validate=choices, error_messages=field_messages())


def _text(limit: int, description: str | None = None) -> fields.String:
    metadata = {"description": description} if description else {}
    return fields.String(load_default="", validate=validate.Length(max=limit), metadata=metadata)


CURSOR = "`next_cursor` of the last page."
# A cursor that carries a name's sort key, `<id>|<key>` (a UUID's 36 characters): the key as long as its column
# allows (a long Chinese name's pinyin reaches it), so a page's own next_cursor is never refused as too long.
KEYED_CURSOR = 36 + 1 + SORT_KEY.length


def _day(description: str) -> fields.Date:
    return fields.Date(load_default=None, metadata={"description": description}, error_messages=field_messages())


def refuse_problems(problems: tuple[tuple[str, str], ...]) -> None:
    """A list's filters that could not be used (a period that runs backwards): 422, where a page only says so."""
    if problems:
        raise ValidationFailed({name: [message] for name, message in problems})


class ClientListQuery(Schema):
    q = _text(100, "Fragment of the name, a contact's name, phone, e-mail or WeChat id, or a tag.")
    status = _one_of(tuple(ClientStatus))
    owner = _text(40, "A user id, or `me`.")
    tag = _text(40, "Exact tag.")
    source = _text(80, "Exact source channel.")
    no_source = _one_of(("1",))
    industry = _text(80, "Exact industry.")
    region = _text(80, "Exact region.")
    kind = _one_of(tuple(ClientKind))
    quiet_days = fields.String(
        load_default="",
        validate=validate.Regexp(r"^([1-9][0-9]{0,3})?$", error="A number of days, 1 to 3649."),
        metadata={"description": "No follow-up for N days."},
    )
    reached = _one_of(("intent", "signed"))
    projects = _one_of(("any", "repeat"))
    archived = _one_of(("1", "all"))
    created_from = _day("Made on or after this day (the studio's time zone).")
    created_to = _day("Made on or before this day (the studio's time zone).")
    last_contact_from = _day("Last followed up on or after this day (the studio's time zone).")
    last_contact_to = _day("Last followed up on or before this day (the studio's time zone).")
    left_from = _day("Became past on or after this day (the studio's time zone).")
    left_to = _day("Became past on or before this day (the studio's time zone).")
    sort = _one_of(("name", "recent"))
    cursor = _text(KEYED_CURSOR, CURSOR)


class ContactListQuery(Schema):
    q = _text(100, "Fragment of the contact's name, phone (digits match however it was written) or e-mail.")
    cursor = _text(KEYED_CURSOR, CURSOR)


class FieldListQuery(Schema):
    entity = _text(20, "Only the fields of this record type (client, contact, project…).")


class ProjectListQuery(Schema):
    owner = _text(40, "A user id, or `me`.")
    client = _text(40, "A client id.")
    stage = _text(40, "A stage id.")
    type = _text(60)
    state = _one_of(("open", "won", "lost"))
    deal = _one_of(("quoted", "signed"))
    source = _text(80, "The client's source channel.")
    archived = _one_of(("1", "all"))
    created_from = _day("Made on or after this day (the studio's time zone).")
    created_to = _day("Made on or before this day (the studio's time zone).")
    due_from = _day("Due on or after this day.")
    due_to = _day("Due on or before this day.")
    closed_from = _day("Won or lost on or after this day (the studio's time zone).")
    closed_to = _day("Won or lost on or before this day (the studio's time zone).")
    left_stage = _text(40, "A stage id: projects with a recorded move out of that stage (in the left_stage days).")
    left_stage_from = _day("A recorded move out of a stage on or after this day (the studio's time zone).")
    left_stage_to = _day("A recorded move out of a stage on or before this day (the studio's time zone).")
    cursor = _text(200, CURSOR)


class QuoteListQuery(Schema):
    status = _one_of(tuple(QuoteStatus))


class ContractListQuery(Schema):
    status = _one_of(tuple(ContractStatus))


class InvoiceListQuery(Schema):
    status = _one_of((*InvoiceStatus, "overdue", "open"))
    kind = _one_of(tuple(InvoiceKind))
    owner = _text(40, "The client's owner: a user id, or `me`.")
    source = _text(80, "The client's source channel.")
    type = _text(60, "The project's type (an invoice without a project has none: left out).")
    issued_from = _day("Issued (made) on or after this day (the studio's time zone).")
    issued_to = _day("Issued (made) on or before this day (the studio's time zone).")
    due_from = _day("Due on or after this day.")
    due_to = _day("Due on or before this day.")
    cursor = _text(200, CURSOR)


class StageOut(Schema):
    id = fields.UUID()
    name = fields.String()
    key = fields.String(allow_none=True, metadata={"description": "Set on the stages Atelier seeded."})
    kind = fields.String(metadata={"enum": ["open", "won", "lost"]})
    position = fields.Integer()


class ProjectOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    stage_id = fields.UUID()
    name = fields.String()
    type = fields.String(allow_none=True)
    owner_id = fields.UUID(allow_none=True)
    team = fields.Function(lambda p: [str(m.user_id) for m in p.team], metadata={"type": "array"})
    budget_minor = fields.Integer(allow_none=True)
    value_minor = fields.Integer(allow_none=True)
    probability = fields.Integer(allow_none=True)
    start_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True)
    brief = fields.Dict(keys=fields.String(), values=fields.String())
    custom_fields = custom_out("project")
    stage_entered_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    archived = fields.Function(lambda p: p.archived_at is not None, metadata={"type": "boolean"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class StageChangeOut(Schema):
    id = fields.UUID()
    from_stage_id = fields.UUID(allow_none=True)
    to_stage_id = fields.UUID(allow_none=True)
    actor_id = fields.UUID(allow_none=True)
    seconds_in_from = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class ChecklistItemOut(Schema):
    text = fields.String()
    done = fields.Boolean()


class TaskOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    project_id = fields.UUID(allow_none=True)
    title = fields.String()
    notes = fields.String(allow_none=True)
    assignee_id = fields.UUID(allow_none=True)
    due_on = fields.Date(allow_none=True)
    status = fields.String(metadata={"enum": ["open", "done"]})
    done_at = fields.DateTime(allow_none=True)
    checklist = fields.List(fields.Nested(ChecklistItemOut))
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class QuoteLineOut(Schema):
    description = fields.String()
    quantity = fields.Float(metadata={"description": "Exact to three decimals."})
    unit = fields.String(allow_none=True)
    unit_price_minor = fields.Integer()
    discount_bp = fields.Integer()
    total_minor = fields.Integer()


class QuoteOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    project_id = fields.UUID(allow_none=True)
    number = fields.String()
    title = fields.String()
    language = fields.String()
    status = fields.String(metadata={"enum": ["draft", "pending_approval", "approved", "sent", "accepted", "declined"]})
    revision = fields.Integer()
    valid_until = fields.Date(allow_none=True)
    tax_rate_bp = fields.Integer()
    notes = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(QuoteLineOut))
    subtotal_minor = fields.Integer()
    discount_minor = fields.Integer()
    tax_minor = fields.Integer()
    total_minor = fields.Integer()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class ContractOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    project_id = fields.UUID(allow_none=True)
    quote_id = fields.UUID(allow_none=True)
    number = fields.String()
    title = fields.String()
    amount_minor = fields.Integer()
    terms = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["draft", "in_approval", "approved", "signed"]})
    required_roles = fields.List(fields.String())
    signed_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class PaymentOut(Schema):
    id = fields.UUID()
    invoice_id = fields.UUID()
    amount_minor = fields.Integer()
    method = fields.String(metadata={"enum": ["bank", "cash", "other"]})
    paid_on = fields.Date()
    reference = fields.String(allow_none=True)
    created_at = fields.DateTime()


class InvoiceOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    project_id = fields.UUID(allow_none=True)
    contract_id = fields.UUID(allow_none=True)
    quote_id = fields.UUID(allow_none=True)
    number = fields.String()
    kind = fields.String(metadata={"enum": ["deposit", "milestone", "final"]})
    title = fields.String()
    amount_minor = fields.Integer()
    paid_minor = fields.Integer()
    balance_minor = fields.Integer()
    due_on = fields.Date()
    status = fields.String(metadata={"enum": ["draft", "sent", "partly_paid", "paid", "void"]})
    void_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class AgeingOut(Schema):
    client_id = fields.UUID()
    client_name = fields.String()
    current = fields.Integer(metadata={"description": "Not yet due, minor units."})
    d1_30 = fields.Integer()
    d31_60 = fields.Integer()
    d61_90 = fields.Integer()
    d90_plus = fields.Integer()
    total = fields.Integer()


class CostOut(Schema):
    id = fields.UUID()
    project_id = fields.UUID()
    kind = fields.String(metadata={"enum": ["hours", "expense"]})
    description = fields.String()
    hours = fields.Float(allow_none=True, metadata={"description": "Exact to two decimals."})
    rate_minor = fields.Integer(allow_none=True)
    amount_minor = fields.Integer()
    spent_on = fields.Date()
    user_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


def _sheets(stored) -> int:
    """Pages to look at in a draft's file, counted as the review page counts them (an image is one page)."""
    from saas.proofing.queries import sheets_of

    return len(sheets_of([stored]))


DRAFT_STATUSES = ["preparing", "in_review", "approved", "approved_with_changes", "changes_requested", "superseded"]


class DraftReviewerOut(Schema):
    name = fields.String(attribute="portal_user.name")
    choice = fields.String(
        allow_none=True, metadata={"enum": ["approve", "approve_with_changes", "request_changes", None]}
    )
    rating = fields.Integer(allow_none=True, metadata={"description": "1 to 5 stars."})
    decided_at = fields.DateTime(allow_none=True)
    ip = fields.String(allow_none=True, metadata={"description": "Where the decision was sent from."})


class DraftFileOut(Schema):
    id = fields.UUID()
    name = fields.String()
    content_type = fields.String(allow_none=True)
    pages = fields.Function(_sheets, metadata={"type": "integer", "description": "Pages to pin on (1 for images)."})


class DraftReplyOut(Schema):
    id = fields.UUID()
    author_name = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class DraftThreadOut(Schema):
    """A comment that starts a thread (a pin or a general comment) and the replies to it, oldest first."""

    id = fields.UUID(attribute="comment.id")
    number = fields.Integer(allow_none=True, metadata={"description": "The pin's number; null for a general comment."})
    author_name = fields.String(attribute="comment.author_name")
    body = fields.String(attribute="comment.body")
    file_id = fields.UUID(attribute="comment.file_id", allow_none=True)
    page = fields.Integer(attribute="comment.page", allow_none=True)
    x = fields.Float(attribute="comment.x", allow_none=True, metadata={"description": "0..1 from the left."})
    y = fields.Float(attribute="comment.y", allow_none=True, metadata={"description": "0..1 from the top."})
    resolved_at = fields.DateTime(attribute="comment.resolved_at", allow_none=True)
    created_at = fields.DateTime(attribute="comment.created_at")
    replies = fields.List(fields.Nested(DraftReplyOut))


class DraftCommentOut(Schema):
    """One comment as written: a pin, a general comment, or a reply (parent_id)."""

    id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    author_name = fields.String()
    body = fields.String()
    file_id = fields.UUID(allow_none=True)
    page = fields.Integer(allow_none=True)
    x = fields.Float(allow_none=True)
    y = fields.Float(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class DraftOut(Schema):
    id = fields.UUID()
    project_id = fields.UUID()
    number = fields.Integer()
    title = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": DRAFT_STATUSES})
    submitted_at = fields.DateTime(allow_none=True)
    due_on = fields.Date(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    locked = fields.Boolean(metadata={"description": "A later version was sent: no more comments or decisions."})
    reviewers = fields.List(fields.Nested(DraftReviewerOut))


class DraftDetailOut(DraftOut):
    files = fields.List(fields.Nested(DraftFileOut))
    comments = fields.List(fields.Nested(DraftThreadOut), metadata={"description": "Threads, oldest first."})


class NotificationOut(Schema):
    """One entry of the token person's bell in this studio, in the request's language."""

    id = fields.UUID()
    kind = fields.String()
    title = fields.Function(lambda n: _words(n).title, metadata={"type": "string"})
    detail = fields.Function(lambda n: _words(n).detail, metadata={"type": "string"})
    link = fields.String(metadata={"description": "A path on this site."})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


def _words(note):
    from saas.notify.texts import words_for

    return words_for(note.kind, note.data)


class NotificationsOut(Schema):
    data = fields.List(fields.Nested(NotificationOut))
    unread = fields.Integer(metadata={"description": "How many of the person's notifications are unread."})


class ReceivablesOut(Schema):
    data = fields.List(fields.Nested(AgeingOut), metadata={"description": "The clients owing most (200 at most)."})
    totals = fields.Nested(AgeingOut(exclude=("client_id", "client_name")))
    clients = fields.Integer(metadata={"description": "How many clients owe anything."})


class VisitOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    contact_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    assignee_id = fields.UUID()
    scheduled_start = fields.DateTime()
    scheduled_end = fields.DateTime()
    site_address = fields.String()
    site_lat = fields.Float(allow_none=True)
    site_lng = fields.Float(allow_none=True)
    purpose = fields.String()
    status = fields.String(metadata={"enum": ["scheduled", "checked_in", "checked_out", "cancelled", "missed"]})
    check_in_at = fields.DateTime(allow_none=True)
    check_in_lat = fields.Float(allow_none=True)
    check_in_lng = fields.Float(allow_none=True)
    check_in_accuracy_m = fields.Float(allow_none=True)
    check_in_problem = fields.String(allow_none=True, metadata={"description": "denied, unavailable or timeout."})
    check_in_distance_m = fields.Float(allow_none=True, metadata={"description": "From the site, when both known."})
    check_out_at = fields.DateTime(allow_none=True)
    check_out_lat = fields.Float(allow_none=True)
    check_out_lng = fields.Float(allow_none=True)
    check_out_accuracy_m = fields.Float(allow_none=True)
    check_out_problem = fields.String(allow_none=True)
    check_out_distance_m = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    next_action_due = fields.Date(allow_none=True)
    signed_by = fields.String(allow_none=True)
    cancelled_reason = fields.String(allow_none=True)
    updated_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "Send it back as If-Match on PATCH."})


class VisitListQuery(Schema):
    start = fields.AwareDateTime(load_default=None, metadata={"description": "From (default: today, studio time)."})
    end = fields.AwareDateTime(load_default=None, metadata={"description": "Until (default: a week after start)."})
    assignee = fields.UUID(load_default=None, metadata={"description": "One person's visits."})


VISIT_IN = Body(VisitApiSchema, "VisitInput")
VISIT_PATCH = VISIT_IN.patch()
CANCEL_IN = Body(CancelSchema, "Cancellation")
