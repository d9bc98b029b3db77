"""Money as integer minor units (fen, cents) of one currency: parsing what people type, and showing amounts.

Amounts never pass through floats: "12,800.50" becomes 1280050 through Decimal, and anything with more
decimals than the currency has is refused rather than rounded behind the user's back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

MAX_MINOR = 10**15  # far beyond any studio's invoice, far below BIGINT


class BadAmount(ValueError):
    pass


def exponent(currency: str) -> int:
    return get_currency_precision(currency)


def parse_amount(text: str | int | float | Decimal, currency: str) -> int:
    """Minor units from what a person typed ("12800", "12,800.50", "¥12 800") or an API number."""
    if isinstance(text, bool):
        raise BadAmount(text)
    raw = str(text).strip().replace(",", "").replace(" ", "").replace("，", "").lstrip("¥$€£￥")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise BadAmount(text) from exc
    if not value.is_finite():
        raise BadAmount(text)
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value() or abs(scaled) >= MAX_MINOR:
        raise BadAmount(text)
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def format_money(minor: int | None, currency: str, locale: str = "zh_CN") -> str:
    if minor is None:
        return ""
    return format_currency(to_decimal(minor, currency), currency, locale=locale)


def plain_amount(minor: int | None, currency: str) -> str:
    """For form fields: 12800.50, no grouping or symbol."""
    return "" if minor is None else str(to_decimal(minor, currency))
