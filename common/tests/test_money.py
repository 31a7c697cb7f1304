"""The one rounding helper: a currency's quantum, and amounts rounded to it."""
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.money import format_money, quantum, round_money


@pytest.mark.parametrize(("currency_or_digits", "expected"), [
    ("USD", "0.01"), ("EUR", "0.01"), ("JPY", "1"), ("KWD", "0.001"),
    (2, "0.01"), (0, "1"), (3, "0.001"), (4, "0.0001"),
])
def test_quantum_is_the_minor_unit(currency_or_digits, expected):
    step = quantum(currency_or_digits)
    assert step == Decimal(expected) and str(step) == expected  # same exponent, not just equal


@pytest.mark.parametrize(("amount", "target", "expected"), [
    ("12.345", "USD", "12.35"), ("12.355", 2, "12.36"), ("-12.345", 2, "-12.35"),
    ("2.5", "JPY", "3"), ("1.0005", "KWD", "1.001"), ("7", "USD", "7.00"), ("7.004", 2, "7.00"),
])
def test_round_money_rounds_half_up_by_default(amount, target, expected):
    rounded = round_money(Decimal(amount), target)
    assert str(rounded) == expected


def test_round_money_takes_another_rounding():
    assert str(round_money(Decimal("12.345"), 2, rounding=ROUND_HALF_EVEN)) == "12.34"
    assert str(round_money(Decimal("12.355"), 2, rounding=ROUND_HALF_EVEN)) == "12.36"
    assert str(round_money(Decimal("12.349"), "USD", rounding=ROUND_DOWN)) == "12.34"
    assert str(round_money(Decimal("2.5"), 0, rounding=ROUND_HALF_EVEN)) == "2"


def test_format_money_shows_the_minor_unit_half_even():
    assert format_money(Decimal("12.345"), "USD") == "12.34"
    assert format_money(Decimal("12.355"), "USD") == "12.36"
    assert format_money(Decimal("1500"), "JPY") == "1500"
    assert format_money(Decimal("3"), "KWD") == "3.000"
    assert format_money(None, "USD") is None


amounts = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=6, allow_nan=False,
                      allow_infinity=False)


@given(amount=amounts, digits=st.integers(min_value=0, max_value=4),
       rounding=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN]))
def test_round_money_is_the_quantize_it_replaced(amount, digits, rounding):
    assert round_money(amount, digits, rounding=rounding).as_tuple() == amount.quantize(
        Decimal(1).scaleb(-digits), rounding=rounding).as_tuple()
