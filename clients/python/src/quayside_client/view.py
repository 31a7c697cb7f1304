"""What `quayside-bid watch` shows: the auction as the live events leave it.

AuctionView folds `state` snapshots and live events into one picture (status, own rank,
leading bid, bid count, deadline); the countdown runs on the server's clock.
"""
from __future__ import annotations

from typing import Any

from .clock import ServerClock, countdown
from .sequencer import Event


class AuctionView:
    def __init__(self, rfq_id: int, clock: ServerClock) -> None:
        self.rfq_id, self.clock = rfq_id, clock
        self.status: str | None = None
        self.deadline: str | None = None
        self.paused_at: str | None = None
        self.leading_bid: str | None = None
        self.bid_count: int | None = None
        self.your_rank: int | None = None
        self.your_best: str | None = None
        self.minimum_next_bid: str | None = None
        self.currency = ""
        self.seq = 0
        self.events = 0
        self.last_event = ""

    def apply(self, event: Event) -> None:
        data = event.data
        if event.type == "state":
            self._state(data)
            return
        self.events += 1
        self.seq = max(self.seq, event.seq or 0)
        self.last_event = event.type
        if event.type == "rank_changed":
            self.your_rank = data.get("your_rank")
            return
        for name in ("leading_bid", "bid_count", "status"):
            if name in data and data[name] is not None:
                setattr(self, name, data[name])
        if data.get("bidding_deadline"):
            self.deadline = data["bidding_deadline"]
        if event.type == "auction_paused":
            self.paused_at = data.get("at")
        elif event.type in ("auction_resumed", "auction_opened"):
            self.paused_at = None

    def _state(self, data: dict[str, Any]) -> None:
        self.status = data.get("status", self.status)
        self.deadline = data.get("bidding_deadline", self.deadline)
        self.paused_at = data.get("paused_at")
        self.currency = data.get("currency") or self.currency
        self.seq = max(self.seq, data.get("seq") or 0)
        for name in ("leading_bid", "bid_count", "your_rank", "your_best", "minimum_next_bid"):
            setattr(self, name, data.get(name))

    def time_left(self) -> str:
        if self.status in ("closed", "evaluation", "awarded", "no_award", "cancelled"):
            return "closed"
        if self.paused_at:
            return "paused"
        return countdown(self.clock.remaining(self.deadline))

    def rows(self) -> list[tuple[str, str]]:
        money = f" {self.currency}" if self.currency else ""
        return [("RFQ", str(self.rfq_id)), ("status", self.status or "?"),
                ("your rank", "-" if self.your_rank is None else str(self.your_rank)),
                ("leading bid", f"{self.leading_bid}{money}" if self.leading_bid else "-"),
                ("your best", f"{self.your_best}{money}" if self.your_best else "-"),
                ("next bid at most", f"{self.minimum_next_bid}{money}" if self.minimum_next_bid else "-"),
                ("bids", "-" if self.bid_count is None else str(self.bid_count)),
                ("time left", self.time_left())]

    def line(self) -> str:
        """One plain-text line (no countdown: printed when something changes)."""
        shown = dict(self.rows())
        left = shown["time left"]
        return (f"RFQ {self.rfq_id} {shown['status']} | rank {shown['your rank']} | leading {shown['leading bid']}"
                f" | bids {shown['bids']} | deadline {self.deadline or '-'}"
                f" ({left if left in ('closed', 'paused') else left + ' left'})")

    def key(self) -> tuple[Any, ...]:
        """What a plain-text watcher prints again for: everything but the running clock."""
        return (self.status, self.deadline, self.paused_at, self.leading_bid, self.bid_count, self.your_rank,
                self.your_best)
