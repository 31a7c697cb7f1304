"""The auto-bidder of a per-line auction follows each line from the events' own payloads (the
`lines` entries of bid_placed and bid_withdrawn, the line of a private rank_changed) and from
its own bids' answers, and the runner bids each line that should bid with its
`line_item_id` — against a stand-in client, no server."""
from decimal import Decimal

import pytest
from loop_thread import run
from stand_in import OutbidOnce, StandIn

from quayside_client import AutoBidder, AutoRunner, BidRejected, Event, PerLineBidder, Violation, WrongBidder
from quayside_client.autobid import line_markets
from quayside_client.autorun import after_own_bid, apply_event

RICE, FLOUR = 7, 8
SETTINGS = {"bidding_basis": "PER_LINE", "minimum_decrement": "10.00", "decrement_type": "AMOUNT",
            "rate_limit_bids_per_minute": 60}
START = {"type": "state", "status": "open", "mode": "live", "currency": "USD", "seq": 7, "bid_count": 3, "lines": [
    {"line_item_id": RICE, "starting_price": "1000.00", "leading_bid": "900.00", "bid_count": 2,
     "your_best": "900.00", "your_rank": 1, "minimum_next_bid": "890.00"},
    {"line_item_id": FLOUR, "starting_price": "500.00", "leading_bid": "450.00", "bid_count": 1,
     "your_best": None, "your_rank": None, "minimum_next_bid": "440.00"}]}
BIDDER = PerLineBidder(floors={RICE: "800.00", FLOUR: "400.00"})


def line(state, line_id):
    return next(entry for entry in state["lines"] if entry["line_item_id"] == line_id)


def decisions(state):
    return BIDDER.decide(line_markets(state, SETTINGS))


def placed(seq, line_id, leading, count):
    return Event("bid_placed", {"type": "bid_placed", "seq": seq, "prev_seq": seq - 1, "rfq": 1, "bid_count": 9,
                                "lines": [{"line_item_id": line_id, "leading_bid": leading, "bid_count": count}]})


def test_an_undercut_on_one_line_moves_that_line_only():
    outbid = apply_event(START, placed(9, RICE, "880.00", 3))
    rice, flour = line(outbid, RICE), line(outbid, FLOUR)
    assert (rice["leading_bid"], rice["bid_count"]) == ("880.00", 3)
    assert "minimum_next_bid" not in rice and "your_rank" not in rice  # stale: the amounts decide
    assert flour == line(START, FLOUR) and "leading_bid" not in outbid  # no auction-wide leading bid
    assert (outbid["seq"], outbid["bid_count"]) == (9, 9)
    now = decisions(outbid)
    assert (now[RICE].action, now[RICE].amount) == ("bid", Decimal("870.00"))  # 880 - 10
    assert (now[FLOUR].action, now[FLOUR].amount) == ("bid", Decimal("440.00"))  # unchanged


def test_a_withdrawal_raises_the_lines_leading_bid_and_its_next_bid():
    state = apply_event(START, placed(9, FLOUR, "430.00", 2))
    withdrawn = apply_event(state, Event("bid_withdrawn", {"type": "bid_withdrawn", "seq": 10, "prev_seq": 9,
                                                           "lines": [{"line_item_id": FLOUR, "leading_bid": "460.00",
                                                                      "bid_count": 1}]}))
    assert decisions(withdrawn)[FLOUR].amount == Decimal("450.00")  # 460 - 10


def test_a_private_rank_is_the_rank_on_its_line():
    # The server names the line beside the rank; the contract's form is an entry of `lines`.
    for data in ({"line_item_id": RICE, "your_rank": 2}, {"lines": [{"line_item_id": RICE, "your_rank": 2}]}):
        ranked = apply_event(START, Event("rank_changed", {"type": "rank_changed", "seq": 9, "private": True, **data}))
        assert line(ranked, RICE)["your_rank"] == 2 and "your_rank" not in ranked
        assert line(ranked, FLOUR) == line(START, FLOUR) and ranked["seq"] == 7
        assert decisions(ranked)[RICE].amount == Decimal("890.00")  # no longer leading rice


def test_the_close_stops_every_line():
    closed = apply_event(START, Event("auction_closed", {"type": "auction_closed", "seq": 9, "status": "closed"}))
    assert {d.action for d in decisions(closed).values()} == {"stop"}


def test_the_own_accepted_bid_makes_it_lead_its_line_only():
    mine = after_own_bid(START, {"id": 5, "amount": "440.00", "rank": 1, "line_item_id": FLOUR,
                                 "lines": [{"line_item_id": FLOUR, "leading_bid": "440.00"}]}, FLOUR)
    flour = line(mine, FLOUR)
    assert (flour["your_best"], flour["your_rank"], flour["leading_bid"]) == ("440.00", 1, "440.00")
    assert "minimum_next_bid" not in flour and line(mine, RICE) == line(START, RICE)
    assert [entry["line_item_id"] for entry in mine["lines"]] == [RICE, FLOUR]  # order kept
    assert {d.action for d in decisions(mine).values()} == {"hold"}


RFQ = {"id": 1, "auction": {"type": "REVERSE_AUCTION", "settings": SETTINGS},
       "line_items": [{"id": RICE, "description": "Rice"}, {"id": FLOUR, "description": "Flour"}]}
CLOSED = Event("auction_closed", {"type": "auction_closed", "seq": 20, "status": "closed"})


def test_the_runner_bids_each_line_with_its_line_item_id_and_follows_the_lines_events():
    events = [Event("state", START), placed(9, RICE, "880.00", 3), placed(10, RICE, "790.00", 5),
              placed(11, FLOUR, "400.00", 4), CLOSED]
    client = StandIn(RFQ, events, START)
    log = []
    report = run(AutoRunner(client, 1, BIDDER, say=log.append).run(seconds=5))
    assert client.placed == [
        (FLOUR, "440.00"),  # the state: leads rice, not flour
        (RICE, "870.00"),  # outbid on rice at 880
        # rice at 790: 780 would be below its floor of 800; flour at 400: 390 below its floor of 400
    ], log
    assert report.line_bids == {FLOUR: [Decimal("440.00")], RICE: [Decimal("870.00")]}
    assert report.stopped == "auction closed"
    assert report.line_decisions[RICE].action == "stop"
    assert any(entry.startswith("line 7: hold: floor reached") for entry in log), log
    assert any(entry.startswith("line 8: hold: floor reached") for entry in log), log


def test_a_line_refused_for_good_waits_while_the_others_bid():
    class Refusing(StandIn):
        async def place_bid(self, rfq_id, amount, *, line_item_id=None):
            if line_item_id == FLOUR:
                self.placed.append((line_item_id, "refused"))
                raise BidRejected(422, "bid_rejected", "refused", violations=[
                    Violation("amendment_acknowledged", "eligibility", "block", "acknowledge amendment 1")])
            return await super().place_bid(rfq_id, amount, line_item_id=line_item_id)

    state = {**START, "lines": [line(START, FLOUR), {**line(START, RICE), "your_rank": 2, "your_best": "950.00"}]}
    client = Refusing(RFQ, [Event("state", state), placed(9, RICE, "880.00", 3), CLOSED], state)
    run(AutoRunner(client, 1, PerLineBidder(floors={FLOUR: "400", RICE: "800"})).run(seconds=5))
    # Flour is not tried again until flour changes; rice goes on.
    assert client.placed == [(FLOUR, "refused"), (RICE, "890.00"), (RICE, "870.00")]


def test_a_private_rank_overtaken_by_the_own_bid_on_its_line_is_not_applied():
    def rank(seq, line_id, value):
        return Event("rank_changed", {"type": "rank_changed", "seq": seq, "private": True, "line_item_id": line_id,
                                      "your_rank": value})

    events = [Event("state", START), placed(9, RICE, "880.00", 3), rank(9, RICE, 2),  # answered with 870
              placed(10, RICE, "870.00", 4), rank(10, RICE, 1),  # the own bid
              placed(11, FLOUR, "430.00", 2), placed(12, RICE, "860.00", 5), rank(12, RICE, 2), CLOSED]
    client = StandIn(RFQ, events, START)
    run(AutoRunner(client, 1, BIDDER).run(seconds=5))
    assert client.placed == [(FLOUR, "440.00"), (RICE, "870.00"), (FLOUR, "420.00"), (RICE, "850.00")]


def test_line_events_a_state_read_covers_are_not_applied_after_it():
    # Flour: 440 refused; read after it, flour is at 410, its next bid 400 below the floor 405.
    read = {**START, "seq": 10, "lines": [line(START, RICE), {**line(START, FLOUR), "leading_bid": "410.00",
                                                              "minimum_next_bid": "400.00"}]}
    events = [Event("state", START), placed(8, FLOUR, "420.00", 2), placed(10, FLOUR, "410.00", 3), CLOSED]
    client = OutbidOnce(RFQ, events, read)
    run(AutoRunner(client, 1, PerLineBidder(floors={RICE: "800", FLOUR: "405"})).run(seconds=5))
    assert client.placed == [(FLOUR, "440.00")]  # not 410 on the stale 420 of seq 8


@pytest.mark.parametrize("rfq, bidder, words", [
    (RFQ, AutoBidder(floor="800"), "bid line by line"),
    ({**RFQ, "auction": {"type": "REVERSE_AUCTION", "settings": {}}}, BIDDER, "takes no per-line bids"),
])
def test_the_runner_refuses_a_bidder_that_does_not_fit_before_any_bid(rfq, bidder, words):
    client = StandIn(rfq, [Event("state", START), CLOSED], START)
    with pytest.raises(WrongBidder, match=words):
        run(AutoRunner(client, 1, bidder).run(seconds=5))
    assert client.placed == []
