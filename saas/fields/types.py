"""The kinds of value a studio's own fields and its forms' questions hold: one registry, so a custom field, a
form question and (later) an import column parse, validate and store a value the same way.

A type turns what a person typed (a form's string) or what a program sent (JSON) into the value stored in a
JSON document, or refuses it with a message naming what is wrong. Stored values are chosen so that they
compare and index well in PostgreSQL JSONB and SQLite JSON1 alike: ISO dates and UTC date-times as text (their
order is the text's order), numbers as JSON numbers, money in integer minor units, choices by their stable key.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from saas.money import BadAmount, parse_amount
from saas.schemas import FORBIDDEN, N_, REQUIRED, Msg


class InvalidValue(ValueError):
    """A value the type refuses; `message` is a msgid (possibly a Msg with parameters), translated when shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Choice:
    key: str  # stored; stable when the labels change
    label_en: str
    label_zh: str

    def label(self, language: str) -> str:
        return (self.label_zh if language.startswith("zh") else self.label_en) or self.label_en or self.key


@dataclass(frozen=True)
class Spec:
    """What parsing a value needs beyond its type: the options of a choice, the studio's currency and zone."""

    type: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    currency: str = "CNY"
    time_zone: str = "Asia/Shanghai"

    def choice_keys(self) -> set[str]:
        return {c.key for c in self.choices}


Parser = Callable[[Any, Spec], Any]


@dataclass(frozen=True)
class FieldType:
    key: str
    label: str  # msgid
    parse: Parser
    # How a form shows it: an <input type>, "textarea", "select", "checkboxes", "yesno", "rating", "member",
    # "file" or "address".
    widget: str
    # What a list can filter it by: eq (equals / one of), contains (text), range (from–to), empty (set or not).
    filters: tuple[str, ...]
    # The shape stored, which decides which type changes keep the data ("text" → "long_text" does; "text" →
    # "number" could not, and is refused).
    stored: str
    needs: str = ""  # "member" or "file": an id the caller must check belongs to the studio


TYPES: dict[str, FieldType] = {}


def register(kind: FieldType) -> FieldType:
    TYPES[kind.key] = kind
    return kind


def parse_value(spec: Spec, raw: Any) -> Any:
    """The stored value for `raw` (None when left empty), or InvalidValue."""
    kind = TYPES.get(spec.type)
    if kind is None:
        raise InvalidValue(N_("This field's type is not known."))
    if _is_empty(raw):
        if spec.required:
            raise InvalidValue(REQUIRED)
        return None
    if isinstance(raw, str) and FORBIDDEN.search(raw):
        raise InvalidValue(N_("This contains characters that cannot be saved (control characters or broken text)."))
    return kind.parse(raw, spec)


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple, dict)):
        return not raw
    return False


def may_hold(old: str, new: str) -> bool:
    """Whether values stored under type `old` can be kept under `new` at all: the same stored shape (text →
    long text, number → rating), or one choice → several. Whether each stored value then parses under the new
    type (500 characters, a real e-mail) is for the caller to check before the change is made."""
    return TYPES[old].stored == TYPES[new].stored or (old, new) == ("choice", "choices")


# --- the parsers -------------------------------------------------------------------------------------------


def _text(limit: int) -> Parser:
    def parse(raw: Any, spec: Spec) -> str:
        if not isinstance(raw, str):
            raise InvalidValue(N_("Enter text."))
        value = raw.strip()
        if len(value) > limit:
            raise InvalidValue(Msg(N_("Use at most %(n)d characters."), n=limit))
        return value

    return parse


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidValue(N_("Enter a number, like 12 or 3.5."))
    text = str(raw).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidValue(N_("Enter a number, like 12 or 3.5.")) from exc
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise InvalidValue(N_("Enter a number, like 12 or 3.5."))
    return number


def _json_number(number: Decimal) -> int | float:
    """Whole numbers stay integers; others become floats (a JSON number either way)."""
    return int(number) if number == number.to_integral_value() else float(number)


def parse_number(raw: Any, spec: Spec) -> int | float:
    return _json_number(_decimal(raw))


def parse_percent(raw: Any, spec: Spec) -> int | float:
    number = _decimal(str(raw).strip().removesuffix("%") if isinstance(raw, str) else raw)
    if not Decimal(-1000) <= number <= Decimal(1000):
        raise InvalidValue(N_("Enter a percentage, like 15 or 12.5."))
    return _json_number(number)


def parse_money(raw: Any, spec: Spec) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(N_("Enter an amount like 12800 or 12,800.50."))
    try:
        return parse_amount(raw, spec.currency)
    except BadAmount as exc:
        raise InvalidValue(N_("Enter an amount like 12800 or 12,800.50.")) from exc


def parse_date(raw: Any, spec: Spec) -> str:
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        raise InvalidValue(N_("Enter a date like 2026-12-31."))
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError as exc:  # 2026-02-30
        raise InvalidValue(N_("This date does not exist.")) from exc


def parse_datetime(raw: Any, spec: Spec) -> str:
    """A date-time with its offset, or a form's local one (no offset) read in the studio's zone; stored in UTC."""
    if not isinstance(raw, str):
        raise InvalidValue(N_("Enter a date and time like 2026-12-31 14:30."))
    text = raw.strip().replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidValue(N_("Enter a date and time like 2026-12-31 14:30.")) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(spec.time_zone))
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_choice(raw: Any, spec: Spec) -> str:
    if not isinstance(raw, str) or raw.strip() not in spec.choice_keys():
        raise InvalidValue(N_("Choose one of the options."))
    return raw.strip()


def parse_choices(raw: Any, spec: Spec) -> list[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise InvalidValue(N_("Choose from the options."))
    keys = spec.choice_keys()
    chosen = {i.strip() for i in items if i.strip()}
    if chosen - keys:
        raise InvalidValue(N_("Choose from the options."))
    return [c.key for c in spec.choices if c.key in chosen]  # in the options' order, each once


_YES = {"true", "yes", "y", "on", "1", "是"}
_NO = {"false", "no", "n", "off", "0", "否"}


def parse_boolean(raw: Any, spec: Spec) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _YES | _NO:
        return raw.strip().lower() in _YES
    raise InvalidValue(N_("Answer yes or no."))


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_email(raw: Any, spec: Spec) -> str:
    value = _text(254)(raw, spec)
    if not _EMAIL.fullmatch(value):
        raise InvalidValue(N_("Enter a valid e-mail address, like name@example.com."))
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


_PHONE = re.compile(r"\+?[\d\s\-().]+")


def parse_phone(raw: Any, spec: Spec) -> str:
    value = _text(40)(str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw, spec)
    digits = sum(map(str.isdigit, value))
    if not _PHONE.fullmatch(value) or not 5 <= digits <= 20:
        raise InvalidValue(N_("Enter a phone number, like 138 0013 8000."))
    return value


def parse_url(raw: Any, spec: Spec) -> str:
    value = _text(2000)(raw, spec)
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname or " " in value:
        raise InvalidValue(N_("Enter a web address, like https://example.com."))
    return value


def _uuid(message: str) -> Parser:
    def parse(raw: Any, spec: Spec) -> str:
        try:
            return str(uuid.UUID(str(raw).strip()))
        except ValueError as exc:
            raise InvalidValue(message) from exc

    return parse


def parse_rating(raw: Any, spec: Spec) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(N_("Give a rating from 1 to 5."))
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise InvalidValue(N_("Give a rating from 1 to 5.")) from exc
    if number not in {1, 2, 3, 4, 5}:
        raise InvalidValue(N_("Give a rating from 1 to 5."))
    return int(number)


def parse_address(raw: Any, spec: Spec) -> dict[str, Any]:
    """{"text": …, "lat": …, "lng": …}: a form sends the text; a program may add the position."""
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict) or set(raw) - {"text", "lat", "lng"}:
        raise InvalidValue(N_("Enter an address."))
    text = _text(500)(raw.get("text") or "", spec)
    lat, lng = raw.get("lat"), raw.get("lng")
    if (lat is None) != (lng is None):
        raise InvalidValue(N_("Give both latitude and longitude, or neither."))
    if lat is not None:
        lat, lng = float(_decimal(lat)), float(_decimal(lng))
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidValue(N_("This position is not on the map."))
    if not text and lat is None:
        raise InvalidValue(N_("Enter an address."))
    return {"text": text, "lat": lat, "lng": lng}


_TEXT_FILTERS = ("eq", "contains", "empty")
_ORDERED = ("eq", "range", "empty")
for _kind in (
    FieldType("text", N_("Text"), _text(500), "text", _TEXT_FILTERS, "text"),
    FieldType("long_text", N_("Long text"), _text(10_000), "textarea", ("contains", "empty"), "text"),
    FieldType("number", N_("A number"), parse_number, "number", _ORDERED, "number"),
    FieldType("money", N_("Amount of money"), parse_money, "money", _ORDERED, "money"),
    FieldType("percent", N_("Percentage"), parse_percent, "number", _ORDERED, "number"),
    FieldType("date", N_("Date"), parse_date, "date", _ORDERED, "date"),
    FieldType("datetime", N_("Date and time"), parse_datetime, "datetime-local", _ORDERED, "datetime"),
    FieldType("choice", N_("One choice"), parse_choice, "select", ("eq", "empty"), "choice"),
    FieldType("choices", N_("Several choices"), parse_choices, "checkboxes", ("eq", "empty"), "choices"),
    FieldType("boolean", N_("Yes or no"), parse_boolean, "yesno", ("eq", "empty"), "boolean"),
    FieldType("email", N_("E-mail address"), parse_email, "email", _TEXT_FILTERS, "text"),
    FieldType("phone", N_("Phone number"), parse_phone, "tel", _TEXT_FILTERS, "text"),
    FieldType("url", N_("Web address"), parse_url, "url", _TEXT_FILTERS, "text"),
    FieldType(
        "member", N_("Person in the studio"), _uuid(N_("Choose a person of the studio.")), "member", ("eq", "empty"),
        "member", needs="member",
    ),
    FieldType("rating", N_("Rating (1–5)"), parse_rating, "rating", _ORDERED, "number"),
    FieldType("file", N_("File"), _uuid(N_("Attach a file.")), "file", ("empty",), "file", needs="file"),
    FieldType("address", N_("Address or place"), parse_address, "address", ("contains", "empty"), "address"),
):  # fmt: skip
    register(_kind)
