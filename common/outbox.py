"""What LiveHub needs so that no connection, and no publisher, can hold up the others.

- `Outbox`: one connection's pending live texts and the task that writes them. The hub only
  appends; a send that waits (a reader that stopped reading fills its TCP window, and the
  server's send waits for the buffer to drain) waits in that connection's own task. Awaiting
  each socket in turn let one slow reader stall its group and the Redis reader behind it,
  until Redis dropped the subscription at its pub/sub output-buffer limit and every message
  published meanwhile was lost to every connection of the process (bench/fanout.py).
  A connection that falls `limit` texts behind loses its backlog and gets one `resync`
  instead: it resumes from its last seq (api.md), the same as after any other loss.
- `InOrder`: a group's live messages handed on in `prev_seq` order. Publishers publish after
  their own commit, so with two HTTP workers event N+1's message can reach Redis before N's;
  every client would see a gap and resume at once. A message whose predecessor has not been
  delivered waits for it, briefly and boundedly, then goes anyway (clients resume).
"""
from __future__ import annotations

import asyncio
import json
import logging
import types
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

OUTBOX_LIMIT = 256  # texts; about 13 s of a busy auction at 20 events/s before a reader is told to resync
HOLD_SECONDS = 0.15  # how long a message waits for the one before it
HOLD_LIMIT = 64  # messages of one group held at most; beyond it they go out as they are


class Outbox:
    """One connection's queue of live texts, written in order by a task of its own.

    While the connection keeps up (nothing queued, its writer idle) a text is written at once,
    inside `put`: the server's send only suspends when the socket's buffer is full, so
    usually it completes in its first step and no task needs waking (bench/fanout.py: the
    wake-up per socket per event was a third of the process's time at 1,000 connections).
    A send that does suspend is handed, unfinished, to the writer task, and what follows
    queues behind it.
    """

    def __init__(self, send: Callable[[str], Awaitable[None]], resync: str, limit: int | None = None,
                 write_now: Callable[[str], bool] | None = None):
        self._send, self._resync, self.limit = send, resync, limit or OUTBOX_LIMIT
        # Writes a text at once when that is certainly safe, else says False (common.ws_frames).
        self._write_now = write_now
        self.queue: deque[str] = deque()
        self.resyncs = 0
        self._wake: asyncio.Future | None = None
        self._task: asyncio.Task | None = None
        self._unfinished: Awaitable[None] | None = None  # a send that suspended in `put`
        self.closed = False

    def start(self) -> None:
        """Begin writing (texts put before this wait: the consumer sends `state` first)."""
        if self._task is None and not self.closed:
            self._task = asyncio.get_running_loop().create_task(self._write())

    def put(self, text: str) -> None:
        """Write or queue `text`; never waits. Past the limit the backlog is replaced by one
        resync: the client's resume replays it from the database (and its `state` brings
        private ranks)."""
        if self.closed:
            return
        wake = self._wake
        idle = wake is not None and not wake.done() and not self.queue and self._unfinished is None
        if idle:
            try:
                if self._write_now is not None and self._write_now(text):
                    return  # written as a frame encoded once for every socket
                self._unfinished = first_step(self._send(text))
            except Exception:  # this connection is done; the hub goes on to the others
                self._failed()
                return
            if self._unfinished is None:
                return  # written
        else:
            if len(self.queue) >= self.limit:
                self.queue.clear()
                self.resyncs += 1
                text = self._resync
            self.queue.append(text)
        if wake is not None and not wake.done():
            wake.set_result(None)

    def close(self) -> None:
        self.closed = True
        self.queue.clear()
        if self._task is not None:
            self._task.cancel()

    def _failed(self) -> None:
        # The socket closed under us: the consumer's disconnect cleans up.
        logger.debug("live delivery to one connection failed", exc_info=True)
        self.closed = True
        self.queue.clear()

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self.queue
        while not self.closed:
            try:
                if self._unfinished is not None:
                    await self._unfinished
                    self._unfinished = None
                while queue:
                    await self._send(queue.popleft())
            except asyncio.CancelledError:
                raise
            except Exception:
                self._failed()
                return
            self._wake = loop.create_future()
            await self._wake
            self._wake = None


def first_step(coroutine) -> Awaitable | None:
    """Run `coroutine` up to its first suspension: None if it finished there (its exception, if
    it raised, propagates), else an awaitable that runs the rest. Python 3.12's eager tasks do
    this; on 3.11 it is done by hand (a result, if any, is dropped: sends return None)."""
    try:
        suspended_on = coroutine.send(None)
    except StopIteration:
        return None
    return _rest(coroutine, suspended_on)


@types.coroutine
def _rest(coroutine, suspended_on):
    """Drive `coroutine` on from where first_step left it: each future it waits on is passed
    up to the task awaiting this (asyncio's protocol), and what comes back is passed down."""
    while True:
        try:
            sent = yield suspended_on
        except BaseException as exc:  # noqa: BLE001 - cancellation and all: the coroutine decides
            try:
                suspended_on = coroutine.throw(exc)
            except StopIteration:
                return None
        else:
            try:
                suspended_on = coroutine.send(sent)
            except StopIteration:
                return None


def chain_link(text: str) -> tuple[int, int] | None:
    """(seq, prev_seq) of a live event's text; None for anything outside the chain (private
    messages, presence, resync), which needs no ordering."""
    if '"prev_seq":' not in text:  # most texts are live events; the others skip the parse
        return None
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    seq, prev = body.get("seq"), body.get("prev_seq")
    if isinstance(seq, int) and isinstance(prev, int) and not body.get("private"):
        return seq, prev
    return None


class InOrder:
    """One group's live texts, handed to `emit` in chain order (bounded wait for a gap)."""

    def __init__(self, emit: Callable[[str], None], hold: float = HOLD_SECONDS, limit: int = HOLD_LIMIT):
        self.emit, self.hold, self.limit = emit, hold, limit
        self.last: int | None = None  # seq of the last live event handed on
        self.waiting: dict[int, tuple[int, str]] = {}  # prev_seq → (seq, text)
        self._timer: asyncio.TimerHandle | None = None
        self.released_early = 0  # gaps given up on (the missing message never came in time)

    def offer(self, text: str) -> None:
        link = chain_link(text)
        if link is None:
            self.emit(text)
            return
        seq, prev = link
        if self.last is None or prev <= self.last:  # next in the chain (or late, or a repeat: clients skip it)
            self._hand_on(seq, text)
            self._flow()
            return
        self.waiting[prev] = (seq, text)
        if len(self.waiting) > self.limit:
            self.release()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.hold, self.release)

    def release(self) -> None:
        """Give up on the gap: everything held goes out in seq order; clients resume."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.waiting:
            self.released_early += 1
        for _, (seq, text) in sorted(self.waiting.items(), key=lambda item: item[1][0]):
            self._hand_on(seq, text)
        self.waiting.clear()

    def reset(self) -> None:
        """Forget the chain (the subscription was lost: connections resync anyway)."""
        self.release()
        self.last = None

    def _hand_on(self, seq: int, text: str) -> None:
        self.emit(text)
        if self.last is None or seq > self.last:
            self.last = seq

    def _flow(self) -> None:
        """Hand on whatever the chain now reaches (a held message whose predecessor went out)."""
        while self.waiting:
            ready = sorted((seq, prev) for prev, (seq, _) in self.waiting.items() if prev <= self.last)
            if not ready:
                break
            for _, prev in ready:
                self._hand_on(*self.waiting.pop(prev))
        if not self.waiting and self._timer is not None:
            self._timer.cancel()
            self._timer = None
