"""The auto-bidder keeps what it knows from the events' own payloads (autorun.apply_event),
not from a `/state/` read per event: a new leading bid, the private rank, an extension, the
close, and its own accepted bid each move the state it decides on."""
from decimal import Decimal

from quayside_client import AutoBidder, Event, Market
from quayside_client.autorun import after_own_bid, apply_event

SETTINGS = {"minimum_decrement": "10.00", "decrement_type": "AMOUNT"}
START = {"type": "state", "status": "open", "seq": 7, "leading_bid": "9500.00", "your_best": "9500.00", "your_rank": 1,
         "minimum_next_bid": "9490.00", "bid_count": 3, "bidding_deadline": "2026-12-04T12:00:00Z", "extensions": 0}


def decide(state):
    return AutoBidder(floor="9000.00").decide(Market.from_state(state, SETTINGS))


def test_the_first_state_is_taken_as_it_is():
    assert apply_event({}, Event("state", START)) == START
    assert decide(START).action == "hold"  # leading


def test_an_undercut_makes_the_bidder_step_down_from_the_new_leading_bid():
    outbid = apply_event(START, Event("bid_placed", {"type": "bid_placed", "seq": 9, "prev_seq": 7,
                                                     "leading_bid": "9480.00", "bid_count": 4}))
    assert outbid["leading_bid"] == "9480.00" and outbid["bid_count"] == 4 and outbid["seq"] == 9
    assert "minimum_next_bid" not in outbid and "your_rank" not in outbid  # stale: the amounts decide
    decision = decide(outbid)
    assert (decision.action, decision.amount) == ("bid", Decimal("9470.00"))


def test_the_private_rank_and_the_deadline_and_the_close_are_applied():
    ranked = apply_event(START, Event("rank_changed", {"type": "rank_changed", "seq": 9, "private": True,
                                                       "your_rank": 2}))
    assert ranked["your_rank"] == 2 and ranked["seq"] == 7  # a private event moves no public seq
    extended = apply_event(ranked, Event("deadline_extended", {"type": "deadline_extended", "seq": 10,
                                                               "bidding_deadline": "2026-12-04T12:01:00Z",
                                                               "extension_number": 1}))
    assert extended["bidding_deadline"] == "2026-12-04T12:01:00Z" and extended["extensions"] == 1
    closed = apply_event(extended, Event("auction_closed", {"type": "auction_closed", "seq": 11, "status": "closed"}))
    assert decide(closed).action == "stop"


def test_the_own_accepted_bid_makes_it_lead_without_a_read():
    outbid = apply_event(START, Event("bid_placed", {"type": "bid_placed", "seq": 9, "leading_bid": "9480.00"}))
    mine = after_own_bid(outbid, {"id": 5, "amount": "9470.00", "status": "accepted"})
    assert mine["your_best"] == "9470.00" and decide(mine).action == "hold"
    told = after_own_bid(outbid, {"id": 5, "amount": "9470.00", "rank": 1, "leading_bid": "9470.00"})
    assert (told["your_rank"], told["leading_bid"]) == (1, "9470.00")


def test_a_private_rank_overtaken_by_the_own_bid_is_not_applied():
    """A rank_changed repeats the seq of the bid it belongs to and arrives after it, when the
    bidder has already answered that bid with its own: that rank is older than the answer's."""
    from loop_thread import run
    from stand_in import StandIn

    from quayside_client import AutoRunner

    rfq = {"id": 1, "auction": {"type": "REVERSE_AUCTION", "settings": SETTINGS}, "line_items": []}
    events = [Event("state", START),
              Event("bid_placed", {"type": "bid_placed", "seq": 9, "prev_seq": 7, "leading_bid": "9480.00"}),
              Event("rank_changed", {"type": "rank_changed", "seq": 9, "private": True, "your_rank": 2}),
              Event("bid_placed", {"type": "bid_placed", "seq": 10, "prev_seq": 9, "leading_bid": "9470.00"}),
              Event("rank_changed", {"type": "rank_changed", "seq": 10, "private": True, "your_rank": 1}),
              Event("bid_placed", {"type": "bid_placed", "seq": 11, "prev_seq": 10, "leading_bid": "9460.00"}),
              Event("rank_changed", {"type": "rank_changed", "seq": 11, "private": True, "your_rank": 2}),
              Event("auction_closed", {"type": "auction_closed", "seq": 12, "status": "closed"})]
    client = StandIn(rfq, events, START)
    run(AutoRunner(client, 1, AutoBidder(floor="9000.00")).run(seconds=5))
    # 9470 answers 9480; the rank 2 of seq 9 is not taken for being outbid by itself (9460).
    # 9450 answers 9460 (seq 11), whose own rank 2 comes after it too.
    assert client.placed == [(None, "9470.00"), (None, "9450.00")]


def test_events_a_state_read_covers_are_not_applied_after_it():
    """The runner reads /state/ after a refused bid; the events that came meanwhile are yielded
    after that read, and their older figures must not undo it (here: make it bid again)."""
    from loop_thread import run
    from stand_in import OutbidOnce

    from quayside_client import AutoRunner

    rfq = {"id": 1, "auction": {"type": "REVERSE_AUCTION", "settings": SETTINGS}, "line_items": []}
    behind = {**START, "leading_bid": "9450.00", "your_best": "9500.00", "your_rank": 2, "minimum_next_bid": "9440.00"}
    # Read after the refusal: another supplier went down to 9200, the next bid 9190 is below the floor.
    read = {**behind, "seq": 10, "leading_bid": "9200.00", "minimum_next_bid": "9190.00", "bid_count": 6}
    events = [Event("state", behind),
              Event("bid_placed", {"type": "bid_placed", "seq": 8, "prev_seq": 7, "leading_bid": "9350.00"}),
              Event("bid_placed", {"type": "bid_placed", "seq": 10, "prev_seq": 8, "leading_bid": "9200.00"}),
              Event("auction_closed", {"type": "auction_closed", "seq": 11, "status": "closed"})]
    client = OutbidOnce(rfq, events, read)
    run(AutoRunner(client, 1, AutoBidder(floor="9250.00")).run(seconds=5))
    # Not 9340 (9350 - 10, above the floor) on the stale event of seq 8.
    assert client.placed == [(None, "9440.00")]
