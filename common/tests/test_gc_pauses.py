"""common.gc_pauses: the collector tuned for a server process, and its slow full collections logged."""
from __future__ import annotations

import gc
import logging

import pytest

from common import gc_pauses


@pytest.fixture
def collector():
    """Whatever a test does to the collector is undone after it."""
    thresholds, callbacks = gc.get_threshold(), list(gc.callbacks)
    yield
    gc.set_threshold(*thresholds)
    gc.callbacks[:] = callbacks
    gc.unfreeze()


def test_freezing_takes_what_is_loaded_out_of_the_collectors_reach(collector):
    gc.unfreeze()
    kept = [[n] for n in range(1000)]
    gc_pauses.freeze_loaded()
    assert gc.get_freeze_count() >= len(kept)
    assert not any(obj is kept for obj in gc.get_objects())  # frozen objects are not walked


def test_only_the_youngest_threshold_is_raised(collector):
    gc.set_threshold(700, 11, 12)
    gc_pauses.raise_young_threshold()
    assert gc.get_threshold() == (gc_pauses.YOUNG_THRESHOLD, 11, 12)


def test_a_slow_full_collection_is_logged_and_a_young_one_is_not(collector, caplog):
    gc_pauses.watch(slow_ms=0)
    gc_pauses.watch(slow_ms=0)  # once per process, however often it is asked
    assert sum(getattr(c, "quayside_gc_watch", False) for c in gc.callbacks) == 1
    with caplog.at_level(logging.WARNING, logger="common.gc_pauses"):
        cycle: list = []
        cycle.append(cycle)
        del cycle
        gc.collect(0)
        assert not caplog.records
        gc.collect()
    [record] = caplog.records
    assert "full garbage collection paused this process" in record.getMessage()
    assert "unreachable objects freed" in record.getMessage()


def test_a_quick_full_collection_is_not_logged(collector, caplog):
    gc_pauses.watch(slow_ms=60_000)
    with caplog.at_level(logging.WARNING, logger="common.gc_pauses"):
        gc.collect()
    assert not caplog.records
