"""The garbage collector in a server process: what it walks, how often, and when it paused.

Full collections walk every tracked object of the process, and the process does nothing
else meanwhile. Measured on the benchmark machine (bench/README.md, fan-out findings 11 and
14): a Gunicorn worker's full collection took 148 ms (Django, the apps, scipy); a Uvicorn
process with 1,000 WebSockets, 100–200 ms, during which no socket of it was written.

- `freeze_loaded()`: once a process has imported what it serves with, everything loaded so
  far moves out of the collector's reach (gc.freeze's documented use): full collections then
  walk only what the process made since.
- `raise_young_threshold()`: for the live tier. Python 3.11 runs a full collection when the
  objects that survived both younger generations reach a quarter of the oldest; with the
  default youngest threshold (700 net allocations) a fan-out's short-lived objects (a send's
  coroutines, the writers' futures) were often still alive at a young collection, were
  promoted, and brought a full collection every few seconds. Collecting the young after
  50,000 lets them die young: in the same benchmark no full collection fell inside the bidding
  window, and the young collections there took under 3 ms.
- `watch()`: each full collection longer than SLOW_MS is logged, so an operator (and the
  benchmarks, which keep the servers' logs) see the pauses rather than guess them.
"""
from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)

YOUNG_THRESHOLD = 50_000
SLOW_MS = 20.0


def freeze_loaded() -> None:
    """Collect once, then freeze everything that survives (call when the process has started)."""
    gc.collect()
    gc.freeze()


def raise_young_threshold(young: int = YOUNG_THRESHOLD) -> None:
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(young, middle, oldest)


def watch(slow_ms: float = SLOW_MS) -> None:
    """Log each full collection longer than slow_ms (once per process; a second call is a no-op)."""
    if any(getattr(callback, "quayside_gc_watch", False) for callback in gc.callbacks):
        return
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
            return
        elapsed = (time.perf_counter() - started[0]) * 1000
        if elapsed >= slow_ms:
            logger.warning("full garbage collection paused this process %.1f ms (%d unreachable objects freed)",
                           elapsed, info["collected"])

    callback.quayside_gc_watch = True  # type: ignore[attr-defined]
    gc.callbacks.append(callback)
