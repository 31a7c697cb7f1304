"""The auto-bidder of a per-line auction (bidding_basis PER_LINE): each line with a floor is
decided on its own figures (the state's `lines`) by the rule of the whole auction — the
line's minimum next bid, or lower by the line's own step, never below the line's floor,
rounded down to the minor unit, nothing while leading the line — and a bidder that does not
fit the auction is refused before it bids."""
from decimal import Decimal as D

import pytest

from quayside_client import AutoBidder, Market, PerLineBidder, WrongBidder
from quayside_client.autobid import check_bidder, line_markets

RICE, FLOUR, OIL = 7, 8, 9
SETTINGS = {"bidding_basis": "PER_LINE", "minimum_decrement": "10.00", "decrement_type": "AMOUNT"}
# Rice: led by another supplier at 900 (own best 950, rank 2); flour: led by this supplier at 450.
STATE = {"status": "open", "mode": "live", "currency": "USD", "seq": 12, "bid_count": 5, "lines": [
    {"line_item_id": RICE, "starting_price": "1000.00", "leading_bid": "900.00", "bid_count": 3, "your_best": "950.00",
     "your_rank": 2, "minimum_next_bid": "890.00"},
    {"line_item_id": FLOUR, "starting_price": "500.00", "leading_bid": "450.00", "bid_count": 2, "your_best": "450.00",
     "your_rank": 1, "minimum_next_bid": "440.00"},
    {"line_item_id": OIL, "starting_price": "300.00", "leading_bid": None, "bid_count": 0, "your_best": None,
     "your_rank": None, "minimum_next_bid": "300.00"}]}


def decide(bidder, state=STATE, settings=SETTINGS):
    return bidder.decide(line_markets(state, settings))


def with_line(line_id, **figures):
    """STATE with line `line_id`'s figures replaced."""
    return {**STATE, "lines": [{**line, **figures} if line["line_item_id"] == line_id else line
                               for line in STATE["lines"]]}


def test_each_line_is_decided_on_its_own_figures():
    decisions = decide(PerLineBidder(floors={RICE: "800", FLOUR: "400", OIL: "250"}))
    assert (decisions[RICE].action, decisions[RICE].amount) == ("bid", D("890.00"))  # rice's own next bid
    assert (decisions[FLOUR].action, decisions[FLOUR].reason) == ("hold", "leading")  # leads flour
    assert (decisions[OIL].action, decisions[OIL].amount) == ("bid", D("300.00"))  # no bid yet: its ceiling


def test_lines_without_a_floor_are_not_bid_on():
    decisions = decide(PerLineBidder(floors={OIL: "250"}))
    assert list(decisions) == [OIL]


def test_each_line_has_its_own_floor():
    decisions = decide(PerLineBidder(floors={RICE: "890.01", OIL: "300"}))
    assert decisions[RICE].action == "hold" and "floor" in decisions[RICE].reason  # 890.00 < 890.01
    assert (decisions[OIL].action, decisions[OIL].amount) == ("bid", D("300.00"))  # down to its own floor
    assert decide(PerLineBidder(floors={RICE: "890"}))[RICE].amount == D("890.00")


def test_each_line_has_its_own_step():
    bidder = PerLineBidder(floors={RICE: "800", OIL: "100"}, steps={RICE: "25"})
    decisions = decide(bidder)
    assert decisions[RICE].amount == D("875.00")  # 900 - 25, below the auction's 890
    assert decisions[OIL].amount == D("300.00")  # no step of its own: the line's next bid
    assert decide(PerLineBidder(floors={RICE: "800"}, steps={RICE: "5"}))[RICE].amount == D("890.00")


def test_a_percentage_decrement_is_of_each_lines_own_leading_bid():
    settings = {**SETTINGS, "minimum_decrement": "2.5", "decrement_type": "PERCENTAGE"}
    # After a live event the next bid is not known: each line steps down from its own leading bid.
    state = {**STATE, "lines": [
        {"line_item_id": RICE, "leading_bid": "933.33", "your_best": "950.00"},
        {"line_item_id": FLOUR, "leading_bid": "450.00", "your_best": "460.00"}]}
    decisions = decide(PerLineBidder(floors={RICE: "800", FLOUR: "400"}), state, settings)
    assert decisions[RICE].amount == D("909.99")  # 933.33 - 23.33325 = 909.99675, rounded down
    assert decisions[FLOUR].amount == D("438.75")  # 450 - 11.25
    assert line_markets(state, settings)[FLOUR].decrement == D("11.25")


@pytest.mark.parametrize("currency, figures, step, expected", [
    ("USD", {"leading_bid": "900.00", "your_best": "950.00"}, "33.333", "866.66"),  # 900 - 33.333 = 866.667, down, never up
    ("JPY", {"leading_bid": "900", "your_best": "950", "minimum_next_bid": None}, "33.3", "866"),
    ("KWD", {"leading_bid": None, "your_best": None, "minimum_next_bid": None}, None, "94.123"),  # opening 94.12345
])
def test_line_amounts_are_rounded_down_to_the_currency(currency, figures, step, expected):
    # The digits: those of the amounts the server formatted, else the currency's.
    state = {**STATE, "currency": currency, "lines": [{"line_item_id": RICE, **figures}]}
    bidder = PerLineBidder(floors={RICE: "1"}, steps={RICE: step} if step else None, openings={RICE: "94.12345"})
    amount = decide(bidder, state)[RICE].amount
    assert amount == D(expected) and amount.as_tuple().exponent == D(expected).as_tuple().exponent


def test_the_floor_of_a_line_is_checked_after_rounding():
    state = with_line(RICE, minimum_next_bid=None)
    # 900 - 33.333 = 866.667, above the floor 866.665; rounded down to 866.66 it is below it.
    assert decide(PerLineBidder(floors={RICE: "866.665"}, steps={RICE: "33.333"}), state)[RICE].action == "hold"
    assert decide(PerLineBidder(floors={RICE: "866.66"}, steps={RICE: "33.333"}), state)[RICE].amount == D("866.66")


def test_leading_a_line_holds_it_by_rank_or_by_amount():
    assert decide(PerLineBidder(floors={FLOUR: "400"}))[FLOUR].action == "hold"
    # Ranks hidden: the own best at the line's leading bid is leading.
    unranked = with_line(RICE, your_rank=None, your_best="900.00")
    assert decide(PerLineBidder(floors={RICE: "800"}), unranked)[RICE].action == "hold"
    assert decide(PerLineBidder(floors={RICE: "800"}), with_line(RICE, your_rank=None))[RICE].action == "bid"


def test_a_closed_auction_stops_every_line_and_a_paused_one_waits():
    closed = decide(PerLineBidder(floors={RICE: "800", OIL: "250"}), {**STATE, "status": "closed"})
    assert {d.action for d in closed.values()} == {"stop"}
    paused = decide(PerLineBidder(floors={RICE: "800", OIL: "250"}), {**STATE, "status": "paused"})
    assert {d.action for d in paused.values()} == {"wait"}


def test_a_line_with_nothing_to_undercut_waits_unless_it_has_an_opening_bid():
    state = with_line(OIL, minimum_next_bid=None)  # no bid and no ceiling on oil
    assert decide(PerLineBidder(floors={OIL: "250"}), state)[OIL].action == "wait"
    opened = decide(PerLineBidder(floors={OIL: "250", RICE: "800"}, openings={OIL: "299.999"}), state)
    assert opened[OIL].amount == D("299.99") and opened[RICE].amount == D("890.00")


def test_a_line_the_state_does_not_show_waits():
    decisions = decide(PerLineBidder(floors={RICE: "800", 99: "10"}))
    assert decisions[99].action == "wait" and decisions[RICE].action == "bid"


def test_the_market_of_a_line_takes_the_lines_figures_and_the_auctions_status():
    market = line_markets({**STATE, "status": "paused", "mode": "live", "currency": "KWD"}, SETTINGS)[RICE]
    assert market == Market(status="paused", leading_bid=D("900.00"), your_best=D("950.00"), your_rank=2,
                            minimum_next_bid=D("890.00"), digits=2, decrement=D("10.00"))
    bare = line_markets({"status": "open", "currency": "KWD", "lines": [{"line_item_id": OIL}]})[OIL]
    assert bare.digits == 3 and bare.leading_bid is None
    assert line_markets({"status": "open"}) == {}


def test_floors_steps_and_openings_are_checked():
    assert PerLineBidder(floors={"7": "800"}).lines == [7]  # ids given as text, e.g. from a file
    with pytest.raises(ValueError, match="at least one line"):
        PerLineBidder(floors={})
    with pytest.raises(ValueError, match="line 8 without a floor"):
        PerLineBidder(floors={RICE: "800"}, steps={FLOUR: "5"})
    with pytest.raises(ValueError):
        PerLineBidder(floors={RICE: "0"})
    with pytest.raises(ValueError):
        PerLineBidder(floors={"rice": "800"})
    with pytest.raises(TypeError):
        PerLineBidder(floors={RICE: 800.5})


RFQ = {"id": 42, "auction": {"type": "REVERSE_AUCTION", "settings": SETTINGS},
       "line_items": [{"id": RICE, "description": "Rice 25kg"}, {"id": FLOUR, "description": "Flour 10kg"}]}
TOTAL = {**RFQ, "auction": {"type": "REVERSE_AUCTION", "settings": {"minimum_decrement": "100.00"}}}


def test_a_bidder_that_fits_the_auction_passes():
    check_bidder(RFQ, PerLineBidder(floors={RICE: "800"}))
    check_bidder(TOTAL, AutoBidder(floor="9000"))
    check_bidder({**TOTAL, "auction": {"type": "REVERSE_AUCTION", "settings": {"bidding_basis": "TOTAL"}}},
                 AutoBidder(floor="9000"))


def test_a_floor_for_the_whole_auction_is_refused_in_a_per_line_auction():
    with pytest.raises(WrongBidder) as refused:
        check_bidder(RFQ, AutoBidder(floor="9000"))
    message = str(refused.value)
    assert "RFQ 42 is bid line by line" in message and "--line-floor LINE_ID=AMOUNT" in message
    assert "7 (Rice 25kg), 8 (Flour 10kg)" in message


def test_per_line_floors_are_refused_in_an_auction_bid_on_its_total():
    with pytest.raises(WrongBidder, match="RFQ 42 takes no per-line bids .*--floor AMOUNT"):
        check_bidder(TOTAL, PerLineBidder(floors={RICE: "800"}))


def test_a_floor_for_a_line_the_rfq_lacks_is_refused():
    with pytest.raises(WrongBidder, match=r"line 99 is not a line of RFQ 42\. Its lines: 7 \(Rice 25kg\)"):
        check_bidder(RFQ, PerLineBidder(floors={RICE: "800", 99: "10"}))
