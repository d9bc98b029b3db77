"""The lists that can be exported, each built from the list page's own query builder so that an export holds
exactly the rows the page shows for the same filters, with the page's columns (custom-field columns included).

A `Sheet` is the filtered query, the key it is read along in batches (the list's own order: keyset, never
OFFSET, never the whole result in memory) and its columns. Cell values are typed — text, money as a number in
major units (the currency is in the header), dates in the studio's time zone, numbers — and codes are labelled in
the reader's language; the writers (saas.exports.writers) turn them into CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Select, select, tuple_

from saas.billing import queries as billing
from saas.billing.labels import payment_method_label
from saas.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from saas.clients import queries as client_queries
from saas.clients.access import sees_relationship
from saas.clients.models import Client, ClientStatus, Contact
from saas.extensions import db
from saas.fields import present, values
from saas.fields.models import FieldDefinition
from saas.fields.queries import column_keys
from saas.fields.types import TYPES
from saas.money import to_decimal
from saas.projects import queries as project_queries
from saas.projects.models import Project
from saas.tenants.models import Membership, Tenant, User

BATCH = 1000
LISTS = ("clients", "projects", "invoices", "payments")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]  # a row (an entity, or the list's tuple) -> a typed cell value


@dataclass(frozen=True)
class Sheet:
    name: str
    query: Select  # filtered, unordered
    keys: tuple[Any, ...]  # the order, and the keyset the batches continue from
    descending: bool
    key_of: Callable[[Any], tuple]  # a row -> its values of `keys`
    columns: list[Column]
    entities: bool = True  # rows are ORM entities (scalars) rather than tuples
    counted: Any = None  # the column a capped COUNT reads
    prepare: Callable[[list[Any]], list[Any]] | None = None  # what a batch needs beside its rows (one query)


@dataclass(frozen=True)
class Place:
    """Where the export is read: the studio's time zone and currency, the reader's language, today there."""

    tenant: Tenant
    locale: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(self.zone).replace(tzinfo=None) if moment is not None else None

    def money(self, minor: int | None) -> Decimal | None:
        return to_decimal(minor, self.tenant.currency) if minor is not None else None

    def money_header(self, label: str) -> str:
        return f"{label} ({self.tenant.currency})"


def batches(sheet: Sheet, size: int | None = None) -> Iterator[list[Any]]:
    """The sheet's rows, `size` at a time, each batch one query continuing after the last row of the one
    before along the list's own key (an index serves it), so memory holds one batch whatever the total."""
    size = size or BATCH
    order = [key.desc() if sheet.descending else key for key in sheet.keys]
    after: tuple | None = None
    while True:
        query = sheet.query
        if after is not None:
            edge = tuple_(*sheet.keys)
            query = query.where(edge < after if sheet.descending else edge > after)
        query = query.order_by(*order).limit(size)
        rows = list(db.session.scalars(query) if sheet.entities else db.session.execute(query))
        if not rows:
            return
        yield sheet.prepare(rows) if sheet.prepare else rows
        if len(rows) < size:
            return
        after = sheet.key_of(rows[-1])


# --- custom fields ----------------------------------------------------------------------------------------


def custom_columns(membership: Membership, place: Place, entity: str, cols: str) -> list[Column]:
    """The custom-field columns the list shows (`cols`), among the fields the reader's role sees."""
    people = dict(present._people())
    return [_custom_column(d, place, people) for d in column_keys(membership.role, entity, cols)]


def _custom_column(definition: FieldDefinition, place: Place, people: dict[str, str]) -> Column:
    """Typed where a spreadsheet can use the type (money, numbers, ratings, dates), words otherwise, labelled
    once per export rather than once per cell (a 100,000-row export reads each column 100,000 times)."""
    kind = TYPES[definition.type].stored
    header = place.money_header(definition.label(place.locale)) if kind == "money" else definition.label(place.locale)
    labels = {c.key: c.label(place.locale) for c in values.choices_of(definition)}
    joiner = "、" if place.locale.startswith("zh") else ", "
    typed: dict[str, Callable[[Any], Any]] = {
        "money": lambda v: place.money(int(v)),
        "number": lambda v: v,
        "date": date.fromisoformat,
        "datetime": lambda v: place.local(datetime.fromisoformat(v.replace("Z", "+00:00"))),
        "member": lambda v: people.get(v) or _("Former member"),
        "choice": lambda v: labels.get(v, v),
        "choices": lambda v: joiner.join(labels.get(k, k) for k in v),
        "file": lambda v: present.display(definition, v, place.locale)[0],
    }
    convert = typed.get(kind) or (lambda v: values.shown(definition, v, place.locale))
    if definition.type == "percent":
        convert = lambda v: f"{v:g}%"  # noqa: E731  (as the record's page shows it)

    def value(record: Any) -> Any:
        stored = (record.custom_fields or {}).get(definition.key)
        return None if stored is None else convert(stored)

    return Column(header, value)


# --- the lists ----------------------------------------------------------------------------------------------


def client_status(code: str) -> str:
    return {
        "potential": _("Potential"),
        "intent": _("Interested"),
        "signed": pgettext("client status", "Signed"),
        "past": _("Past"),
    }.get(code, code)


def document_status(code: str) -> str:
    return {
        "draft": pgettext("document status", "Draft"),
        "sent": _("Sent"),
        "partly_paid": _("Partly paid"),
        "paid": pgettext("document status", "Paid"),
        "void": pgettext("document status", "Void"),
        "overdue": _("Overdue"),
    }.get(code, code)


def invoice_kind(code: str) -> str:
    return {"deposit": _("Deposit"), "milestone": _("Milestone"), "final": _("Final payment")}.get(code, code)


CLIENT_COLUMNS = (
    Client.id,
    Client.name,
    Client.sort_key,
    Client.updated_at,
    Client.tags,
    Client.status,
    Client.last_contact_at,
    Client.custom_fields,
    User.name.label("owner_name"),
)


@dataclass(frozen=True)
class ClientRow:
    """A client as the export reads it: plain columns (building ORM objects for 100,000 clients, with their
    owners and contacts, cost more than the queries) and the key contact the list shows, the first by date."""

    row: Any
    contact: tuple[str, str | None] | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def _with_first_contacts(rows: list[Any]) -> list[ClientRow]:
    """One query per batch for the batch's key contacts (the list page's `contacts[0]`: the earliest)."""
    found: dict[Any, tuple[str, str | None]] = {}
    query = (
        select(Contact.client_id, Contact.name, Contact.phone)
        .where(Contact.client_id.in_([r.id for r in rows]))
        .order_by(Contact.client_id, Contact.created_at)
    )
    for client_id, name, phone in db.session.execute(query):
        found.setdefault(client_id, (name, phone))
    return [ClientRow(r, found.get(r.id)) for r in rows]


def clients_sheet(membership: Membership, place: Place, f: client_queries.ClientFilters) -> Sheet:
    """The client list: name, tags, status, key contact and phone, owner, last follow-up (local date), and the
    custom-field columns the page was showing."""
    by_name = f.sort == "name"
    query = (
        client_queries._filtered(membership, f)
        .with_only_columns(*CLIENT_COLUMNS)
        .select_from(Client)
        .outerjoin(User, User.id == Client.owner_id)
    )
    statuses = {code: client_status(code) for code in ClientStatus}  # labelled once, not once per row
    columns = [
        Column(pgettext("client list column", "Client"), lambda c: c.name),
        Column(_("Tags"), lambda c: "、".join(c.tags or [])),
        Column(_("Status"), lambda c: statuses.get(c.status, c.status)),
        Column(_("Key contact"), lambda c: c.contact[0] if c.contact else None),
        Column(_("Phone"), lambda c: c.contact[1] if c.contact else None),
        Column(_("Owned by"), lambda c: c.owner_name),
        Column(_("Last follow-up"), lambda c: c.last_contact_at and place.local(c.last_contact_at).date()),
        *custom_columns(membership, place, "client", f.cols),
    ]
    if not sees_relationship(membership):
        # Finance reads the commercial side: when the last follow-up happened is the relationship's, and a file
        # that leaves the studio carries none of it (the custom columns are already those the role sees).
        columns = [c for c in columns if c.header != _("Last follow-up")]
    return Sheet(
        name="clients",
        query=query,
        keys=(Client.sort_key, Client.id) if by_name else (Client.updated_at, Client.id),
        descending=not by_name,
        key_of=(lambda c: (c.sort_key, c.id)) if by_name else (lambda c: (c.updated_at, c.id)),
        columns=columns,
        entities=False,
        counted=Client.id,
        prepare=_with_first_contacts,
    )


def projects_sheet(membership: Membership, place: Place, f: project_queries.ProjectFilters) -> Sheet:
    """The project list: name, type, client, stage, value, due date, owner; most recently updated first."""
    columns = [
        Column(_("Project"), lambda p: p.name),
        Column(_("Type"), lambda p: p.type),
        Column(_("Client"), lambda p: p.client.name),
        Column(_("Stage"), lambda p: p.stage.name),
        Column(place.money_header(_("Value")), lambda p: place.money(p.value_minor)),
        Column(_("Due"), lambda p: p.due_on),
        Column(_("Owned by"), lambda p: p.owner.name if p.owner else None),
        *custom_columns(membership, place, "project", f.cols),
    ]
    return Sheet(
        name="projects",
        query=project_queries._filtered(membership, f),
        keys=(Project.updated_at, Project.id),
        descending=True,
        key_of=lambda p: (p.updated_at, p.id),
        columns=columns,
        counted=Project.id,
    )


def invoices_sheet(membership: Membership, place: Place, f: billing.InvoiceFilters) -> Sheet:
    """The invoice list: number, client, kind, amount, balance, due date, status (overdue when it is)."""
    today = place.today()
    statuses = {code: document_status(code) for code in ("overdue", *InvoiceStatus)}
    kinds = {code: invoice_kind(code) for code in InvoiceKind}
    columns = [
        Column(_("Number"), lambda i: i.number),
        Column(_("Client"), lambda i: i.client.name),
        Column(_("Kind"), lambda i: kinds.get(i.kind, i.kind)),
        Column(place.money_header(_("Amount")), lambda i: place.money(i.amount_minor)),
        Column(place.money_header(_("Balance")), lambda i: place.money(i.balance_minor)),
        Column(_("Due"), lambda i: i.due_on),
        Column(_("Status"), lambda i: statuses.get(code := "overdue" if i.is_overdue(today) else i.status, code)),
    ]
    return Sheet(
        name="invoices",
        query=billing.invoices_filtered(membership, f, today),
        keys=(Invoice.due_on, Invoice.number),
        descending=True,
        key_of=lambda i: (i.due_on, i.number),
        columns=columns,
        counted=Invoice.id,
    )


def payments_sheet(membership: Membership, place: Place, f: billing.PaymentFilters) -> Sheet:
    """The payments list: date, invoice, client, method, amount, refunded, reference, who recorded it."""
    methods = {code: payment_method_label(code) for code in PaymentMethod}
    columns = [
        Column(_("Paid on"), lambda r: r[0].paid_on),
        Column(_("Invoice"), lambda r: r[2]),
        Column(_("Client"), lambda r: r[3]),
        Column(_("Method"), lambda r: methods.get(r[0].method, r[0].method)),
        Column(place.money_header(_("Amount")), lambda r: place.money(r[0].amount_minor)),
        Column(place.money_header(_("Refunded")), lambda r: place.money(r[0].refunded_minor)),
        Column(_("Reference"), lambda r: r[0].reference),
        Column(_("Recorded by"), lambda r: r[0].recorded_by.name if r[0].recorded_by else None),
    ]
    return Sheet(
        name="payments",
        query=billing.payments_filtered(membership, f),
        keys=(Payment.paid_on, Payment.id),
        descending=True,
        key_of=lambda r: (r[0].paid_on, r[0].id),
        columns=columns,
        entities=False,
        counted=Payment.id,
    )
