"""Quote arithmetic, on the server, in integer minor units. Quantities are exact decimals (0.333), prices are
minor units, discounts and tax rates are basis points (1000 = 10%). Every rounding is half-up to the minor
unit, once per line and once for the tax, so a printed quote always adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BP = Decimal(10_000)


def round_minor(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price_minor: int
    discount_bp: int = 0


@dataclass(frozen=True)
class LineTotals:
    gross_minor: int  # quantity × unit price
    discount_minor: int
    total_minor: int  # what the line adds to the subtotal


@dataclass(frozen=True)
class QuoteTotals:
    lines: tuple[LineTotals, ...]
    subtotal_minor: int  # sum of line totals, after line discounts
    discount_minor: int  # sum of line discounts, shown on the quote
    tax_minor: int
    total_minor: int
    max_discount_bp: int


def line_totals(line: LineInput) -> LineTotals:
    gross = round_minor(line.quantity * line.unit_price_minor)
    total = round_minor(line.quantity * line.unit_price_minor * (BP - line.discount_bp) / BP)
    return LineTotals(gross, gross - total, total)


def quote_totals(lines: list[LineInput], tax_rate_bp: int) -> QuoteTotals:
    computed = tuple(line_totals(line) for line in lines)
    subtotal = sum(t.total_minor for t in computed)
    tax = round_minor(Decimal(subtotal) * tax_rate_bp / BP)
    return QuoteTotals(
        lines=computed,
        subtotal_minor=subtotal,
        discount_minor=sum(t.discount_minor for t in computed),
        tax_minor=tax,
        total_minor=subtotal + tax,
        max_discount_bp=max((line.discount_bp for line in lines), default=0),
    )


def split(amount_minor: int, percents: list[Decimal]) -> list[int]:
    """Parts of an amount by percentage (a deposit and the final payment, milestones): each part is rounded,
    and the last one takes the remainder, so the parts always add up to the amount exactly."""
    parts = [round_minor(Decimal(amount_minor) * p / 100) for p in percents[:-1]]
    return [*parts, amount_minor - sum(parts)]
