"""Money and decimal quantities: Decimal end to end, never float.

Amounts travel as decimal strings. Anything else (a JSON number, NaN, Infinity, exponent
notation, too many decimals for the currency) is refused at the edge with a clear message.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any, overload

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies
from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# ASCII digits, as the schema's pattern (DECIMAL_STRING_SCHEMA) means them: Python's \d and
# Decimal() would also read "١٢٣" or "१२३" as 123.
PLAIN_DECIMAL = re.compile(r"^-?\d{1,18}(\.\d{1,12})?$", re.ASCII)


@cache
def tradeable_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (CLDR, through Babel).

    Babel's full list also holds historic codes (DEM), precious metals (XAU), fund codes and
    ISO's "no currency" (XXX) and testing (XTS) codes: nothing an RFQ can be priced in."""
    territories = get_global("territory_currencies")
    return frozenset(code for territory in territories for code in get_territory_currencies(territory, tender=True))


def is_currency(code: str) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and code in tradeable_currencies()


def currency_decimals(code: str) -> int:
    """Minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, KWD 3)."""
    return get_currency_precision(code)


def quantum(currency_or_digits: str | int) -> Decimal:
    """The smallest step of an amount: 10**-digits, the currency's minor unit when given a
    currency code (USD or 2 → 0.01, JPY or 0 → 1, KWD or 3 → 0.001)."""
    digits = currency_decimals(currency_or_digits) if isinstance(currency_or_digits, str) else currency_or_digits
    return Decimal(1).scaleb(-digits)


def round_money(amount: Decimal, currency_or_digits: str | int, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`amount` rounded to the currency's minor unit (or to `digits` places): half up, as totals
    are, unless the caller names another rounding (ROUND_DOWN for a bid limit, ROUND_HALF_EVEN
    where amounts are shown)."""
    return amount.quantize(quantum(currency_or_digits), rounding=rounding)


def max_money_amount() -> Decimal:
    return Decimal(settings.QUAYSIDE["MAX_MONEY_AMOUNT"])


def parse_decimal_string(value: object, *, what: str = "amount") -> Decimal:
    """Parse a plain decimal string, or raise ValueError with a message for a person."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValueError(f"Send the {what} as a decimal string, e.g. \"1234.50\", not a JSON number.")
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be a decimal string, e.g. \"1234.50\".")
    text = value.strip()
    if not PLAIN_DECIMAL.match(text):
        raise ValueError(
            f"\"{value[:40]}\" is not a plain decimal {what}: use digits with an optional "
            "decimal point (no exponent, NaN, Infinity, separators or currency signs)."
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
        raise ValueError(f"\"{value[:40]}\" is not a decimal {what}.") from exc


def decimal_places(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_money(amount: Decimal, *, currency: str | None = None, allow_zero: bool = False) -> list[str]:
    """Problems with an amount as a list of messages; empty when it is acceptable."""
    problems = []
    if amount < 0 or (amount == 0 and not allow_zero):
        problems.append("The amount must be greater than zero." if not allow_zero
                        else "The amount must not be negative.")
    if amount > max_money_amount():
        problems.append(f"The amount exceeds the maximum of {max_money_amount():,}.")
    if currency:
        digits = currency_decimals(currency)
        if decimal_places(amount) > digits:
            problems.append(f"{currency} amounts have at most {digits} decimal place(s).")
    return problems


# How the OpenAPI schema describes amounts and quantities (api.md: decimal strings).
DECIMAL_STRING_SCHEMA = {"type": "string", "format": "decimal", "pattern": r"^\d{1,18}(\.\d{1,12})?$",
                         "example": "1234.50"}


@extend_schema_field(DECIMAL_STRING_SCHEMA)
class MoneyField(serializers.Field):
    """A positive money amount as a decimal string; quantised by the currency elsewhere."""

    default_error_messages = {"invalid": "{message}"}

    def __init__(self, *, allow_zero: bool = False, max_decimal_places: int = 4, **kwargs):
        self.allow_zero = allow_zero
        self.max_decimal_places = max_decimal_places
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            amount = parse_decimal_string(data)
        except ValueError as exc:
            self.fail("invalid", message=str(exc))
        problems = check_money(amount, allow_zero=self.allow_zero)
        if decimal_places(amount) > self.max_decimal_places:
            problems.append(f"At most {self.max_decimal_places} decimal places.")
        if problems:
            raise serializers.ValidationError(problems)
        return amount

    def to_representation(self, value):
        return None if value is None else str(value)


@extend_schema_field({**DECIMAL_STRING_SCHEMA, "example": "40"})
class QuantityField(MoneyField):
    """A positive quantity (decimal string or whole JSON number; never a float)."""

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        try:
            amount = parse_decimal_string(data, what="quantity")
        except ValueError as exc:
            self.fail("invalid", message=str(exc))
        if amount <= 0:
            raise serializers.ValidationError("The quantity must be greater than zero.")
        if amount > Decimal("1000000000"):
            raise serializers.ValidationError("The quantity is unreasonably large.")
        if decimal_places(amount) > self.max_decimal_places:
            raise serializers.ValidationError(f"At most {self.max_decimal_places} decimal places.")
        return amount

    def to_representation(self, value):
        return None if value is None else format(value.normalize(), "f")


@overload
def format_money(amount: Decimal, currency: str) -> str: ...
@overload
def format_money(amount: None, currency: str) -> None: ...
@overload
def format_money(amount: Decimal | None, currency: str) -> str | None: ...
def format_money(amount: Decimal | None, currency: str) -> str | None:
    """An amount as the API shows it: a string with exactly the currency's minor-unit digits."""
    if amount is None:
        return None
    # Half-even: the rounding of Decimal's default context, which this has always used.
    return str(round_money(amount, currency, rounding=ROUND_HALF_EVEN))


def money_text(amount: Any, currency: str) -> str:
    """How pages, PDFs and e-mails show an amount to a person: 'USD 12,500.00', quantised to the currency's minor unit, never through float."""
    if amount is None or amount == "":
        return "—"
    value = Decimal(str(amount))
    digits = currency_decimals(currency)
    value = round_money(value, digits, rounding=ROUND_HALF_EVEN)  # as format_money
    return f"{currency} {value:,.{digits}f}"
