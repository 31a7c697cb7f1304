"""The gaming scan's debounce window, remembered per process: one cache call per window and
process instead of one per bid, and never a bid left unscanned."""
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache

from oversight.gaming import scheduling, tasks

RFQ = 987_654_321  # no RFQ of any test: the window lives in the shared cache


class CountingCache:
    """The real cache, its calls counted."""

    def __init__(self):
        self.calls: list[str] = []

    def __getattr__(self, name):
        self.calls.append(name)
        return getattr(cache, name)


@pytest.fixture
def world(monkeypatch):
    scheduled: list[list] = []
    monkeypatch.setattr(tasks.scan_rfq_for_gaming, "apply_async",
                        lambda args, countdown: scheduled.append([*args, countdown]))
    counting, clock = CountingCache(), SimpleNamespace(now=1_900_000_000.0)
    monkeypatch.setattr(scheduling, "cache", counting)
    monkeypatch.setattr(scheduling, "time", SimpleNamespace(time=lambda: clock.now))
    cache.delete(scheduling.gaming_scan_key(RFQ))
    scheduling.forget_scan_windows()
    yield SimpleNamespace(scheduled=scheduled, cache=counting, clock=clock)
    cache.delete(scheduling.gaming_scan_key(RFQ))
    scheduling.forget_scan_windows()


def test_the_first_bid_opens_the_window_and_the_others_of_it_cost_no_cache_call(world):
    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    scheduling._schedule(RFQ)
    assert world.scheduled == [[RFQ, "bidding", window]]
    assert world.cache.calls == ["add"]
    for _ in range(50):
        world.clock.now += (window - 2) / 50
        scheduling._schedule(RFQ)
    assert world.cache.calls == ["add"] and len(world.scheduled) == 1


def test_a_window_another_process_opened_is_learnt_once(world):
    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    ends = world.clock.now + window - 5  # opened five seconds ago elsewhere
    cache.add(scheduling.gaming_scan_key(RFQ), ends, timeout=window)
    for _ in range(10):
        scheduling._schedule(RFQ)
    assert world.scheduled == [] and world.cache.calls == ["add", "get"]


def test_after_the_window_the_next_bid_schedules_the_next_scan(world):
    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    scheduling._schedule(RFQ)
    world.clock.now += window - scheduling.CLOCK_MARGIN / 2  # inside the margin: the cache is asked
    scheduling._schedule(RFQ)
    assert world.cache.calls[1:] == ["add", "get"] and len(world.scheduled) == 1
    cache.delete(scheduling.gaming_scan_key(RFQ))  # as the cache's own expiry would
    world.clock.now += window
    scheduling._schedule(RFQ)
    assert len(world.scheduled) == 2 and world.cache.calls[-1] == "add"


def test_a_window_stored_without_its_end_is_asked_every_time(world):
    """What a process of the previous release stored (1): no end to remember."""
    cache.add(scheduling.gaming_scan_key(RFQ), 1, timeout=60)
    for _ in range(3):
        scheduling._schedule(RFQ)
    assert world.scheduled == [] and world.cache.calls == ["add", "get"] * 3


def test_ending_the_window_lets_the_next_bid_schedule(world):
    scheduling._schedule(RFQ)
    scheduling.end_scan_window(RFQ)
    scheduling._schedule(RFQ)
    assert len(world.scheduled) == 2


def test_the_memory_forgets_ended_windows_when_full(world, monkeypatch):
    monkeypatch.setattr(scheduling, "MEMORY", 4)
    for n in range(4):
        scheduling._remember(n, world.clock.now + (10 if n % 2 else -10))
    scheduling._remember(99, world.clock.now + 10)
    assert sorted(scheduling._window_ends) == [1, 3, 99]
