"""Reconnect delays: full jitter within an exponentially growing, capped ceiling."""
import random

import pytest

from quayside_client import Backoff


def test_every_delay_lies_between_zero_and_the_capped_ceiling():
    backoff = Backoff(base=0.25, cap=8.0, uniform=random.Random(7).uniform)
    for attempt in range(40):
        ceiling = min(8.0, 0.25 * 2 ** attempt)
        delays = [Backoff(base=0.25, cap=8.0, uniform=random.Random(seed).uniform) for seed in range(50)]
        for other in delays:
            other.attempt = attempt
        assert all(0.0 <= other.next_delay() <= ceiling for other in delays)
        assert 0.0 <= backoff.next_delay() <= ceiling


def test_the_ceiling_doubles_until_the_cap_and_the_jitter_spans_it():
    seen = []
    backoff = Backoff(base=0.5, cap=4.0, uniform=lambda low, high: seen.append((low, high)) or high)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(low == 0.0 for low, _ in seen)  # full jitter: anywhere from no wait at all


def test_the_jitter_spreads_clients_out():
    delays = [Backoff(base=1.0, cap=10.0, uniform=random.Random(seed).uniform) for seed in range(200)]
    for backoff in delays:
        backoff.attempt = 3
    values = [backoff.next_delay() for backoff in delays]
    assert min(values) < 2.0 and max(values) > 6.0  # not all at the same moment


def test_reset_starts_again_from_the_shortest_wait_and_many_failures_never_overflow():
    backoff = Backoff(base=0.25, cap=15.0, uniform=lambda low, high: high)
    for _ in range(5000):
        assert backoff.next_delay() <= 15.0
    backoff.reset()
    assert backoff.next_delay() == 0.25


@pytest.mark.parametrize("base, cap, factor", [(0, 1, 2), (2, 1, 2), (1, 2, 0.5)])
def test_nonsense_settings_are_refused(base, cap, factor):
    with pytest.raises(ValueError):
        Backoff(base=base, cap=cap, factor=factor)
