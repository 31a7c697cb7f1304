"""Each person's time zone and number format on the pages (the API stays UTC and plain decimals).

`common.middleware.LocalTimeAndNumbers` activates the signed-in user's time zone (Django's
`timezone.activate`, so `|date` renders local time) and number format (here) for the request.
Page forms read a typed amount through `parse_local_amount`, one set of strict rules:

- only the user's own separators: the group separator between thousands, the decimal mark
  once, before the decimals;
- group separators only between groups of exactly three digits (`48,500`, never `4,85,00`),
  and either everywhere in the whole part or nowhere (`48500` is fine too);
- at most the currency's decimal places, at least one digit after the decimal mark;
- nothing else: no exponent, currency sign, second decimal mark or the other convention's
  separators. An input that breaks a rule is refused with the rule, never guessed: "9,000"
  from a "de" user is nine with three decimals, so it is refused for USD (two decimals).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from asgiref.local import Local
from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import lazy

from .money import currency_decimals


@dataclass(frozen=True)
class NumberFormat:
    code: str
    label: str
    group: str  # the separator the hint shows
    decimal: str
    group_name: str
    decimal_name: str
    group_also: str = ""  # other characters read as the same separator (typographic variants)


NUMBER_FORMATS = {f.code: f for f in (
    NumberFormat("en", "48,500.00 (comma for thousands, point for decimals)", ",", ".", "comma", "point"),
    NumberFormat("de", "48.500,00 (point for thousands, comma for decimals)", ".", ",", "point", "comma"),
    NumberFormat("fr", "48 500,00 (space for thousands, comma for decimals)", " ", ",", "space", "comma",
                 group_also="\u00a0\u202f"),
    NumberFormat("ch", "48'500.00 (apostrophe for thousands, point for decimals)", "'", ".", "apostrophe",
                 "point", group_also="\u2019"),
)}
DEFAULT_NUMBER_FORMAT = "en"
NUMBER_FORMAT_CHOICES = [(f.code, f.label) for f in NUMBER_FORMATS.values()]

_active = Local()


def active_number_format() -> NumberFormat:
    return NUMBER_FORMATS.get(getattr(_active, "code", DEFAULT_NUMBER_FORMAT), NUMBER_FORMATS["en"])


def activate_number_format(code: str | None) -> None:
    _active.code = code if code in NUMBER_FORMATS else DEFAULT_NUMBER_FORMAT


def deactivate_number_format() -> None:
    if hasattr(_active, "code"):
        del _active.code


@contextmanager
def number_format_override(code: str) -> Iterator[None]:
    previous = getattr(_active, "code", None)
    activate_number_format(code)
    try:
        yield
    finally:
        if previous is None:
            deactivate_number_format()
        else:
            _active.code = previous


def _digits(currency_or_digits: str | int) -> int:
    return currency_decimals(currency_or_digits) if isinstance(currency_or_digits, str) else currency_or_digits


def amount_hint(number_format: NumberFormat | None = None, currency_or_digits: str | int = 2) -> str:
    """The rules in one line, shown under a price input."""
    fmt = number_format or active_number_format()
    digits = _digits(currency_or_digits)
    example = format_local_amount(Decimal("48500"), fmt, digits)
    if digits == 0:
        return f"Type {example} — {fmt.group_name} for thousands, no decimals."
    return (f"Type {example} — {fmt.group_name} for thousands, {fmt.decimal_name} for decimals "
            f"(at most {digits}).")


def format_local_amount(amount: Decimal, number_format: NumberFormat | None = None,
                        currency_or_digits: str | int | None = None, *, grouped: bool = True) -> str:
    """An amount as the user types it (the inverse of `parse_local_amount`); without digits,
    as many decimals as the amount has. A prefilled input is not `grouped` ("48500,00")."""
    fmt = number_format or active_number_format()
    if currency_or_digits is not None:
        amount = amount.quantize(Decimal(1).scaleb(-_digits(currency_or_digits)))
    sign, text = ("-", f"{-amount:f}") if amount < 0 else ("", f"{amount:f}")
    whole, _, decimals = text.partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", fmt.group)
    return sign + whole + (fmt.decimal + decimals if decimals else "")


class AmountFormatError(ValueError):
    """A typed amount that breaks the user's number format; the message states the rule."""


def parse_local_amount(text: str, number_format: NumberFormat | str | None = None,
                       currency_or_digits: str | int = 2) -> Decimal:
    """`text` as the user's number format reads it, or AmountFormatError naming the rule."""
    fmt = NUMBER_FORMATS[number_format] if isinstance(number_format, str) else (
        number_format or active_number_format())
    digits = _digits(currency_or_digits)
    value = text.strip()
    for variant in fmt.group_also:
        value = value.replace(variant, fmt.group)
    group, mark = re.escape(fmt.group), re.escape(fmt.decimal)
    pattern = rf"-?(\d+|\d{{1,3}}({group}\d{{3}})+)({mark}(\d+))?"
    match = re.fullmatch(pattern, value, re.ASCII)  # digits 0-9 only
    if match is None:
        # Never echoes the amount: a sealed price must not end up in logs or error reports.
        raise AmountFormatError(f"Not a number in your format. {amount_hint(fmt, digits)}")
    decimals = match.group(4) or ""
    if len(decimals) > digits:
        raise AmountFormatError(
            f"{len(decimals)} digits after the {fmt.decimal_name}: at most {digits} in this currency. "
            f"{amount_hint(fmt, digits)}")
    whole = match.group(1).replace(fmt.group, "")
    return Decimal(("-" if value.startswith("-") else "") + whole + ("." + decimals if decimals else ""))


class LocalAmountField(forms.Field):
    """A page's money input: typed in the user's number format, cleaned to a Decimal (or to a
    plain decimal string with `as_text`, for forms that pass the API's body on), with the rules
    as its help text. `currency` (a code or a number of decimals) may be set by the form."""

    def __init__(self, *, currency: str | int = 2, as_text: bool = False, **kwargs):
        self.currency = currency
        self.as_text = as_text
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                           "maxlength": "64"}))
        super().__init__(**kwargs)
        self.auto_hint = not self.help_text
        if self.auto_hint:
            self.help_text = _lazy_hint(self)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        if self.auto_hint:  # each form's copy states its own currency's rule
            result.help_text = _lazy_hint(result)
        return result

    def to_python(self, value):
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return "" if self.as_text else None
        if len(text) > 64:
            raise forms.ValidationError("An amount has at most 64 characters.", code="max_length")
        try:
            amount = parse_local_amount(text, None, self.currency)
        except AmountFormatError as exc:
            raise forms.ValidationError(str(exc), code="number_format") from exc
        return f"{amount:f}" if self.as_text else amount

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_local_amount(value, None, self.currency, grouped=False)
        return value


def _lazy_hint(field: LocalAmountField):
    return lazy(lambda: amount_hint(None, field.currency), str)()


class UtcDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in UTC whichever zone the page is in (its label
    says UTC): the deadline inputs stay UTC while the times around them are local."""

    def to_python(self, value):
        with timezone.override(UTC):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(UTC):
            return super().prepare_value(value)


def local_time_text(moment: datetime, fmt: str = "j M Y, H:i") -> str:
    """A moment in the active zone with its abbreviation, as text ("6 Dec 2026, 14:50 +08"):
    for messages and e-mails; templates use the `when` filter (UTC on hover)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    local = timezone.localtime(moment)
    return f"{date_format(local, fmt)} {date_format(local, 'T')}"
