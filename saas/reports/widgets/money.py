"""Money (seed 000's 财务状况): revenue (payments received), costs and profit per month and per quarter, the
receivables ageing, and what falls due next. Payments and costs carry the studio's local day already (`paid_on`,
`spent_on`), so the months are the studio's months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select, union_all

from saas.billing.models import Invoice, InvoiceStatus
from saas.billing.rollups import MoneyDay
from saas.clients.models import Client
from saas.extensions import db
from saas.reports import money_rows, periods
from saas.reports.filters import Scope
from saas.reports.periods import Period
from saas.reports.widgets import amount
from saas.web.charts import Chart, series

OPEN = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
DUE_SHOWN = 8
DUE_DAYS = 30


def payments_link(scope: Scope, first: date, last: date) -> str:
    """The payments received in those days, of the clients (and project type) in scope (the revenue's records):
    payments of archived clients included, as revenue keeps them (money received stays received) and the payments
    list shows them."""
    days = {"from": first.isoformat(), "to": last.isoformat()}
    return url_for("staff.payment_list", **days, **scope.filters.on_money())


def open_invoices_link(scope: Scope, first: date | None = None, last: date | None = None) -> str:
    """The open invoices (sent or partly paid) due in those days (either end open), of the clients and project type
    in scope."""
    due = {"due_from": first.isoformat() if first else None, "due_to": last.isoformat() if last else None}
    return url_for("staff.invoice_list", status="open", **due, **scope.filters.on_money())


@dataclass(frozen=True)
class Bucket:
    label: str
    revenue: int
    costs: int
    first: date  # the bucket's first and last local day inside the period
    last: date
    link: str  # the payments received in those days

    @staticmethod
    def of(scope: Scope, label: str, revenue: int, costs: int, first: date, last: date) -> Bucket:
        return Bucket(label, revenue, costs, first, last, payments_link(scope, first, last))

    @property
    def profit(self) -> int:
        return self.revenue - self.costs


@dataclass(frozen=True)
class DueInvoice:
    id: str
    number: str
    client: str
    due_on: date
    balance_minor: int


@dataclass(frozen=True)
class Money:
    months: list[Bucket]
    quarters: list[Bucket]
    revenue: int  # in the period itself
    costs: int
    ageing: list[tuple[str, int]]  # (bucket label, outstanding)
    due_next: list[DueInvoice]
    due_next_total: int
    revenue_link: str | None = None  # the payments of the period
    due_next_link: str | None = None  # the open invoices falling due in the next DUE_DAYS days
    ageing_links: list[str | None] = field(default_factory=list)  # per ageing bucket, its open invoices

    @property
    def profit(self) -> int:
        return self.revenue - self.costs

    @staticmethod
    def _chart(buckets: list[Bucket], kind: str) -> Chart:
        return Chart(
            kind,  # type: ignore[arg-type]
            [b.label for b in buckets],
            [
                series(_("Revenue"), [b.revenue for b in buckets], amount),
                series(_("Costs"), [b.costs for b in buckets], amount),
                series(_("Profit"), [b.profit for b in buckets], amount),
            ],
            unit="money",
            links=[b.link for b in buckets],  # a month's (or quarter's) money: the payments received in it
            scale=100,
        )

    @property
    def months_chart(self) -> Chart:
        return self._chart(self.months, "bar")

    @property
    def quarters_chart(self) -> Chart:
        return self._chart(self.quarters, "table")

    @property
    def ageing_chart(self) -> Chart:
        links = self.ageing_links or [None] * len(self.ageing)
        return Chart(
            "bar",
            [label for label, _v in self.ageing],
            [series(_("Outstanding"), [v for _l, v in self.ageing], amount)],
            unit="money",
            links=links,
            scale=100,
        )


def _flows(scope: Scope, period: Period, edges: list[date]):
    """(bucket, revenue, cost) rows of the period from the money day rollup (saas/reports/money_rows.py), each
    numbered by its bucket, UNION ALL: a day per client and project instead of every payment joined to its invoice."""
    n = periods.bucket(MoneyDay.day, period, edges, is_date=True)
    whole = money_rows.both(
        scope, period, n.label("n"), MoneyDay.revenue.label("revenue"), MoneyDay.costs.label("cost")
    )
    if whole is not None:
        return whole.subquery()
    revenue = money_rows.paid(scope, period, n.label("n"), MoneyDay.revenue.label("revenue"), literal(0).label("cost"))
    costs = money_rows.spent(scope, period, n, literal(0), MoneyDay.costs)
    return union_all(revenue, costs).subquery()


def flows(scope: Scope, period: Period) -> list[Bucket]:
    """Revenue and costs per month over `period`, grouped in SQL."""
    edges = periods.bucket_edges(period)
    moves = _flows(scope, period, edges)
    query = select(moves.c.n, func.sum(moves.c.revenue), func.sum(moves.c.cost)).group_by(moves.c.n)
    found = {int(n): (int(r or 0), int(c or 0)) for n, r, c in db.session.execute(query)}
    return [
        Bucket.of(
            scope,
            _label(day, 1),
            *found.get(n, (0, 0)),
            max(day, period.start),
            min(edges[n + 1], period.end) - timedelta(days=1),
        )
        for n, day in enumerate(edges[:-1])
    ]


def quarters(scope: Scope, months: list[Bucket], first: date) -> list[Bucket]:
    """The months' figures added up by quarter (a dozen sums already made in SQL, regrouped)."""
    found: dict[str, tuple[int, int, date, date]] = {}
    for n, month in enumerate(months):
        day = periods.add_months(first, n)
        label = _label(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), 3)
        revenue, costs, start, _last = found.get(label, (0, 0, month.first, month.last))
        found[label] = (revenue + month.revenue, costs + month.costs, start, month.last)
    return [Bucket.of(scope, label, *sums) for label, sums in found.items()]


def _label(day: date, months_per_bucket: int) -> str:
    if months_per_bucket == 3:
        return _("Q%(q)d %(year)d", q=(day.month - 1) // 3 + 1, year=day.year)
    return format_date(day, "yyyy-MM")


def ageing_days(today: date) -> list[tuple[date | None, date | None]]:
    """Each ageing bucket's due dates (first, last; None: open-ended): not yet due, 1–30, 31–60, 61–90, 90+ days."""
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    return [(today, None), (day(30), day(1)), (day(60), day(31)), (day(90), day(61)), (None, day(91))]


def ageing(scope: Scope, today: date) -> list[tuple[str, int]]:
    """What sent and partly paid invoices still owe, by days past due: one GROUP-free sum per bucket. Invoices of
    archived clients count: what they owe is still owed (the invoice list shows them)."""
    balance = Invoice.amount_minor - Invoice.paid_minor
    edges = [today - timedelta(days=n) for n in (0, 30, 60, 90)]
    conditions = [
        Invoice.due_on >= edges[0],
        (Invoice.due_on < edges[0]) & (Invoice.due_on >= edges[1]),
        (Invoice.due_on < edges[1]) & (Invoice.due_on >= edges[2]),
        (Invoice.due_on < edges[2]) & (Invoice.due_on >= edges[3]),
        Invoice.due_on < edges[3],
    ]
    sums = [func.coalesce(func.sum(case((c, balance), else_=0)), 0) for c in conditions]
    query = select(*sums).where(
        Invoice.status.in_(OPEN), scope.of_clients(Invoice.client_id), scope.of_projects(Invoice.project_id)
    )
    row = db.session.execute(query).one()
    labels = [_("Not yet due"), _("1–30 days"), _("31–60 days"), _("61–90 days"), _("Over 90 days")]
    return list(zip(labels, (int(v) for v in row), strict=True))


def due_next_days(today: date) -> tuple[date, date]:
    """The first and last due date of "falling due in the next DUE_DAYS days" (today included)."""
    return today, today + timedelta(days=DUE_DAYS - 1)


def due_next(scope: Scope, today: date) -> tuple[list[DueInvoice], int]:
    """Open invoices falling due in the next DUE_DAYS days, soonest first, and what they add up to."""
    window = (
        Invoice.status.in_(OPEN),
        Invoice.due_on >= today,
        Invoice.due_on < today + timedelta(days=DUE_DAYS),
        scope.of_clients(Invoice.client_id),
        scope.of_projects(Invoice.project_id),
    )
    balance = Invoice.amount_minor - Invoice.paid_minor
    shown = (
        select(Invoice.id, Invoice.number, Client.name, Invoice.due_on, balance)
        .join(Client, Client.id == Invoice.client_id)
        .where(*window)
        .order_by(Invoice.due_on, Invoice.number)
        .limit(DUE_SHOWN)
    )
    rows = [DueInvoice(str(i), num, c, d, int(b)) for i, num, c, d, b in db.session.execute(shown)]
    total = db.session.scalar(select(func.coalesce(func.sum(balance), 0)).where(*window))
    return rows, int(total or 0)


def money_widget(scope: Scope, today: date) -> Money:
    trend = scope.period.trend()
    months = flows(scope, trend)
    period = scope.period
    if period.start.day == 1 and period.end.day == 1:  # whole months: the period's totals are among the trend's
        inside = [m for n, m in enumerate(months) if period.start <= periods.add_months(trend.start, n) < period.end]
    else:
        inside = flows(scope, period)
    due, due_total = due_next(scope, today)
    return Money(
        months=months,
        quarters=quarters(scope, months, trend.start),
        revenue=sum(b.revenue for b in inside),
        costs=sum(b.costs for b in inside),
        ageing=ageing(scope, today),
        due_next=due,
        due_next_total=due_total,
        revenue_link=payments_link(scope, period.start, period.last),
        due_next_link=open_invoices_link(scope, *due_next_days(today)),
        ageing_links=[open_invoices_link(scope, first, last) for first, last in ageing_days(today)],
    )
