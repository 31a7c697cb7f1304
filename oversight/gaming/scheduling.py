"""Debouncing the scan during bidding: at most one scan per RFQ per DEBOUNCE_SECONDS.

Called from the bid hot path, so it costs one cache call, after the bid commits (never
while the auction row is locked). The first bid of a window schedules a scan for the
window's end, which then sees every bid of the window.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from common.after_commit import after_commit

logger = logging.getLogger(__name__)


def gaming_scan_key(rfq_id: int) -> str:
    return f"quayside:gaming-scan:{rfq_id}"


def gaming_scan_soon(*, rfq_id: int) -> None:
    """Once the current transaction commits, schedule a bidding-phase scan unless one is due."""
    # A cache or broker failure must never turn an accepted bid into an error.
    after_commit(_schedule, rfq_id)


def _schedule(rfq_id: int) -> None:
    from common.scheduler import send_task_later

    from .tasks import scan_rfq_for_gaming

    window = settings.QUAYSIDE["GAMING"]["DEBOUNCE_SECONDS"]
    if cache.add(gaming_scan_key(rfq_id), 1, timeout=window):
        send_task_later(scan_rfq_for_gaming, args=[rfq_id, "bidding"], countdown=window)
