"""Read models for billing: document lists, what belongs to a client or project, the receivables ageing, and
profit per project and per client. Every figure is aggregated in SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, exists, func, literal, select, tuple_
from sqlalchemy.orm import joinedload, lazyload, selectinload

from saas.billing.access import client_visible
from saas.billing.models import (
    Contract,
    ContractStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    ProjectCost,
    Quote,
    QuoteRevision,
)
from saas.clients.models import Client
from saas.days import DayRange
from saas.extensions import db
from saas.projects.models import Project
from saas.tenants.models import Membership
from saas.tenants.queries import studio_timezone

OPEN_INVOICE = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
# The invoice list's statuses beside the stored ones: "open" (sent or partly paid: every invoice still owed) and
# "overdue" (open and past its due date).
INVOICE_STATUSES = ("open", "overdue", *InvoiceStatus)
LIST_LIMIT = 200


def _listing(model):
    """Lists show a document and its client's name: nothing else is loaded (a contract would otherwise
    pull its quote, project and client, each with theirs)."""
    return select(model).options(lazyload("*"), joinedload(model.client).lazyload("*"))


def quotes(membership: Membership, status: str = "", with_lines: bool = False) -> list[Quote]:
    """The API shows each quote's lines: they come in one more query for the whole page, not one per quote."""
    query = _listing(Quote).where(client_visible(membership, Quote.client_id))
    if with_lines:
        query = query.options(selectinload(Quote.lines))
    if status:
        query = query.where(Quote.status == status)
    return list(db.session.scalars(query.order_by(Quote.created_at.desc()).limit(LIST_LIMIT)))


def _client_owner(membership: Membership, owner: str, client_id: Any) -> Any:
    """Documents whose client is owned by `owner` (a user id, or "me"): the dashboards' owner filter."""
    person = membership.user_id if owner == "me" else _uuid(owner)
    mine = select(Client.id).where(Client.id == client_id, Client.owner_id == person)
    return exists(mine.correlate_except(Client))


def _client_source(source: str, client_id: Any) -> Any:
    """Documents whose client came by `source`: the dashboards' source filter."""
    of_source = select(Client.id).where(Client.id == client_id, Client.source == source)
    return exists(of_source.correlate_except(Client))


def _project_type(project_type: str, project_id: Any) -> Any:
    """Documents of a project of that type (the dashboards' project type). A document without a project is of no
    type, so a type filter leaves it out: the money figures narrowed by type count only what belongs to a project
    of that type (Scope.of_projects), and the lists hold the same."""
    of_type = select(Project.id).where(Project.id == project_id, Project.type == project_type)
    return exists(of_type.correlate_except(Project))


def _text_arg(args: Any, name: str, limit: int) -> str:
    return str(args.get(name) or "").strip()[:limit]


@dataclass(frozen=True)
class ContractFilters:
    """The contract list: a status, the client's owner, signed from–to (a date, the studio's day)."""

    status: str = ""
    owner: str = ""  # a user id or "me": the client's owner
    signed: DayRange = field(default_factory=lambda: DayRange("signed"))
    problems: tuple[tuple[str, str], ...] = ()
    source: str = ""  # the client's source channel

    @classmethod
    def from_args(cls, args: Any) -> ContractFilters:
        signed, problems = DayRange.read("signed", args)
        status = str(args.get("status") or "")
        owner = str(args.get("owner") or "")[:40]
        return cls(
            status if status in tuple(ContractStatus) else "",
            owner if owner == "me" or _uuid(owner) else "",
            signed,
            tuple(problems.items()),
            _text_arg(args, "source", 80),
        )

    def as_args(self) -> dict[str, str]:
        values = {"status": self.status, "owner": self.owner, "source": self.source, **self.signed.as_args()}
        return {k: v for k, v in values.items() if v}


def contracts(membership: Membership, status: str | ContractFilters = "") -> list[Contract]:
    f = status if isinstance(status, ContractFilters) else ContractFilters(status=status)
    query = _listing(Contract).where(client_visible(membership, Contract.client_id))
    if f.status:
        query = query.where(Contract.status == f.status)
    if f.owner:
        query = query.where(_client_owner(membership, f.owner, Contract.client_id))
    if f.source:
        query = query.where(_client_source(f.source, Contract.client_id))
    if f.signed:
        query = query.where(*f.signed.holds(Contract.signed_on))
    return list(db.session.scalars(query.order_by(Contract.created_at.desc()).limit(LIST_LIMIT)))


def awaiting(membership: Membership) -> list[Contract]:
    """Contracts in approval, for the approvers' list (the step is checked per contract)."""
    query = select(Contract).where(
        Contract.status == ContractStatus.IN_APPROVAL, client_visible(membership, Contract.client_id)
    )
    return list(db.session.scalars(query.order_by(Contract.created_at).limit(LIST_LIMIT)))


INVOICE_PAGE = 50


@dataclass
class InvoicePage:
    invoices: list[Invoice]
    next_cursor: str | None


@dataclass(frozen=True)
class InvoiceFilters:
    """The invoice list: a status ("open", "overdue", a stored one, or "" for all), the client's owner, issued
    (made) and due from–to in the studio's days."""

    status: str = ""
    kind: str = ""  # deposit, milestone or final
    owner: str = ""  # a user id or "me": the client's owner
    issued: DayRange = field(default_factory=lambda: DayRange("issued"))
    due: DayRange = field(default_factory=lambda: DayRange("due"))
    problems: tuple[tuple[str, str], ...] = ()  # (argument, message): asked for and left out, told on the page
    source: str = ""  # the client's source channel
    type: str = ""  # the project's type (an invoice without a project has none: left out)

    @classmethod
    def from_args(cls, args: Any) -> InvoiceFilters:
        issued, issued_problems = DayRange.read("issued", args)
        due, due_problems = DayRange.read("due", args)
        status = str(args.get("status") or "")
        status = status if status in INVOICE_STATUSES else ""
        kind = str(args.get("kind") or "")
        kind = kind if kind in tuple(InvoiceKind) else ""
        owner = str(args.get("owner") or "")[:40]
        owner = owner if owner == "me" or _uuid(owner) else ""
        problems = tuple({**issued_problems, **due_problems}.items())
        source, project_type = _text_arg(args, "source", 80), _text_arg(args, "type", 60)
        return cls(status, kind, owner, issued, due, problems, source, project_type)

    def period_args(self) -> dict[str, str]:
        """Every filter but the status and kind (the status chips keep them)."""
        chosen = {k: v for k, v in {"owner": self.owner, "source": self.source, "type": self.type}.items() if v}
        return {**chosen, **self.issued.as_args(), **self.due.as_args()}

    def as_args(self) -> dict[str, str]:
        chosen = {"status": self.status, "kind": self.kind}
        return {**{k: v for k, v in chosen.items() if v}, **self.period_args()}


def invoices_filtered(membership: Membership, f: InvoiceFilters, today: date):
    """The invoices the list shows for these filters, unordered: the list pages through it and an export reads it
    in batches, so both hold exactly the same rows."""
    query = _listing(Invoice).where(client_visible(membership, Invoice.client_id))
    if f.issued:
        query = query.where(*f.issued.holds(Invoice.created_at, studio_timezone(membership.tenant_id)))
    if f.due:
        query = query.where(*f.due.holds(Invoice.due_on))
    if f.kind:
        query = query.where(Invoice.kind == f.kind)
    if f.owner:
        query = query.where(_client_owner(membership, f.owner, Invoice.client_id))
    if f.source:
        query = query.where(_client_source(f.source, Invoice.client_id))
    if f.type:
        query = query.where(_project_type(f.type, Invoice.project_id))
    if f.status == "open":
        return query.where(Invoice.status.in_(OPEN_INVOICE))
    if f.status == "overdue":
        return query.where(Invoice.status.in_(OPEN_INVOICE), Invoice.due_on < today)
    if f.status:
        return query.where(Invoice.status == f.status)
    return query


def invoice_page(membership: Membership, f: InvoiceFilters, today: date, cursor: str | None = None) -> InvoicePage:
    """Latest due first, 50 at a time. Keyset pages on (due_on, number), which an index leads with after the
    studio: the same few milliseconds at 10,000 invoices as at a million, never a scan and sort of them all."""
    query = invoices_filtered(membership, f, today)
    if (after := _invoice_after(cursor)) is not None:
        query = query.where(tuple_(Invoice.due_on, Invoice.number) < after)
    ordered = query.order_by(Invoice.due_on.desc(), Invoice.number.desc()).limit(INVOICE_PAGE + 1)
    rows = list(db.session.scalars(ordered))
    more = len(rows) > INVOICE_PAGE
    last = rows[INVOICE_PAGE - 1] if more else None
    return InvoicePage(rows[:INVOICE_PAGE], f"{last.due_on.isoformat()}~{last.number}" if last else None)


def _invoice_after(cursor: str | None) -> tuple[date, str] | None:
    """The cursor a page handed out: its last invoice's due date and number; anything else starts over."""
    try:
        day, number = (cursor or "").split("~", 1)
        return date.fromisoformat(day), number[:40]
    except ValueError:
        return None


PAYMENT_PAGE = 50


@dataclass(frozen=True)
class PaymentFilters:
    """The payments list: a period of payment dates (either end open), a method, a client, the client's owner."""

    start: date | None = None
    end: date | None = None
    method: str = ""
    client: str = ""
    owner: str = ""  # a user id or "me": the client's owner
    source: str = ""  # the client's source channel
    type: str = ""  # the type of the invoice's project (an invoice without a project has none: left out)

    @classmethod
    def from_args(cls, args: Any) -> PaymentFilters:
        """What the page was asked for; a value that cannot be one (a date that does not exist, an unknown
        method) is left out, as the other lists do. Exports check the same arguments strictly first."""
        return cls(
            start=_day(args.get("from", "")),
            end=_day(args.get("to", "")),
            method=args.get("method", "") if args.get("method", "") in tuple(PaymentMethod) else "",
            client=args.get("client", "")[:40] if _uuid(args.get("client", "")) else "",
            owner=args.get("owner", "")[:40] if args.get("owner") == "me" or _uuid(args.get("owner", "")) else "",
            source=_text_arg(args, "source", 80),
            type=_text_arg(args, "type", 60),
        )

    def as_args(self) -> dict[str, str]:
        values = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "method": self.method,
            "client": self.client,
            "owner": self.owner,
            "source": self.source,
            "type": self.type,
        }
        return {k: v for k, v in values.items() if v}


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class PaymentRow:
    payment: Payment
    invoice_id: uuid.UUID
    invoice_number: str
    client_name: str


PAYMENT_COLUMNS = (Payment, Invoice.id, Invoice.number, Client.name)


def payments_filtered(membership: Membership, f: PaymentFilters):
    """Payments with their invoice's number and client's name, seen through the invoice's client, unordered
    (the list pages through it, an export reads it in batches)."""
    query = (
        select(*PAYMENT_COLUMNS)
        .join(Invoice, (Invoice.tenant_id == Payment.tenant_id) & (Invoice.id == Payment.invoice_id))
        .join(Client, (Client.tenant_id == Invoice.tenant_id) & (Client.id == Invoice.client_id))
        .where(client_visible(membership, Invoice.client_id))
    )
    if f.start:
        query = query.where(Payment.paid_on >= f.start)
    if f.end:
        query = query.where(Payment.paid_on <= f.end)
    if f.method:
        query = query.where(Payment.method == f.method)
    if f.client:
        query = query.where(Invoice.client_id == _uuid(f.client))
    if f.owner:
        person = membership.user_id if f.owner == "me" else _uuid(f.owner)
        query = query.where(Client.owner_id == person)  # the client joined above
    if f.source:
        query = query.where(Client.source == f.source)
    if f.type:
        query = query.where(_project_type(f.type, Invoice.project_id))
    return query


@dataclass
class PaymentPage:
    rows: list[PaymentRow]
    next_cursor: str | None


def payment_page(membership: Membership, f: PaymentFilters, cursor: str | None = None) -> PaymentPage:
    """Latest payment first, 50 at a time, keyset-paged on (paid_on, id) along the index that leads with them."""
    query = payments_filtered(membership, f)
    if (after := _payment_after(cursor)) is not None:
        query = query.where(tuple_(Payment.paid_on, Payment.id) < after)
    ordered = query.order_by(Payment.paid_on.desc(), Payment.id.desc()).limit(PAYMENT_PAGE + 1)
    rows = [PaymentRow(*row) for row in db.session.execute(ordered)]
    last = rows[PAYMENT_PAGE - 1].payment if len(rows) > PAYMENT_PAGE else None
    return PaymentPage(rows[:PAYMENT_PAGE], f"{last.paid_on.isoformat()}~{last.id}" if last else None)


def _payment_after(cursor: str | None) -> tuple[date, uuid.UUID] | None:
    try:
        day, ident = (cursor or "").split("~", 1)
        return date.fromisoformat(day), uuid.UUID(ident)
    except ValueError:
        return None


def revisions(quote: Quote) -> list[QuoteRevision]:
    query = select(QuoteRevision).where(QuoteRevision.quote_id == quote.id).order_by(QuoteRevision.revision.desc())
    return list(db.session.scalars(query))


def overdue(membership: Membership, today: date, limit: int) -> tuple[list[Invoice], int]:
    """The longest-overdue invoices the member may see, and what all of them still owe (summed in SQL, so a
    studio with thousands overdue loads only the few shown)."""
    late = (Invoice.status.in_(OPEN_INVOICE), Invoice.due_on < today, client_visible(membership, Invoice.client_id))
    shown = _listing(Invoice).where(*late).order_by(Invoice.due_on, Invoice.number).limit(limit)
    owed = select(func.coalesce(func.sum(Invoice.amount_minor - Invoice.paid_minor), 0)).where(*late)
    return list(db.session.scalars(shown)), int(db.session.scalar(owed) or 0)


def invoices_of(document: Quote | Contract) -> list[Invoice]:
    """The invoices drafted from a quote or a contract, in the order they fall due."""
    column = Invoice.quote_id if isinstance(document, Quote) else Invoice.contract_id
    query = select(Invoice).options(lazyload("*")).where(column == document.id)
    return list(db.session.scalars(query.order_by(Invoice.due_on, Invoice.number)))


@dataclass(frozen=True)
class InvoiceBasis:
    """What an invoice bills: its share of a quote or a contract (with the quote's lines, a contract's through the
    quote it came from), or nothing more than its own title and amount when it stands alone."""

    document: Quote | Contract | None = None
    quote: Quote | None = None  # whose lines it bills a share of
    total_minor: int = 0
    percent: str = ""  # "30%", "33.33%"


def invoice_basis(invoice: Invoice) -> InvoiceBasis:
    document: Quote | Contract | None = None
    if invoice.contract_id is not None:
        document = invoice.contract
    elif invoice.quote_id is not None:
        document = db.session.get(Quote, invoice.quote_id)
    if document is None:
        return InvoiceBasis()
    quote = document if isinstance(document, Quote) else document.quote
    total = document.total_minor if isinstance(document, Quote) else document.amount_minor
    share = (Decimal(invoice.amount_minor) * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)
    return InvoiceBasis(document, quote, total, f"{share.normalize():f}%")


@dataclass
class Documents:
    quotes: list[Quote] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)


def documents_of(*, client_id: uuid.UUID | None = None, project_id: uuid.UUID | None = None) -> Documents:
    """The quotes, contracts and invoices of a client or a project (whoever sees the page sees these)."""

    def of(model):
        query = select(model).options(lazyload("*"))
        query = query.where(model.client_id == client_id) if client_id else query.where(model.project_id == project_id)
        return list(db.session.scalars(query.order_by(model.created_at.desc()).limit(100)))

    return Documents(of(Quote), of(Contract), of(Invoice))


@dataclass(frozen=True)
class AgeingRow:
    client_id: uuid.UUID
    client_name: str
    current: int
    d1_30: int
    d31_60: int
    d61_90: int
    d90_plus: int

    @property
    def total(self) -> int:
        return self.current + self.d1_30 + self.d31_60 + self.d61_90 + self.d90_plus


BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")


AGEING_SHOWN = 200


@dataclass
class Ageing:
    rows: list[AgeingRow]  # the clients owing most, AGEING_SHOWN at most
    totals: AgeingRow  # over every client, shown or not
    clients: int  # how many clients owe anything


def ageing(membership: Membership, today: date) -> Ageing:
    """Outstanding balances of sent and partly paid invoices by client and by days past due, one GROUP BY.
    The bucket edges are dates computed here, so the SQL is the same on PostgreSQL and SQLite."""
    balance = Invoice.amount_minor - Invoice.paid_minor

    def bucket(condition):
        return func.coalesce(func.sum(case((condition, balance), else_=literal(0))), 0)

    days = [today - timedelta(days=n) for n in (0, 30, 60, 90)]
    grouped = (
        select(
            Invoice.client_id,
            bucket(Invoice.due_on >= days[0]),
            bucket((Invoice.due_on < days[0]) & (Invoice.due_on >= days[1])),
            bucket((Invoice.due_on < days[1]) & (Invoice.due_on >= days[2])),
            bucket((Invoice.due_on < days[2]) & (Invoice.due_on >= days[3])),
            bucket(Invoice.due_on < days[3]),
        )
        .where(Invoice.status.in_(OPEN_INVOICE), client_visible(membership, Invoice.client_id))
        .group_by(Invoice.client_id)
    )
    return _ranked(grouped.subquery())


def _ranked(per_client: Any) -> Ageing:
    """The clients owing most, with the totals over all of them and how many owe anything, in one statement:
    sorted, cut and summed in SQL, never a row per client sent to Python (window functions: PostgreSQL and
    SQLite alike)."""
    buckets = [per_client.c[n] for n in range(1, 6)]
    total = sum(buckets[1:], buckets[0])
    statement = (
        select(
            per_client.c[0],
            Client.name,
            *buckets,
            *(func.sum(bucket).over() for bucket in buckets),
            func.count().over(),
        )
        .join(Client, Client.id == per_client.c[0])
        .order_by(total.desc(), per_client.c[0])
        .limit(AGEING_SHOWN)
    )
    found = db.session.execute(statement).all()
    if not found:
        return Ageing([], AgeingRow(uuid.UUID(int=0), "", 0, 0, 0, 0, 0), 0)
    rows = [AgeingRow(r[0], r[1], *(int(v) for v in r[2:7])) for r in found]
    totals = AgeingRow(uuid.UUID(int=0), "", *(int(v) for v in found[0][7:12]))
    return Ageing(rows, totals, int(found[0][12]))


@dataclass(frozen=True)
class Profit:
    invoiced_minor: int
    paid_minor: int
    cost_minor: int

    @property
    def profit_minor(self) -> int:
        """On what was actually received: money in minus costs."""
        return self.paid_minor - self.cost_minor


def _profit(invoice_filter, cost_filter) -> Profit:
    """Invoiced, received and spent, as three scalar subqueries of one SELECT (one round trip)."""
    invoiced = select(func.coalesce(func.sum(Invoice.amount_minor), 0)).where(
        Invoice.status != InvoiceStatus.VOID, invoice_filter
    )
    paid = (
        select(func.coalesce(func.sum(Payment.amount_minor), 0))
        .join(Invoice, (Invoice.tenant_id == Payment.tenant_id) & (Invoice.id == Payment.invoice_id))
        .where(invoice_filter)
    )
    cost = select(func.coalesce(func.sum(ProjectCost.amount_minor), 0)).where(cost_filter)
    row = db.session.execute(select(invoiced.scalar_subquery(), paid.scalar_subquery(), cost.scalar_subquery())).one()
    return Profit(*(int(value) for value in row))


def project_profit(project: Project) -> Profit:
    return _profit(Invoice.project_id == project.id, ProjectCost.project_id == project.id)


def client_profit(client_id: uuid.UUID) -> Profit:
    """Across the client: every invoice of the client (with a project or without), every cost of its projects."""
    projects = select(Project.id).where(Project.client_id == client_id)
    return _profit(Invoice.client_id == client_id, ProjectCost.project_id.in_(projects))


def costs_of(project: Project) -> list[ProjectCost]:
    query = select(ProjectCost).where(ProjectCost.project_id == project.id).order_by(ProjectCost.spent_on.desc())
    return list(db.session.scalars(query.limit(200)))
