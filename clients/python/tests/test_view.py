"""What `watch` shows: the auction as state and events leave it, counted down on the server's clock."""
from quayside_client import Event, ServerClock
from quayside_client.clock import countdown
from quayside_client.view import AuctionView


def clock_at(server_time: str, local: float = 1000.0) -> ServerClock:
    clock = ServerClock(now=lambda: local)
    clock.observe(server_time)
    return clock


def test_the_countdown_runs_on_the_server_clock_whatever_the_local_one_says():
    clock = clock_at("2026-12-01T10:00:00Z")  # the local clock is decades behind
    view = AuctionView(42, clock)
    view.apply(Event("state", {"status": "open", "bidding_deadline": "2026-12-01T10:04:31Z", "leading_bid": "9500.00",
                               "currency": "USD", "bid_count": 3, "your_rank": 2, "seq": 5}))
    assert view.time_left() == "00:04:31"
    assert view.line() == ("RFQ 42 open | rank 2 | leading 9500.00 USD | bids 3 | deadline 2026-12-01T10:04:31Z "
                           "(00:04:31 left)")


def test_events_move_the_picture():
    view = AuctionView(42, clock_at("2026-12-01T10:00:00Z"))
    view.apply(Event("state", {"status": "open", "bidding_deadline": "2026-12-01T10:01:00Z", "seq": 5}))
    view.apply(Event("bid_placed", {"type": "bid_placed", "seq": 7, "leading_bid": "9400.00", "bid_count": 4}))
    view.apply(Event("rank_changed", {"type": "rank_changed", "seq": 7, "private": True, "your_rank": 2}))
    view.apply(Event("deadline_extended", {"type": "deadline_extended", "seq": 8,
                                           "bidding_deadline": "2026-12-01T10:03:00Z"}))
    assert (view.leading_bid, view.bid_count, view.your_rank, view.time_left()) == ("9400.00", 4, 2, "00:03:00")
    view.apply(Event("auction_paused", {"type": "auction_paused", "seq": 9, "status": "paused", "at": "x"}))
    assert view.time_left() == "paused"
    view.apply(Event("auction_closed", {"type": "auction_closed", "seq": 10, "status": "closed"}))
    assert view.time_left() == "closed" and view.line().endswith("(closed)")


def test_countdown_format():
    from datetime import timedelta

    assert countdown(timedelta(seconds=59)) == "00:00:59"
    assert countdown(timedelta(days=2, hours=3, minutes=4, seconds=5)) == "2d 03:04:05"
    assert countdown(None) == "--:--:--"
