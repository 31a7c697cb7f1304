"""Amounts typed in the user's number format (common/local_format.py): what is read, what is
refused (never guessed), and the rule shown next to the field."""
from __future__ import annotations

from decimal import Decimal

import pytest

from common.local_format import (
    NUMBER_FORMATS,
    AmountFormatError,
    LocalAmountField,
    amount_hint,
    format_local_amount,
    number_format_override,
    parse_local_amount,
)

USD, JPY, KWD = "USD", "JPY", "KWD"

# (format, typed, currency, expected Decimal or None for refused)
TABLE = [
    # en: comma for thousands, point for decimals
    ("en", "48,500", USD, Decimal("48500")),
    ("en", "48,500.00", USD, Decimal("48500.00")),
    ("en", "48500.5", USD, Decimal("48500.5")),
    ("en", " 1,234,567.89 ", USD, Decimal("1234567.89")),
    ("en", "0.50", USD, Decimal("0.50")),
    ("en", "48.500", USD, None),         # three decimals in USD: 48.5 or 48500? refused
    ("en", "48.500", KWD, Decimal("48.500")),  # KWD has three decimals: read as typed
    ("en", "48 500", USD, None),         # a space is not an en separator
    ("en", "48.500,00", USD, None),      # the other convention
    ("en", "4,85,00", USD, None),        # groups of exactly three digits
    ("en", "48,50", USD, None),
    ("en", "1,2345", USD, None),
    ("en", "48500,00", USD, None),
    ("en", ".5", USD, None),
    ("en", "5.", USD, None),
    ("en", "1e5", USD, None),
    ("en", "USD 100", USD, None),
    ("en", "NaN", USD, None),
    ("en", "١٢٣", USD, None),            # digits 0-9 only
    ("en", "48,500", JPY, Decimal("48500")),
    ("en", "48,500.00", JPY, None),      # JPY has no decimals
    # de: point for thousands, comma for decimals
    ("de", "9.000,00", USD, Decimal("9000.00")),
    ("de", "48.500", USD, Decimal("48500")),
    ("de", "48500,5", USD, Decimal("48500.5")),
    ("de", "1.234.567,89", USD, Decimal("1234567.89")),
    ("de", "9,000", USD, None),          # 9 with three decimals, or 9000 typed the en way: refused
    ("de", "48,500", USD, None),
    ("de", "48,500.00", USD, None),
    ("de", "48 500,00", USD, None),
    ("de", "48.50", USD, None),          # a group of two digits
    # fr: space (or the no-break spaces) for thousands, comma for decimals
    ("fr", "48 500,00", USD, Decimal("48500.00")),
    ("fr", "48\u00a0500,00", USD, Decimal("48500.00")),
    ("fr", "48\u202f500", USD, Decimal("48500")),
    ("fr", "48500,5", USD, Decimal("48500.5")),
    ("fr", "48.500,00", USD, None),
    ("fr", "48,500", USD, None),
    ("fr", "48  500", USD, None),
    ("fr", "48 50", USD, None),
    # ch: apostrophe for thousands, point for decimals
    ("ch", "48'500.00", USD, Decimal("48500.00")),
    ("ch", "48\u2019500.00", USD, Decimal("48500.00")),
    ("ch", "1'234'567", USD, Decimal("1234567")),
    ("ch", "48,500.00", USD, None),
    ("ch", "48'50", USD, None),
    ("ch", "48.500", USD, None),
]


@pytest.mark.parametrize(("number_format", "typed", "currency", "expected"), TABLE,
                         ids=[f"{f}:{t!r}:{c}" for f, t, c, _ in TABLE])
def test_accepted_and_refused_inputs_per_number_format(number_format, typed, currency, expected):
    if expected is None:
        with pytest.raises(AmountFormatError) as refused:
            parse_local_amount(typed, number_format, currency)
        assert amount_hint(NUMBER_FORMATS[number_format], currency) in str(refused.value)  # the rule is shown
    else:
        amount = parse_local_amount(typed, number_format, currency)
        assert amount == expected and str(amount) == str(expected)  # the digits as typed, no rounding


@pytest.mark.parametrize(("number_format", "hint"), [
    ("en", "Type 48,500.00 — comma for thousands, point for decimals (at most 2)."),
    ("de", "Type 48.500,00 — point for thousands, comma for decimals (at most 2)."),
    ("fr", "Type 48 500,00 — space for thousands, comma for decimals (at most 2)."),
    ("ch", "Type 48'500.00 — apostrophe for thousands, point for decimals (at most 2)."),
])
def test_the_rule_shown_next_to_the_field(number_format, hint):
    assert amount_hint(NUMBER_FORMATS[number_format], "USD") == hint
    assert amount_hint(NUMBER_FORMATS["en"], "JPY") == "Type 48,500 — comma for thousands, no decimals."


@pytest.mark.parametrize("number_format", sorted(NUMBER_FORMATS))
def test_what_is_shown_reads_back_as_the_same_amount(number_format):
    fmt = NUMBER_FORMATS[number_format]
    for amount in (Decimal("0.5"), Decimal("48500"), Decimal("1234567.89")):
        for grouped in (True, False):
            shown = format_local_amount(amount, fmt, "USD", grouped=grouped)
            assert parse_local_amount(shown, fmt, "USD") == amount


def test_the_page_field_reads_the_active_format_and_states_its_currency():
    field = LocalAmountField(currency="USD", as_text=True)
    with number_format_override("de"):
        assert field.clean("9.000,00") == "9000.00"  # passed on as the API's plain decimal string
        assert str(field.help_text) == "Type 48.500,00 — point for thousands, comma for decimals (at most 2)."
        assert field.prepare_value(Decimal("9400.00")) == "9400,00"
        with pytest.raises(Exception, match="at most 2 in this currency"):
            field.clean("9,000")
    assert field.clean("9,000") == "9000"  # the default format (en)
