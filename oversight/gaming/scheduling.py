"""Debouncing the scan during bidding: at most one scan per RFQ per DEBOUNCE_SECONDS.

Called from the bid hot path, after the bid commits (never while the auction row is
locked). The first bid of a window schedules a scan for the window's end, which then sees
every bid of the window.

The window is a cache key shared by every process (`cache.add` elects the one that
schedules); its value is the moment it expires. Each process remembers that moment, so the
other bids of the window cost no cache call at all: at a few hundred bids a second the
`add` was one Redis round trip per bid, about a twentieth of the bid's Python
(bench/README.md). A remembered window ends a second early, in case this machine's clock is
behind the one that opened it: a bid in that second asks the cache again.
"""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

from common.after_commit import after_commit

logger = logging.getLogger(__name__)

CLOCK_MARGIN = 1.0  # seconds a remembered window ends before the cache's
MEMORY = 4096  # windows remembered; past this, the ended ones are forgotten

# rfq id → when its window ends (time.time()); a window open here is open in the cache.
_window_ends: dict[int, float] = {}


def gaming_scan_key(rfq_id: int) -> str:
    return f"quayside:gaming-scan:{rfq_id}"


def gaming_scan_soon(*, rfq_id: int) -> None:
    """Once the current transaction commits, schedule a bidding-phase scan unless one is due."""
    # A cache or broker failure must never turn an accepted bid into an error.
    after_commit(_schedule, rfq_id)


def end_scan_window(rfq_id: int) -> None:
    """End the RFQ's window now, in the cache and in this process: the next bid schedules a
    scan. (Elsewhere a remembered window still runs to its end; its scan sees every bid.)"""
    cache.delete(gaming_scan_key(rfq_id))
    _window_ends.pop(rfq_id, None)


def forget_scan_windows() -> None:
    """This process forgets every window it remembers: for after the cache was cleared."""
    _window_ends.clear()


def _schedule(rfq_id: int) -> None:
    from common.scheduler import send_task_later

    from .tasks import scan_rfq_for_gaming

    now = time.time()
    if _window_ends.get(rfq_id, 0.0) > now:
        return  # a scan is due at the window's end, and will see this bid
    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    ends = now + window
    key = gaming_scan_key(rfq_id)
    if cache.add(key, ends, timeout=window):
        _remember(rfq_id, ends)
        send_task_later(scan_rfq_for_gaming, args=[rfq_id, "bidding"], countdown=window)
        return
    held = cache.get(key)
    if isinstance(held, float):  # another process's window (an older one stored 1: not remembered)
        _remember(rfq_id, held)


def _remember(rfq_id: int, ends: float) -> None:
    if len(_window_ends) >= MEMORY:
        now = time.time()
        for ended in [r for r, at in _window_ends.items() if at <= now]:
            del _window_ends[ended]
    _window_ends[rfq_id] = ends - CLOCK_MARGIN
