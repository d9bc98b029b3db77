"""Input schemas of billing (staff forms; the API reuses them strictly). Forms take amounts as people type them
("12,800.50") and discounts and tax as percentages; the API takes integer minor units and basis points."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, post_load, pre_load, validate

from saas.billing.models import CostKind, InvoiceKind, PaymentMethod
from saas.schemas import (
    N_,
    CurrencySchema,
    FormSchema,
    Money,
    blank_to_none,
    choice,
    field_messages,
    optional_text,
    text,
)

MAX_LINES = 100
LANGUAGES = ("zh_CN", "en")


class Percent(fields.Field):
    """A percentage typed as 10 or 12.5, loaded as basis points (1000, 1250)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation as exc:
            raise ValidationError(N_("Enter a percentage from 0 to 100.")) from exc
        bp = number * 100
        if not number.is_finite() or not 0 <= number <= 100 or bp != bp.to_integral_value():
            raise ValidationError(N_("Enter a percentage from 0 to 100."))
        return int(bp)


class Quantity(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValidationError(N_("Enter a quantity like 1, 2.5 or 0.333.")) from exc
        if not number.is_finite() or number <= 0 or number >= 10**9 or number != number.quantize(Decimal("0.001")):
            raise ValidationError(N_("Enter a quantity like 1, 2.5 or 0.333."))
        return number


def _date(required: bool = False) -> fields.Date:
    message = N_("Enter a date like 2026-12-31.")
    if required:
        return fields.Date(required=True, error_messages=field_messages(invalid=message))
    return fields.Date(load_default=None, allow_none=True, error_messages=field_messages(invalid=message))


class LineSchema(CurrencySchema):
    description = text(500)
    quantity = Quantity(required=True, error_messages=field_messages())
    unit = optional_text(20)
    unit_price = Money(required=True, attribute="unit_price_minor", data_key="unit_price")
    discount = Percent(load_default=0, attribute="discount_bp", data_key="discount")


class QuoteSchema(CurrencySchema):
    client_id = fields.UUID(required=True, error_messages=field_messages())
    project_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    title = text(200)
    language = choice(LANGUAGES, required=False, load_default=None, allow_none=True)
    valid_until = _date()
    tax = Percent(load_default=None, allow_none=True, attribute="tax_rate_bp", data_key="tax")
    notes = optional_text(5000)
    lines = fields.Method(deserialize="_lines", load_default=list)
    version = fields.Integer(load_default=None, allow_none=True)

    def _lines(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or len(value) > MAX_LINES:
            raise ValidationError(N_("Send at most 100 lines."))
        errors: dict[int, Any] = {}
        loaded = []
        for n, raw in enumerate(value):
            try:
                loaded.append(LineSchema(currency=self.currency, unknown=self.unknown).load(raw))
            except ValidationError as exc:
                errors[n] = exc.messages
        if errors:
            raise ValidationError(errors)
        return loaded

    @pre_load
    def _from_form(self, data: Any, **_kwargs: object) -> dict:
        """Forms send lines as parallel lists (line_description, line_quantity…); blank rows are skipped."""
        if not hasattr(data, "getlist"):
            return data
        flat = {k: v for k, v in data.items() if not k.startswith("line_")}
        columns = {
            name: data.getlist(f"line_{name}") for name in ("description", "quantity", "unit", "unit_price", "discount")
        }
        rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        flat["lines"] = [
            {k: v for k, v in row.items() if v.strip() or k == "description"}
            for row in rows
            if any(v.strip() for v in row.values())
        ]
        for key in ("project_id", "valid_until", "tax", "notes"):
            if isinstance(flat.get(key), str) and not flat[key].strip():
                flat[key] = None
        return flat


class DecisionSchema(FormSchema):
    name = text(200)


class ContractSchema(CurrencySchema):
    client_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    project_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    title = text(200)
    amount = Money(required=True, attribute="amount_minor", data_key="amount")
    terms = optional_text(20000)
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("client_id", "project_id", "terms"))


class CommentSchema(FormSchema):
    comment = optional_text(2000)


class InvoiceSchema(CurrencySchema):
    client_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    project_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    kind = choice(tuple(InvoiceKind), required=False, load_default=InvoiceKind.MILESTONE.value)
    title = text(200)
    amount = Money(required=True, attribute="amount_minor", data_key="amount")
    due_on = _date(required=True)
    version = fields.Integer(load_default=None, allow_none=True)

    @post_load
    def _positive(self, data: dict, **_kwargs: object) -> dict:
        if data.get("amount_minor") == 0:
            raise ValidationError(N_("Enter an amount above zero."), "amount")
        return data

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("client_id", "project_id"))


class PartSchema(FormSchema):
    kind = choice(tuple(InvoiceKind))
    percent = fields.Decimal(
        required=True,
        places=None,
        validate=validate.Range(0, 100, min_inclusive=False, error=N_("Enter a percentage from 0 to 100.")),
        error_messages=field_messages(invalid=N_("Enter a percentage from 0 to 100.")),
    )
    due_on = _date(required=True)
    title = optional_text(200)


class ScheduleSchema(FormSchema):
    parts = fields.List(fields.Nested(PartSchema), required=True, validate=validate.Length(min=1, max=12))

    @pre_load
    def _from_form(self, data: Any, **_kwargs: object) -> dict:
        """The form offers a deposit and a final payment (尾款); blank percentages drop a part."""
        if not hasattr(data, "getlist"):
            return data
        kinds, percents, dues = data.getlist("part_kind"), data.getlist("part_percent"), data.getlist("part_due_on")
        parts = [
            {"kind": k, "percent": p.strip().rstrip("%"), "due_on": d}
            for k, p, d in zip(kinds, percents, dues, strict=True)
            if p.strip()
        ]
        return {"parts": parts}


class PaymentSchema(CurrencySchema):
    amount = Money(required=True, attribute="amount_minor", data_key="amount")
    method = choice(tuple(m for m in PaymentMethod if m != PaymentMethod.STRIPE))  # online ones come from Stripe
    paid_on = _date()
    reference = optional_text(120)
    version = fields.Integer(load_default=None, allow_none=True)

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("paid_on", "reference"))


class RefundSchema(CurrencySchema):
    amount = Money(required=True, attribute="amount_minor", data_key="amount")
    reason = optional_text(300)


class OnlinePaymentSchema(CurrencySchema):
    """The portal's pay form: an amount only where the studio takes part payments; none means the balance."""

    amount = Money(load_default=None, allow_none=True, attribute="amount_minor", data_key="amount")

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("amount",))


class VoidSchema(FormSchema):
    reason = text(300)


def _hundredths(value: Decimal) -> None:
    """Hours are exact to two places end to end (they are stored so): 0.0000000596 is refused, not rounded away."""
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(N_("Enter hours with at most two decimals, like 1.25."))


class CostSchema(CurrencySchema):
    kind = choice(tuple(CostKind))
    description = text(200)
    hours = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=None,
        validate=[
            validate.Range(0, 10000, min_inclusive=False, error=N_("Enter hours like 1.5.")),
            _hundredths,
        ],
        error_messages=field_messages(invalid=N_("Enter hours like 1.5.")),
        metadata={"description": "Exact to the hundredth of an hour (1.25 is an hour and a quarter)."},
    )
    rate = Money(load_default=None, allow_none=True, attribute="rate_minor", data_key="rate")
    amount = Money(load_default=None, allow_none=True, attribute="amount_minor", data_key="amount")
    spent_on = _date(required=True)

    @pre_load
    def blank_to_none(self, data: Any, **_kwargs: object) -> dict:
        return blank_to_none(data, ("hours", "rate", "amount"))

    @post_load
    def _complete(self, data: dict, **_kwargs: object) -> dict:
        if data["kind"] == CostKind.HOURS and (data.get("hours") is None or data.get("rate_minor") is None):
            raise ValidationError(N_("Enter the hours and the hourly rate."), "hours")
        if data["kind"] == CostKind.EXPENSE and not data.get("amount_minor"):
            raise ValidationError(N_("Enter the amount spent."), "amount")
        return data


class BillingSettingsSchema(FormSchema):
    """`reminder_days` comes from the form as text: "-3, 0, 7" (days from the due date; empty: no reminders)."""

    def _days(self, value: Any) -> list[int]:
        parts = [p for p in str(value).replace("，", ",").replace("−", "-").split(",") if p.strip()]
        try:
            days = sorted({int(p) for p in parts})
        except ValueError as exc:
            raise ValidationError(N_("Write days from the due date separated by commas, like -3, 0, 7.")) from exc
        if len(days) > 6 or any(not -60 <= d <= 120 for d in days):
            raise ValidationError(N_("Use up to six days, each from -60 to 120."))
        return days

    discount_threshold = Percent(required=True, attribute="discount_threshold_bp", data_key="discount_threshold")
    tax = Percent(required=True, attribute="tax_rate_bp", data_key="tax")
    quote_valid_days = fields.Integer(
        required=True,
        validate=validate.Range(1, 365, error=N_("Enter a number of days from 1 to 365.")),
        error_messages=field_messages(invalid=N_("Enter a number of days from 1 to 365.")),
    )
    payment_instructions = optional_text(2000)
    reminder_days = fields.Method(deserialize="_days", load_default=lambda: [-3, 0, 7])
    allow_partial_payments = fields.Boolean(
        load_default=False, truthy={"on", "1", "true", True}, falsy={"", "0", "false", False}
    )
    send_deposit_on_acceptance = fields.Boolean(
        load_default=False, truthy={"on", "1", "true", True}, falsy={"", "0", "false", False}
    )
    deposit_percent = fields.Integer(
        load_default=30,
        validate=validate.Range(1, 100, error=N_("Enter a percentage from 1 to 100.")),
        error_messages=field_messages(invalid=N_("Enter a percentage from 1 to 100.")),
    )
    deposit_due_days = fields.Integer(
        load_default=7,
        validate=validate.Range(0, 120, error=N_("Enter a number of days from 0 to 120.")),
        error_messages=field_messages(invalid=N_("Enter a number of days from 0 to 120.")),
    )
    version = fields.Integer(load_default=None, allow_none=True)


# The API speaks integer minor units and basis points, like its output, and refuses unknown fields everywhere.


def _minor(name: str, required: bool = False) -> fields.Integer:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.Integer(
        **options,
        strict=True,
        data_key=name,
        attribute=name,
        validate=validate.Range(0, 10**15, error=N_("Enter an amount of zero or more.")),
        error_messages=field_messages(invalid=N_("Send an integer amount in minor units (fen, cents).")),
    )


def _bp(name: str, required: bool = False) -> fields.Integer:
    options: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.Integer(
        **options,
        strict=True,
        data_key=name,
        attribute=name,
        validate=validate.Range(0, 10_000, error=N_("Send basis points from 0 to 10000 (100%).")),
        error_messages=field_messages(invalid=N_("Send basis points from 0 to 10000 (100%).")),
    )


class LineApiSchema(FormSchema):
    description = text(500)
    quantity = Quantity(required=True, error_messages=field_messages())
    unit = optional_text(20)
    unit_price_minor = _minor("unit_price_minor", required=True)
    discount_bp = _bp("discount_bp")

    @post_load
    def _no_null_discount(self, data: dict, **_kwargs: object) -> dict:
        data["discount_bp"] = data.get("discount_bp") or 0
        return data


class QuoteApiSchema(QuoteSchema):
    tax = _bp("tax_rate_bp")
    lines = fields.List(
        fields.Nested(LineApiSchema(unknown="raise")), load_default=list, validate=validate.Length(max=MAX_LINES)
    )


class ContractApiSchema(ContractSchema):
    amount = _minor("amount_minor")
    quote_id = fields.UUID(load_default=None, allow_none=True, error_messages=field_messages())
    title = text(200, required=False, load_default=None)


class InvoiceApiSchema(InvoiceSchema):
    amount = _minor("amount_minor", required=True)


class PaymentApiSchema(PaymentSchema):
    amount = _minor("amount_minor", required=True)


class CostApiSchema(CostSchema):
    rate = _minor("rate_minor")
    amount = _minor("amount_minor")
