"""Unit tests of the format rules: currency_matches, amount_format, line_items_complete,
criteria_responses_valid."""
import pytest

from auctions.rules.format import amount_problem, criterion_problem

from .rule_context import auction, context, messages

# --- currency_matches ----------------------------------------------------------------------


def test_currency_matches():
    assert messages("currency_matches", context(amount="1", currency="EUR")) == [
        "This RFQ is priced in USD, not EUR."]
    assert messages("currency_matches", context(amount="1", currency="USD")) == []
    assert messages("currency_matches", context(amount="1")) == []  # optional in the body


# --- amount_format -------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "digits", "problem"), [
    ("12.50", 2, None), ("12.5", 2, None), ("12", 0, None), (" 12 ", 2, None), ("+12", 2, None),
    ("0.01", 2, None), ("1000000000", 2, None), ("12.345", 3, None),
    ("12.345", 2, "at most 2 decimal"), ("12.50", 0, "at most 0 decimal"), ("12.0", 0, "at most 0 decimal"),
    ("0", 2, "greater than zero"), ("-0.01", 2, "greater than zero"), ("-0", 2, "greater than zero"),
    ("1000000000.01", 2, "exceeds the maximum"), ("1" + "0" * 30, 2, "exceeds the maximum"),
    ("NaN", 2, "not a number"), ("-nan", 2, "not a number"), ("sNaN", 2, "not a number"),
    ("Infinity", 2, "not a number"), ("-inf", 2, "not a number"), ("", 2, "not a number"),
    ("abc", 2, "not a number"), ("1,5", 2, "not a number"), ("1 000", 2, "not a number"),
    ("1e3", 2, "exponent"), ("1E+3", 2, "exponent"), ("1e-2", 2, "exponent"),
    ("1_000", 2, "plain digits"), ("٣", 2, "plain digits"), ("１", 2, "plain digits"),
])
def test_amount_problem(raw, digits, problem):
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = None
    found = amount_problem(raw, value, digits)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found, found


def test_amount_format_names_each_bad_line():
    ctx = context(auction(auction_type="SEALED_BID"), lines={1: "1.001", 2: "NaN"})
    assert messages("amount_format", ctx) == [
        "line_items[0].unit_price: Amounts in this currency have at most 2 decimal place(s).",
        "line_items[1].unit_price: not a number (NaN, Infinity and other text are refused)."]


def test_amount_format_uses_the_currency_of_the_rfq():
    assert messages("amount_format", context(auction(currency="KWD"), amount="1.125")) == []
    assert messages("amount_format", context(auction(currency="JPY"), amount="1.1")) == [
        "amount: Amounts in this currency have at most 0 decimal place(s)."]


# --- line_items_complete -------------------------------------------------------------------

def sealed(**settings):
    return auction(auction_type="SEALED_BID", settings=settings)


@pytest.mark.parametrize(("lines", "partial", "expected"), [
    ({1: "1", 2: "1"}, False, []),
    ({1: "1"}, False, ["Price every line item; missing: 2."]),
    ({1: "1"}, True, []),
    ({1: "1", 2: "1", 9: "1"}, False, ["Line item(s) 9 are not part of this RFQ."]),
    ({9: "1"}, True, ["Line item(s) 9 are not part of this RFQ."]),
])
def test_line_items_complete(lines, partial, expected):
    assert messages("line_items_complete", context(sealed(allow_partial_bids=partial), lines=lines)) == expected


def test_line_items_complete_duplicates_and_empty():
    from auctions.drafts import LineInput, MoneyInput

    ctx = context(sealed(), lines={1: "1", 2: "1"})
    ctx.draft.lines.append(LineInput(2, MoneyInput.parse("2")))
    assert messages("line_items_complete", ctx) == ["Each line item may be priced once per quote."]
    assert messages("line_items_complete", context(sealed(), lines={})) == ["Price at least one line item."]


def test_line_items_complete_does_not_apply_to_reverse_auctions():
    from auctions.rules import REGISTRY

    for rule_id, phase in (("line_items_complete", "pre"), ("quote_validity", "locked")):
        assert not REGISTRY[rule_id].applies(action="place", auction_type="REVERSE_AUCTION", phase=phase)
        assert REGISTRY[rule_id].applies(action="place", auction_type="MULTI_ATTRIBUTE", phase=phase)
    assert not REGISTRY["criteria_responses_valid"].applies(action="place", auction_type="SEALED_BID", phase="pre")


# --- criteria_responses_valid --------------------------------------------------------------

NUMERIC = {"id": "days", "name": "Delivery", "type": "NUMERIC", "min_value": 0.0, "max_value": 60.0}
RATING = {"id": "service", "name": "Service", "type": "RATING", "min_value": 1, "max_value": 5}
BOOLEAN = {"id": "cert", "name": "Certified", "type": "BOOLEAN", "min_value": None, "max_value": None}


@pytest.mark.parametrize(("criterion", "value", "problem"), [
    (NUMERIC, 0, None), (NUMERIC, 60, None), (NUMERIC, 12.5, None), (NUMERIC, 60.0001, "between 0 and 60"),
    (NUMERIC, -1, "between 0 and 60"), (NUMERIC, "12", "answer with a number"), (NUMERIC, None, "number"),
    (NUMERIC, True, "answer with a number"), (NUMERIC, float("nan"), "number"), (NUMERIC, float("inf"), "number"),
    (NUMERIC, [1], "number"), (NUMERIC, 10**400, "between 0 and 60"),
    (RATING, 3, None), (RATING, 3.0, None), (RATING, 3.5, "whole number"), (RATING, 0, "between 1 and 5"),
    (BOOLEAN, True, None), (BOOLEAN, False, None), (BOOLEAN, 1, "true or false"), (BOOLEAN, "true", "true or false"),
])
def test_criterion_problem(criterion, value, problem):
    found = criterion_problem(criterion, value)
    assert (found is None) if problem is None else (problem in found), found


def test_criteria_responses_list_unknown_missing_and_wrong_answers_together():
    rfq = auction(auction_type="MULTI_ATTRIBUTE", settings={"criteria": [NUMERIC, RATING, BOOLEAN]})
    ctx = context(rfq, lines={1: "1", 2: "1"}, criteria={"days": 99, "colour": "red"})
    assert messages("criteria_responses_valid", ctx) == [
        "\"colour\" is not a criterion of this RFQ.", "Delivery: must be between 0 and 60.",
        "Answer the criterion \"Service\".", "Answer the criterion \"Certified\"."]
    good = context(rfq, lines={1: "1", 2: "1"}, criteria={"days": 3, "service": 5, "cert": False})
    assert messages("criteria_responses_valid", good) == []


def test_amount_format_bounds_a_quotes_total():
    rfq = auction(auction_type="SEALED_BID")
    at_max = context(rfq, lines={1: "12500000.00", 2: "25000000.00"})  # 40 × 12.5 M + 20 × 25 M = 1 000 M
    assert messages("amount_format", at_max) == []
    above = context(rfq, lines={1: "12500000.00", 2: "25000000.01"})
    assert messages("amount_format", above) == ["total: The quote's total exceeds the maximum of 1,000,000,000."]
    unknown = context(rfq, lines={1: "999999999", 9: "999999999"})  # line_items_complete's to refuse
    assert messages("amount_format", unknown) == []
