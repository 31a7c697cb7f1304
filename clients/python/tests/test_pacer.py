"""The auto-bidder's pace: the cool-down after its own bid, the rate limit over a sliding
minute, and a 429's Retry-After, learning a cool-down the settings did not show."""
from quayside_client import Pacer, Violation
from quayside_client.autorun import MARGIN


def test_the_cool_down_spaces_own_bids():
    pacer = Pacer.from_settings({"cool_down_seconds": 2, "rate_limit_bids_per_minute": 60})
    assert pacer.delay(100.0) == 0
    pacer.record(100.0)
    assert abs(pacer.delay(100.5) - (1.5 + MARGIN)) < 1e-9
    assert pacer.delay(102.1) == 0


def test_no_more_bids_than_the_rate_limit_in_any_minute():
    pacer = Pacer(per_minute=3)
    for at in (0.0, 1.0, 2.0):
        assert pacer.delay(at) == 0
        pacer.record(at)
    assert abs(pacer.delay(3.0) - (57.0 + MARGIN)) < 1e-9  # the first of the three leaves the window at 60
    assert pacer.delay(60.1) == 0


def test_a_429_is_obeyed_and_teaches_the_cool_down():
    pacer = Pacer()
    pacer.record(10.0)
    refusal = [Violation("cool_down", "timing", "block", "Wait 30 s", metadata={"retry_after": 30,
                                                                               "cool_down_seconds": 30})]
    pacer.obey(10.5, 30, refusal)
    assert abs(pacer.delay(11.0) - 29.5) < 1e-9
    assert pacer.cool_down == 30
    pacer.record(41.0)
    assert pacer.delay(50.0) > 20  # the learnt cool-down holds for the next bid too


def test_a_429_without_retry_after_waits_a_second():
    pacer = Pacer()
    pacer.obey(5.0, None, [])
    assert pacer.delay(5.0) == 1.0
