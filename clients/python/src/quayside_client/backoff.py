"""Reconnect delays: exponential backoff with full jitter, capped.

Attempt n waits a uniform random time in [0, min(cap, base * factor**n)] ("full jitter"):
clients that lost the same server at the same moment spread out instead of returning
together, and no wait ever exceeds the cap.
"""
from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(self, *, base: float = 0.25, cap: float = 15.0, factor: float = 2.0,
                 uniform: Callable[[float, float], float] = random.uniform) -> None:
        if base <= 0 or cap < base or factor < 1:
            raise ValueError("backoff needs 0 < base <= cap and factor >= 1")
        self.base, self.cap, self.factor, self.uniform = base, cap, factor, uniform
        self.attempt = 0

    def ceiling(self, attempt: int) -> float:
        """The longest wait of an attempt (before jitter)."""
        # min() first: base * factor**attempt overflows a float after about a thousand attempts.
        if attempt > 64:
            return self.cap
        return min(self.cap, self.base * self.factor ** attempt)

    def next_delay(self) -> float:
        delay = self.uniform(0.0, self.ceiling(self.attempt))
        self.attempt += 1
        return min(max(delay, 0.0), self.cap)

    def reset(self) -> None:
        """After a connection that worked: the next failure starts from the shortest wait."""
        self.attempt = 0
