"""Unit tests of the timing rules: the bidding window, cool-down, rate limit."""
import datetime

import pytest

from .rule_context import NOW, auction, bid_at, check, context, messages

TIGHT = [{"trigger_seconds": 300, "extension_seconds": 180, "max_extensions": 10, "cool_down_seconds": 0},
         {"trigger_seconds": 120, "extension_seconds": 120, "max_extensions": 5, "cool_down_seconds": 30},
         {"trigger_seconds": 30, "extension_seconds": 60, "max_extensions": 3, "cool_down_seconds": 60}]


@pytest.mark.parametrize(("rfq", "message"), [
    (auction(), None),
    (auction(status="paused"), "Bidding is paused by the buyer."),
    (auction(status="published"), "Bidding is not open (the RFQ is published)."),
    (auction(status="closed"), "Bidding is not open (the RFQ is closed)."),
    (auction(opens_at=NOW + datetime.timedelta(seconds=1)), "Bidding has not opened yet."),
    (auction(deadline_in=datetime.timedelta(0)), "The bidding deadline has passed."),
    (auction(deadline_in=datetime.timedelta(microseconds=-1)), "The bidding deadline has passed."),
    (auction(deadline_in=datetime.timedelta(microseconds=1)), None),
])
def test_within_bidding_window(rfq, message):
    for action in ("place", "withdraw"):
        assert messages("within_bidding_window", context(rfq, amount="1", action=action)) == (
            [message] if message else [])


def test_cool_down_from_the_settings():
    rfq = auction(settings={"cool_down_seconds": 30})
    [found] = check("cool_down", context(rfq, amount="1", own_bids=[bid_at(10)]))
    assert found.metadata == {"retry_after": 20, "cool_down_seconds": 30}
    assert check("cool_down", context(rfq, amount="1", own_bids=[bid_at(30)])) == []
    assert check("cool_down", context(rfq, amount="1")) == []


@pytest.mark.parametrize(("remaining", "cool_down"), [(250, 0), (100, 30), (20, 60)])
def test_cool_down_of_the_tight_tiers(remaining, cool_down):
    rfq = auction(settings={"extension_tiers": TIGHT}, deadline_in=datetime.timedelta(seconds=remaining))
    found = check("cool_down", context(rfq, amount="1", own_bids=[bid_at(1)]))
    if cool_down:
        assert found[0].metadata == {"retry_after": cool_down - 1, "cool_down_seconds": cool_down}
    else:
        assert found == []


def test_rate_limit_per_minute():
    rfq = auction(settings={"rate_limit_bids_per_minute": 3})
    recent = [bid_at(50), bid_at(20), bid_at(5)]
    [found] = check("rate_limit", context(rfq, amount="1", own_bids=recent))
    assert found.metadata == {"retry_after": 10, "limit_per_minute": 3}
    # Bids older than a minute do not count.
    assert check("rate_limit", context(rfq, amount="1", own_bids=[bid_at(61)] + recent[1:])) == []


def test_rate_limit_in_the_final_minutes_is_one_per_10_seconds():
    rfq = auction(deadline_in=datetime.timedelta(seconds=119))
    [found] = check("rate_limit", context(rfq, amount="1", own_bids=[bid_at(4)]))
    assert found.metadata == {"retry_after": 6}
    assert check("rate_limit", context(rfq, amount="1", own_bids=[bid_at(10)])) == []
    early = auction(deadline_in=datetime.timedelta(seconds=121))
    assert check("rate_limit", context(early, amount="1", own_bids=[bid_at(4)])) == []


def test_the_retry_after_is_at_least_one_second():
    rfq = auction(settings={"cool_down_seconds": 5})
    [found] = check("cool_down", context(rfq, amount="1", own_bids=[bid_at(4.999)]))
    assert found.metadata["retry_after"] == 1
