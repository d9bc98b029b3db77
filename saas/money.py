"""Money as integer minor units (fen, cents) of one currency: parsing what people type, and showing amounts.

Amounts never pass through floats: "12,800.50" becomes 1280050 through Decimal, and anything with more
decimals than the currency has is refused rather than rounded behind the user's back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision

MAX_MINOR = 10**15  # far beyond any studio's invoice, far below BIGINT


class BadAmount(ValueError):
    pass


@cache
def exponent(currency: str) -> int:
    return get_currency_precision(currency)


@cache
def _currency_pattern(locale: str) -> tuple[Locale, NumberPattern]:
    """Parsing a locale costs ~250 µs; a page of receivables formats thousands of amounts."""
    parsed = Locale.parse(locale)
    return parsed, parsed.currency_formats["standard"]


@cache
def _fast_format(locale: str, currency: str) -> tuple[tuple[str, str], tuple[str, str], str, str] | None:
    """Prefixes, suffixes and separators for the common case (groups of three, the currency's own decimals),
    so formatting an amount is string work instead of Babel's general pattern engine (~20× faster)."""
    from babel.numbers import get_currency_symbol

    parsed, pattern = _currency_pattern(locale)
    if pattern.grouping != (3, 3) or pattern.scale != 0:  # scale is a power of ten (percent, permille)
        return None
    symbol = get_currency_symbol(currency, locale=parsed)
    symbols = parsed.number_symbols.get("latn", parsed.number_symbols)
    prefixes = tuple(p.replace("¤", symbol) for p in pattern.prefix)
    suffixes = tuple(p.replace("¤", symbol) for p in pattern.suffix)
    return prefixes, suffixes, symbols["group"], symbols["decimal"]


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
    fast = _fast_format(locale, currency)
    if fast is None:
        parsed, pattern = _currency_pattern(locale)
        return pattern.apply(to_decimal(minor, currency), parsed, currency=currency)
    prefixes, suffixes, group, decimal = fast
    places = exponent(currency)
    whole, fraction = divmod(abs(minor), 10**places)
    body = f"{whole:,}".replace(",", group) + (f"{decimal}{fraction:0{places}d}" if places else "")
    negative = 1 if minor < 0 else 0
    return f"{prefixes[negative]}{body}{suffixes[negative]}"


def for_reader(minor: int | None, currency: str) -> str:
    """In the language of the request, or of the job that forced one (an e-mail in its recipient's)."""
    from flask_babel import get_locale

    return format_money(minor, currency, str(get_locale() or "zh_CN"))


def plain_amount(minor: int | None, currency: str) -> str:
    """For form fields: 12800.50, no grouping or symbol."""
    return "" if minor is None else str(to_decimal(minor, currency))
