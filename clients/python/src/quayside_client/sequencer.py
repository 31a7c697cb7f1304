"""Live messages in, events out: each public event exactly once, in seq order.

api.md "WebSocket": live events carry `seq`, strictly increasing per RFQ, and `prev_seq`,
the seq of the live event before (0 for the first); other audit events between them use
seqs too, so a jump in `seq` alone is no loss — a `prev_seq` above the last seq received is.
Private events (`"private": true`, e.g. `rank_changed`) repeat the seq of the public event
they belong to and take no part in that chain; the server does not replay them.

The sequencer is transport-free: the WebSocket, the event stream and polling feed it the
same objects, and it tells them when to resume (a gap, or the server's `resync`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TERMINAL_STATUSES = frozenset({"closed", "evaluation", "awarded", "no_award", "cancelled"})
PRIVATE_MEMORY = 2048  # private events remembered for dedupe


@dataclass(frozen=True, slots=True)
class Event:
    """One message from the server: a live event (`bid_placed`, `rank_changed`, ...) or a
    `state` snapshot (the /state/ object). `data` is the JSON object as sent."""

    type: str
    data: dict[str, Any]

    @property
    def seq(self) -> int | None:
        seq = self.data.get("seq")
        return seq if isinstance(seq, int) else None

    @property
    def prev_seq(self) -> int | None:
        prev = self.data.get("prev_seq")
        return prev if isinstance(prev, int) else None

    @property
    def private(self) -> bool:
        return bool(self.data.get("private"))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def _seq(message: dict[str, Any]) -> int:
    return int(message["seq"])


class Sequencer:
    """The follower's memory: the last seq yielded, events held behind a gap, private events
    seen. `since=None` takes the first `state` as the starting point (events it covers are
    not yielded); `since=N` yields every public event after N."""

    def __init__(self, since: int | None = None) -> None:
        self.last_seq: int | None = since
        self.pending: dict[int, dict[str, Any]] = {}
        self.held_private: list[dict[str, Any]] = []
        self.seen_private: dict[tuple[Any, ...], None] = {}
        self.resync_requested = False
        self.resuming = False
        self.status: str | None = None
        # The close itself was yielded (or the starting state was already closed): a state that
        # says "closed" is not enough, the events before the close may still be on their way.
        self.closed = False
        self.state: dict[str, Any] | None = None
        self.duplicates = 0  # public events received again (after a resume), dropped
        self.resyncs = 0  # times the server said it may have lost messages

    # --- what the transports ask ----------------------------------------------------------------

    @property
    def has_gap(self) -> bool:
        return bool(self.pending) and self.last_seq is not None

    @property
    def needs_resume(self) -> bool:
        """A resume would fetch something: the chain has a gap, or the server said `resync`."""
        return not self.resuming and (self.resync_requested or self.has_gap)

    def resume_sent(self) -> None:
        self.resync_requested, self.resuming = False, True

    def connection_lost(self) -> None:
        """A resume in flight died with its connection; the next connection resumes anyway."""
        self.resuming = False

    @property
    def finished(self) -> bool:
        """The auction's close has been yielded and nothing is missing: a follower may stop."""
        return self.closed and not self.pending and not self.resync_requested

    # --- feeding ---------------------------------------------------------------------------------

    def offer(self, message: dict[str, Any]) -> list[Event]:
        """Take one message; return the events now ready, in order (often none or one)."""
        kind = message.get("type")
        if kind == "state":
            return self._state(message)
        if kind == "resync":
            self.resync_requested = True
            self.resyncs += 1
            return []
        seq = message.get("seq")
        if not isinstance(kind, str) or not isinstance(seq, int):
            return []  # pong, error, anything without a place in the sequence
        if message.get("private"):
            return self._private(message)
        return self._public(message, kind, seq)

    def _state(self, message: dict[str, Any]) -> list[Event]:
        self.resuming = False
        self.state = message
        if isinstance(message.get("status"), str):
            self.status = message["status"]
        out: list[Event] = []
        seq = message.get("seq")
        if self.last_seq is None and isinstance(seq, int):
            # The starting point: what the state holds is not repeated as events. Later
            # states never move it: an event committed between a replay and the state read
            # may still be on its way, and must not be taken for one already seen.
            self.last_seq = seq
            self.closed = self.status in TERMINAL_STATUSES
            out += self._drain()
        out.append(Event("state", message))
        if isinstance(seq, int):
            out += self._release_private(up_to=seq)
        return out

    def _public(self, message: dict[str, Any], kind: str, seq: int) -> list[Event]:
        last = self.last_seq
        if last is not None and seq > last and not self.pending:
            prev = message.get("prev_seq")
            if not isinstance(prev, int) or prev <= last:
                return self._advance(message, kind, seq)  # the next in the chain: _drain's answer, without the queue
        if (last is not None and seq <= last) or seq in self.pending:
            self.duplicates += 1
            return []
        self.pending[seq] = message
        return self._drain() if last is not None else []

    def _drain(self) -> list[Event]:
        out: list[Event] = []
        while self.pending and self.last_seq is not None:
            seq = min(self.pending)
            message = self.pending[seq]
            if seq <= self.last_seq:
                del self.pending[seq]
                continue
            prev = message.get("prev_seq")
            if isinstance(prev, int) and prev > self.last_seq:
                break  # an event between the last one and this one is missing: resume
            del self.pending[seq]
            out += self._advance(message, message["type"], seq)
        return out

    def _advance(self, message: dict[str, Any], kind: str, seq: int) -> list[Event]:
        """`message`, the next public event, is yielded: with the private ones it releases."""
        self.last_seq = seq
        status = message.get("status")
        if isinstance(status, str):
            self.status = status
        if kind in ("auction_closed", "auction_opened"):  # a reopen starts another round
            self.closed = kind == "auction_closed"
        event = Event(kind, message)
        return [event, *self._release_private(up_to=seq)] if self.held_private else [event]

    def _private(self, message: dict[str, Any]) -> list[Event]:
        key = (message.get("type"), message.get("seq"), message.get("line_item_id"))
        if key in self.seen_private:
            return []
        self.seen_private[key] = None
        if len(self.seen_private) > PRIVATE_MEMORY:
            del self.seen_private[next(iter(self.seen_private))]
        self.held_private.append(message)
        # After the public event of the same seq, when that one is still to come.
        return self._release_private(up_to=self.last_seq) if self.last_seq is not None else []

    def _release_private(self, *, up_to: int) -> list[Event]:
        if not self.held_private:
            return []
        ready = [m for m in self.held_private if _seq(m) <= up_to]
        if not ready:
            return []
        self.held_private = [m for m in self.held_private if _seq(m) > up_to]
        return [Event(str(m["type"]), m) for m in sorted(ready, key=_seq)]
