"""A timeout on each receive without a timer per message.

`asyncio.timeout` around every `recv()` schedules and cancels one timer per message: a fifth
of a follower's CPU at live_auction.py's rates (bench/follower_cost.py). Here the deadline is
a number moved forward on each receive, and one timer follows it lazily: when it fires early
(messages came meanwhile) it is set again for the current deadline, so it runs about once per
timeout instead of once per message. On expiry it cancels the receiving task exactly as
asyncio.timeout does, and the receive raises TimeoutError.

The edge it shares with asyncio.timeout: a message that arrives in the same loop iteration
as the expiry. The cancel is delivered where the task resumes, inside `await receive`, so
the receive raises TimeoutError rather than returning it; `websockets`' `recv()` is
cancel-safe (a message it had not yet returned stays queued), so the next receive yields it
and nothing is lost.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


class RecvDeadline:
    """One per connection, used by one task: `await deadline.wait(socket.recv(), seconds)`."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.task: asyncio.Task[Any] | None = None
        self.when = 0.0  # the current receive's deadline (loop time)
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = 0.0
        self.waiting = False  # only a receive is interrupted, never the code between two
        self.expired = False

    async def wait(self, receive: Awaitable[T], timeout: float) -> T:
        self.when = when = self.loop.time() + timeout
        if self.timer is None or when < self.timer_at:  # a shorter timeout than the armed one
            self._arm(when)
        # The task of this receive: an async generator may be driven by another task later.
        self.task = task = asyncio.current_task()
        assert task is not None
        cancelling = task.cancelling()
        self.waiting = True
        try:
            return await receive
        except asyncio.CancelledError:
            if self.expired:
                self.expired = False
                # Ours, and nobody else's cancel pending as well: a timeout (as asyncio.timeout).
                if task.uncancel() <= cancelling:
                    raise TimeoutError from None
            raise
        finally:
            self.waiting = False

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _arm(self, when: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer, self.timer_at = self.loop.call_at(when, self._fire), when

    def _fire(self) -> None:
        self.timer = None
        if not self.waiting:
            return  # between receives: the next one arms it again
        if self.loop.time() < self.when:
            self._arm(self.when)
            return
        self.expired = True
        assert self.task is not None
        self.task.cancel()
