"""Money moves per studio day, client and project: payments received (revenue) and costs spent, with how many moves
made them. The money widget's months and the client-value rankings read a period of these instead of joining every
payment to its invoice (100,000 invoices) and every cost to its project (issue 17).

Days need no time zone: a payment's `paid_on` and a cost's `spent_on` are the studio's days already, so a change of
zone changes nothing here.

Exact, in the same transaction as the write, like the follow-ups' rollup (saas/clients/rollups.py): a session
hook counts out, before each flush, what the database holds for the moves about to change — payments and costs
edited or deleted, and those reached through an invoice or a project whose client or project changes or that is
deleted, or a client deleted (the database's cascade takes them out of the ORM's sight) — and counts in, after it,
what the database holds for the moves written. Both sides are read in SQL with one statement each, so a move reached
twice (a payment deleted with its invoice) is counted once. A bulk `delete(Client)` is counted out before it runs.
Increments are `INSERT … ON CONFLICT DO UPDATE` in key order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    PrimaryKeyConstraint,
    Select,
    Uuid,
    delete,
    event,
    false,
    func,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from saas.billing.models import Invoice, Payment, ProjectCost
from saas.clients.bulk_delete import before_clients_deleted
from saas.clients.models import Client
from saas.db import Base
from saas.isolation import TenantScoped, TenantSession
from saas.projects.models import Project

NONE = uuid.UUID(int=0)  # the project of a payment whose invoice has none (a key column cannot be NULL)
BEFORE = "money_rollups.before"


class MoneyDay(TenantScoped, Base):
    """Per studio, day, client and project: revenue (payments' amounts) and costs, with how many payments and costs
    made them (0: every one of them was taken back since, and the side is not there for the widgets)."""

    __tablename__ = "money_days"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "day", "client_id", "project_id"),)

    day: Mapped[date] = mapped_column(Date)
    client_id: Mapped[uuid.UUID]
    project_id: Mapped[uuid.UUID]
    revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    costs: Mapped[int] = mapped_column(BigInteger, default=0)
    payments: Mapped[int] = mapped_column(Integer, default=0)
    spent: Mapped[int] = mapped_column(Integer, default=0)  # costs counted


KEY = ("tenant_id", "day", "client_id", "project_id")
COUNTS = ("revenue", "costs", "payments", "spent")


def project(value: Any) -> Any:
    """The rollup's project as the move's: NONE read back as NULL."""
    return func.nullif(value, literal(NONE, Uuid()), type_=Uuid())


@dataclass
class Touched:
    """The ids whose moves a flush changes, each way a move can be reached."""

    payments: set[uuid.UUID] = field(default_factory=set)
    invoices: set[uuid.UUID] = field(default_factory=set)
    costs: set[uuid.UUID] = field(default_factory=set)
    projects: set[uuid.UUID] = field(default_factory=set)
    clients: set[uuid.UUID] = field(default_factory=set)
    doomed: Select | None = None  # clients about to go in bulk: a SELECT of their ids, read by the database itself

    def __bool__(self) -> bool:
        return any((self.payments, self.invoices, self.costs, self.projects, self.clients)) or self.doomed is not None


def _moves(tenant_id: uuid.UUID, touched: Touched | None, sign: int) -> Any:
    """The moves `touched` reaches (all the studio's with None), grouped on the rollup's key, times `sign`."""
    paid = (
        select(
            Payment.tenant_id.label("tenant_id"),
            Payment.paid_on.label("day"),
            Invoice.client_id.label("client_id"),
            func.coalesce(Invoice.project_id, literal(NONE)).label("project_id"),
            (Payment.amount_minor * sign).label("revenue"),
            literal(0).label("costs"),
            literal(sign).label("payments"),
            literal(0).label("spent"),
        )
        .join(Invoice, (Invoice.tenant_id == Payment.tenant_id) & (Invoice.id == Payment.invoice_id))
        .where(Payment.tenant_id == tenant_id)
    )
    spent = (
        select(
            ProjectCost.tenant_id,
            ProjectCost.spent_on,
            Project.client_id,
            ProjectCost.project_id,
            literal(0),
            ProjectCost.amount_minor * sign,
            literal(0),
            literal(sign),
        )
        .join(Project, (Project.tenant_id == ProjectCost.tenant_id) & (Project.id == ProjectCost.project_id))
        .where(ProjectCost.tenant_id == tenant_id)
    )
    if touched is not None:
        paid = paid.where(
            or_(
                _in(Payment.id, touched.payments),
                _in(Payment.invoice_id, touched.invoices),
                _of_clients(Invoice.client_id, touched),
            )
        )
        spent = spent.where(
            or_(
                _in(ProjectCost.id, touched.costs),
                _in(ProjectCost.project_id, touched.projects),
                _of_clients(Project.client_id, touched),
            )
        )
    return _grouped(union_all(paid, spent).subquery())


def _in(column: Any, ids: set[uuid.UUID]) -> Any:
    return column.in_(sorted(ids)) if ids else false()


def _of_clients(column: Any, touched: Touched) -> Any:
    found = _in(column, touched.clients)
    return found if touched.doomed is None else or_(found, column.in_(touched.doomed))


def _grouped(moves: Any) -> Any:
    c = moves.c
    return (
        select(c.tenant_id, c.day, c.client_id, c.project_id)
        .add_columns(*(func.sum(c[name]) for name in COUNTS))
        .group_by(c.tenant_id, c.day, c.client_id, c.project_id)
        .order_by(c.tenant_id, c.day, c.client_id, c.project_id)  # one locking order for every writer
    )


def _upsert(session: Session, rows: Any) -> None:
    table = MoneyDay.__table__
    insert = postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).from_select([*KEY, *COUNTS], rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={name: table.c[name] + statement.excluded[name] for name in COUNTS},
    )
    session.connection().execute(statement)


def rebuild(session: Session, tenant_id: uuid.UUID) -> None:
    """Count the studio's money moves afresh (after a restore or a bulk load)."""
    table = MoneyDay.__table__
    session.connection().execute(delete(table).where(table.c.tenant_id == tenant_id))
    _upsert(session, _moves(tenant_id, None, 1))


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _before(session: Session) -> tuple[Touched, Touched]:
    """What the flush takes away (counted out now) and what it will write (counted in after)."""
    out, back = Touched(), Touched()
    for obj in session.deleted:
        _sort(obj, out)
    for obj in session.dirty:
        if isinstance(obj, Payment) and _changed(obj, "amount_minor", "paid_on", "invoice_id"):
            out.payments.add(obj.id)
            back.payments.add(obj.id)
        elif isinstance(obj, ProjectCost) and _changed(obj, "amount_minor", "spent_on", "project_id"):
            out.costs.add(obj.id)
            back.costs.add(obj.id)
        elif isinstance(obj, Invoice) and _changed(obj, "client_id", "project_id"):
            out.invoices.add(obj.id)
            back.invoices.add(obj.id)
        elif isinstance(obj, Project) and _changed(obj, "client_id"):
            out.projects.add(obj.id)
            back.projects.add(obj.id)
    return out, back


def _sort(obj: Any, into: Touched) -> None:
    for kind, name in ((Payment, "payments"), (ProjectCost, "costs"), (Invoice, "invoices"), (Project, "projects")):
        if isinstance(obj, kind):
            getattr(into, name).add(obj.id)
    if isinstance(obj, Client):
        into.clients.add(obj.id)


@event.listens_for(TenantSession, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    if tenant_id is None:
        return
    out, back = _before(session)
    if out:
        _upsert(session, _moves(tenant_id, out, -1))
    session.info[BEFORE] = back


@event.listens_for(TenantSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    tenant_id = session.info.get("tenant_id")
    back = session.info.pop(BEFORE, None) or Touched()
    for obj in session.new:
        if isinstance(obj, Payment):
            back.payments.add(obj.id)
        elif isinstance(obj, ProjectCost):
            back.costs.add(obj.id)
    if tenant_id is not None and back:
        _upsert(session, _moves(tenant_id, back, 1))


@before_clients_deleted
def _count_out_money(session: Session, tenant_id: uuid.UUID, doomed: Select) -> None:
    """An import undone: count out the money the cascade is about to remove. The doomed clients stay a subquery:
    an undo removes 5,000 at a time, and as 5,000 ids bound twice into the statement they took longer to send and
    plan than the counting itself."""
    _upsert(session, _moves(tenant_id, Touched(doomed=doomed), -1))
