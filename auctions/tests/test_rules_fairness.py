"""Unit tests of the price rules: the decrement limit, ceiling, reserve, unusual drops, the
withdrawal limit."""
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auctions.mechanisms.reverse import minimum_next_bid

from .rule_context import auction, bid_at, check, context, messages


def settings(step, kind="AMOUNT"):
    return {"minimum_decrement": step, "decrement_type": kind}


@pytest.mark.parametrize(("step", "kind", "best", "digits", "limit"), [
    ("100.00", "AMOUNT", "9500", 2, "9400.00"),
    ("0.25", "AMOUNT", "1000.00", 2, "999.75"),
    ("2", "PERCENTAGE", "5000", 2, "4900.00"),
    ("1.5", "PERCENTAGE", "9999.99", 2, "9849.99"),  # 9849.990150
    ("0.5", "PERCENTAGE", "1000.99", 2, "995.98"),  # 995.98505: down, not to the nearest
    ("0.3", "PERCENTAGE", "123457", 0, "123086"),  # 123086.629 yen
    ("0.5", "PERCENTAGE", "0.01", 2, "0.00"),  # a step below the minor unit still moves the price
    ("1", "PERCENTAGE", "10.001", 3, "9.900"),  # KWD: 9.90099
])
def test_minimum_next_bid(step, kind, best, digits, limit):
    assert str(minimum_next_bid(settings(step, kind), Decimal(best), digits)) == limit


@given(best=st.decimals(min_value="0.01", max_value="1000000000", places=2),
       percent=st.decimals(min_value="0.01", max_value="50", places=2))
def test_the_percentage_limit_is_the_highest_price_that_beats_best_by_the_step(best, percent):
    limit = minimum_next_bid(settings(str(percent), "PERCENTAGE"), best, 2)
    step = best * percent / 100
    assert limit == limit.quantize(Decimal("0.01"))
    assert best - limit >= step  # the limit itself beats the best by the full step
    assert best - (limit + Decimal("0.01")) < step  # one cent more would not


@given(best=st.decimals(min_value="1", max_value="1000000000", places=0),
       step=st.decimals(min_value="1", max_value="1000", places=0))
def test_the_amount_limit_in_yen(best, step):
    assert minimum_next_bid(settings(str(step)), best, 0) == (best - step).quantize(Decimal(1), rounding=ROUND_DOWN)


def test_starting_price_ceiling():
    assert messages("starting_price_ceiling", context(amount="10000.00")) == []
    assert messages("starting_price_ceiling", context(amount="10000.01")) == [
        "Bids may not exceed the starting price of USD 10,000.00."]
    no_ceiling = auction(settings={"starting_price": None})
    assert messages("starting_price_ceiling", context(no_ceiling, amount="99999")) == []
    assert messages("starting_price_ceiling", context(amount="NaN")) == []  # amount_format's job


def test_minimum_decrement_judges_against_the_best_only_once_there_is_one():
    assert messages("minimum_decrement", context(auction(best=None), amount="9999")) == []
    assert messages("minimum_decrement", context(auction(best="9500"), amount="9400.00")) == []
    [found] = check("minimum_decrement", context(auction(best="9500"), amount="9400.01"))
    assert found.metadata == {"best": "9500", "maximum_allowed": "9400.00", "amount": "9400.01"}
    assert found.message == ("Bid at most USD 9,400.00: the current best is USD 9,500.00 and each bid must beat "
                             "it by the minimum decrement.")


def test_minimum_decrement_does_not_name_a_hidden_leading_bid():
    rfq = auction(best="9500", settings={"show_leading_bid": False})
    [found] = check("minimum_decrement", context(rfq, amount="9450.00"))
    assert found.message == "Your bid does not beat the current best bid by the minimum decrement."
    assert found.metadata == {"amount": "9450.00"}


def test_unusual_drop_warns_below_70_percent_of_the_best():
    assert check("unusual_drop", context(auction(best="10000"), amount="7000.00")) == []
    [found] = check("unusual_drop", context(auction(best="10000"), amount="6999.99"))
    assert found.severity == "warn" and found.message == "Your bid is 30% below the current best; check it is right."
    hidden = auction(best="10000", settings={"show_leading_bid": False})
    [quiet] = check("unusual_drop", context(hidden, amount="5000.00"))
    assert "10000" not in str(quiet.as_dict()) and "50%" not in quiet.message
    assert check("unusual_drop", context(auction(best=None), amount="1.00")) == []


@pytest.mark.parametrize("auction_type", ["REVERSE_AUCTION", "SEALED_BID"])
def test_reserve_disclosed_as_starting(auction_type):
    rfq = auction(auction_type=auction_type, reserve=("5000", "disclosed_as_starting"))
    at = {"amount": "5000.00"} if auction_type == "REVERSE_AUCTION" else {"lines": {1: "100.00", 2: "50.00"}}
    below = {"amount": "4999.99"} if auction_type == "REVERSE_AUCTION" else {"lines": {1: "100.00", 2: "49.99"}}
    [found] = check("reserve_disclosed_as_starting", context(rfq, **at))
    assert found.message == "Bids must be below the reserve of USD 5,000.00."
    assert found.metadata == ({"amount": "5000.00"} if auction_type == "REVERSE_AUCTION" else {})
    assert check("reserve_disclosed_as_starting", context(rfq, **below)) == []
    for visibility in ("hidden", "disclosed"):
        other = auction(auction_type=auction_type, reserve=("5000", visibility))
        assert check("reserve_disclosed_as_starting", context(other, **at)) == []


def test_bid_withdrawal_limit_counts_withdrawn_bids():
    used = [bid_at(60, withdrawn=True), bid_at(50, withdrawn=True), bid_at(40)]
    assert check("bid_withdrawal_limit", context(action="withdraw", own_bids=used)) == []
    [found] = check("bid_withdrawal_limit", context(action="withdraw", own_bids=used + [bid_at(30, withdrawn=True)]))
    assert found.message == "You have used all 3 withdrawals for this auction." and found.metadata == {"withdrawals": 3}


# --- Messages show money as people read it; metadata keeps the plain figures --------------------

def test_price_messages_format_money_and_keep_plain_metadata():
    [found] = check("minimum_decrement", context(auction(best="48800", currency="USD"), amount="48750.00"))
    assert found.message.startswith("Bid at most USD 48,700.00: the current best is USD 48,800.00 ")
    assert found.metadata == {"best": "48800", "maximum_allowed": "48700.00", "amount": "48750.00"}
    yen = auction(best="1250000", currency="JPY", settings={"starting_price": "1300000", "minimum_decrement": "1000"})
    [found] = check("minimum_decrement", context(yen, amount="1249500"))
    assert found.message.startswith("Bid at most JPY 1,249,000: the current best is JPY 1,250,000 ")
    assert messages("starting_price_ceiling", context(yen, amount="1300001")) == [
        "Bids may not exceed the starting price of JPY 1,300,000."]
    [drop] = check("implausible_drop", context(auction(best="48700"), amount="100.00"))
    assert "the current best of USD 48,700.00;" in drop.message


# --- A non-positive amount is a format error only ---------------------------------------------

@pytest.mark.parametrize("amount", ["-5.00", "0", "0.00", "-48700.00"])
def test_a_non_positive_amount_gets_no_price_rule_finding(amount):
    from auctions.rules.engine import run_rules

    rfq = auction(best="10000", reserve=("9000", "disclosed_as_starting"))
    ctx = context(rfq, amount=amount)
    assert run_rules(ctx, phase="locked") == []  # no "100% below the current best", no ceiling, no reserve
    assert messages("amount_format", ctx) == ["amount: The amount must be greater than zero."]
