"""The auto-bidder's decisions: the minimum step below the leader, a bigger step on request,
never below the floor, amounts rounded to the currency's minor unit, nothing while leading."""
from decimal import Decimal as D

import pytest

from quayside_client import AutoBidder, Market


def market(**fields):
    base = {"status": "open", "leading_bid": D("9500.00"), "your_rank": 2, "your_best": D("9600.00"),
            "minimum_next_bid": D("9400.00"), "digits": 2}
    return Market(**{**base, **fields})


def test_not_leading_it_bids_the_highest_amount_the_auction_accepts():
    decision = AutoBidder(floor="9000").decide(market())
    assert (decision.action, decision.amount) == ("bid", D("9400.00"))


def test_a_bigger_step_bids_lower_and_a_smaller_one_changes_nothing():
    assert AutoBidder(floor="9000", step="250").decide(market()).amount == D("9250.00")
    assert AutoBidder(floor="9000", step="10").decide(market()).amount == D("9400.00")  # the auction's step rules


def test_leading_it_holds():
    assert AutoBidder(floor="9000").decide(market(your_rank=1)).action == "hold"
    # Without a rank (not shown), its own best at the leading bid is leading.
    assert AutoBidder(floor="9000").decide(market(your_rank=None, your_best=D("9500.00"))).action == "hold"


def test_never_below_the_floor_but_down_to_it():
    assert AutoBidder(floor="9400").decide(market()).amount == D("9400.00")
    held = AutoBidder(floor="9400.01").decide(market())
    assert held.action == "hold" and "floor" in held.reason
    assert AutoBidder(floor="9360", step="150").decide(market()).action == "hold"  # 9500 - 150 = 9350
    assert AutoBidder(floor="9350", step="150").decide(market()).amount == D("9350.00")


@pytest.mark.parametrize("digits, limit, step, expected", [
    (2, "9412.347", None, "9412.34"),  # down, never up: up would break the auction's step
    (0, "9412.9", None, "9412"),  # JPY
    (3, "94.12345", None, "94.123"),  # KWD
    (2, "9500.00", "33.333", "9466.66"),  # the leading 9500 less 33.333
])
def test_amounts_are_rounded_down_to_the_currency(digits, limit, step, expected):
    bidder = AutoBidder(floor="1", step=step)
    amount = bidder.decide(market(minimum_next_bid=D(limit), digits=digits, leading_bid=D("9500"))).amount
    assert amount == D(expected) and amount.as_tuple().exponent == -digits


def test_the_floor_is_checked_after_rounding():
    # 9400.009 rounds down to 9400.00, which is below a floor of 9400.005.
    assert AutoBidder(floor="9400.005").decide(market(minimum_next_bid=D("9400.009"))).action == "hold"


def test_closed_stops_paused_waits_sealed_holds():
    assert AutoBidder(floor="9000").decide(market(status="closed")).action == "stop"
    assert AutoBidder(floor="9000").decide(market(status="cancelled")).action == "stop"
    assert AutoBidder(floor="9000").decide(market(status="paused")).action == "wait"
    assert AutoBidder(floor="9000").decide(market(mode="sealed")).action == "hold"


def test_nothing_to_undercut_waits_unless_an_opening_bid_is_given():
    empty = market(leading_bid=None, your_best=None, your_rank=None, minimum_next_bid=None)
    assert AutoBidder(floor="9000").decide(empty).action == "wait"
    assert AutoBidder(floor="9000", opening="9999.999").decide(empty).amount == D("9999.99")


def test_the_starting_price_is_the_first_bid():
    first = market(leading_bid=None, your_best=None, your_rank=None, minimum_next_bid=D("10000.00"))
    assert AutoBidder(floor="9000", step="100").decide(first).amount == D("10000.00")


def test_with_the_leading_bid_hidden_it_steps_down_from_its_own_best():
    hidden = market(leading_bid=None, minimum_next_bid=None, your_rank=3, your_best=D("9600.00"))
    assert AutoBidder(floor="9000", step="50").decide(hidden).amount == D("9550.00")
    assert AutoBidder(floor="9000").decide(market(leading_bid=None, minimum_next_bid=None, your_rank=3,
                                                  decrement=D("25"))).amount == D("9575.00")


def test_market_from_state_reads_the_contract_fields():
    state = {"status": "open", "leading_bid": "9500", "your_rank": 2, "your_best": "9600", "minimum_next_bid": "9400",
             "currency": "JPY", "mode": "live"}
    read = Market.from_state(state, {"minimum_decrement": "2.5", "decrement_type": "PERCENTAGE"})
    assert read.digits == 0 and read.leading_bid == D("9500") and read.decrement == D("237.5")
    assert Market.from_state({"status": "open", "currency": "KWD"}).digits == 3


def test_floor_and_step_must_be_positive_and_floats_are_refused():
    with pytest.raises(ValueError):
        AutoBidder(floor="0")
    with pytest.raises(ValueError):
        AutoBidder(floor="9000", step="-1")
    with pytest.raises(TypeError):
        AutoBidder(floor=9000.5)
