"""Quote and invoice arithmetic: integer minor units, half-up rounding once per line and once for the tax."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.billing.totals import LineInput, line_totals, quote_totals, round_minor, split


def test_a_line_of_0_333_times_3_yuan_rounds_half_up_to_one_yuan():
    assert line_totals(LineInput(Decimal("0.333"), 300)).total_minor == 100  # 99.9 fen
    assert line_totals(LineInput(Decimal("3"), 33)).total_minor == 99


def test_three_lines_of_a_third_add_up_per_line_not_per_quote():
    totals = quote_totals([LineInput(Decimal("0.333"), 10_000)] * 3, tax_rate_bp=0)
    assert [t.total_minor for t in totals.lines] == [3330, 3330, 3330]
    assert totals.subtotal_minor == 9990


def test_discounts_and_tax():
    totals = quote_totals(
        [LineInput(Decimal("2"), 1_200_000, discount_bp=1500), LineInput(Decimal("1"), 50_000)], tax_rate_bp=600
    )
    assert totals.lines[0] == line_totals(LineInput(Decimal("2"), 1_200_000, 1500))
    assert (totals.lines[0].gross_minor, totals.lines[0].discount_minor) == (2_400_000, 360_000)
    assert totals.subtotal_minor == 2_040_000 + 50_000
    assert totals.discount_minor == 360_000
    assert totals.tax_minor == 125_400  # 6% of 20,900.00
    assert totals.total_minor == 2_215_400
    assert totals.max_discount_bp == 1500


def test_half_a_fen_rounds_up_and_tax_rounds_once():
    assert round_minor(Decimal("0.5")) == 1 and round_minor(Decimal("1.49")) == 1 and round_minor(Decimal("2.5")) == 3
    assert quote_totals([LineInput(Decimal("1"), 1)], tax_rate_bp=5000).tax_minor == 1  # 0.5 fen of tax


def test_large_amounts_stay_exact():
    price = 9_999_999_999_99  # ¥9,999,999,999.99
    totals = quote_totals([LineInput(Decimal("1000"), price, discount_bp=1)], tax_rate_bp=1300)
    gross = 1000 * price
    assert totals.lines[0].gross_minor == gross
    assert totals.lines[0].total_minor == round_minor(Decimal(gross) * 9999 / 10000)
    assert totals.total_minor == totals.subtotal_minor + round_minor(Decimal(totals.subtotal_minor) * 13 / 100)
    assert isinstance(totals.total_minor, int)


def test_an_empty_quote_is_zero():
    totals = quote_totals([], tax_rate_bp=600)
    assert (totals.subtotal_minor, totals.tax_minor, totals.total_minor, totals.max_discount_bp) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("amount", "percents", "parts"),
    [
        (100_000, [Decimal(30), Decimal(70)], [30_000, 70_000]),
        (100, [Decimal(1) / 3 * 100, Decimal(1) / 3 * 100, Decimal(1) / 3 * 100], [33, 33, 34]),
        (99_999, [Decimal(50), Decimal(50)], [50_000, 49_999]),
    ],
)
def test_a_split_always_adds_up(amount, percents, parts):
    assert split(amount, percents) == parts and sum(split(amount, percents)) == amount
