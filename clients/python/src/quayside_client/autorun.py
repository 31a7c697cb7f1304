"""The auto-bidder at work: follows the auction, asks AutoBidder after each event that can
change its position, bids when it says so, and keeps to the auction's pace. In a per-line
auction it asks PerLineBidder, which decides each line with a floor on its own, and bids with
the line's `line_item_id`.

Pace: never more bids than `rate_limit_bids_per_minute` in any minute, and `cool_down_seconds`
between its own bids (both from the RFQ's settings; they count every own bid of the auction,
whatever its line); a 429 is obeyed to the second of its Retry-After (and teaches the bidder a
cool-down it did not know of). It reacts to events, never polls in a loop, and stops when the
auction closes.

What it knows comes from the events themselves (autostate.apply_event): the first `state`,
then each event's own figures (leading bid, count, deadline, status, the private rank; per
line under `lines`) and its own bid's answer. `/state/` is read again only after a wait or a
refusal, where the events in between were not looked at: reading it after every event made
each bid cost one request per follower (measured in bench/live_auction.py with 500 clients).
The events that read covers (seq up to its seq) are then passed over when the follower
yields them: applied after it, their older figures would undo the newer ones.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .autobid import AutoBidder, Decision, Market, PerLineBidder, check_bidder, line_markets
from .autostate import after_own_bid, apply_event, rank_is_stale
from .client import AsyncQuaysideClient
from .errors import BidRejected, RateLimited, Violation
from .follow import FollowOptions
from .sequencer import TERMINAL_STATUSES, Event

__all__ = ["AutoReport", "AutoRunner", "Pacer", "after_own_bid", "apply_event"]

# Events after which the position may have changed (a state message says it directly).
MOVES = frozenset({"bid_placed", "bid_withdrawn", "rank_changed", "deadline_extended", "auction_paused",
                   "auction_resumed", "auction_opened", "auction_closed", "mode_changed"})
# Refusals that only mean someone bid first: decide again on the new state.
OUTBID_RULES = frozenset({"minimum_decrement", "starting_price_ceiling"})
MARGIN = 0.05  # seconds added to every wait: the server's clock counts from a moment before our answer
TRIES_PER_EVENT = 6


class Pacer:
    """When the next own bid may go: the rate limit over a sliding minute, the cool-down after
    the last bid, and any Retry-After still running. Times are time.monotonic() seconds."""

    def __init__(self, per_minute: int | None = None, cool_down: float = 0.0) -> None:
        self.per_minute, self.cool_down = per_minute, cool_down
        self.sent: deque[float] = deque()
        self.blocked_until = 0.0

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Pacer:
        per_minute = settings.get("rate_limit_bids_per_minute")
        cool_down = settings.get("cool_down_seconds") or 0
        return cls(per_minute if isinstance(per_minute, int) and per_minute > 0 else None, float(cool_down))

    def record(self, at: float) -> None:
        self.sent.append(at)
        while self.sent and self.sent[0] < at - 120:
            self.sent.popleft()

    def obey(self, at: float, retry_after: float | None, violations: list[Violation]) -> None:
        self.blocked_until = max(self.blocked_until, at + (retry_after if retry_after is not None else 1.0))
        for violation in violations:
            seconds = violation.metadata.get("cool_down_seconds")
            if isinstance(seconds, (int, float)) and seconds > self.cool_down:
                self.cool_down = float(seconds)

    def delay(self, now: float) -> float:
        ready = self.blocked_until
        if self.sent:
            ready = max(ready, self.sent[-1] + self.cool_down + MARGIN if self.cool_down else 0.0)
        recent = [at for at in self.sent if at > now - 60]
        if self.per_minute is not None and len(recent) >= self.per_minute:
            ready = max(ready, recent[-self.per_minute] + 60 + MARGIN)
        return max(0.0, ready - now)


@dataclass
class AutoReport:
    bids: list[Decimal] = field(default_factory=list)
    rate_limited: int = 0
    refused: int = 0
    stopped: str = ""
    decision: Decision | None = None
    state: dict[str, Any] | None = None
    # Per-line auctions: the bids placed on each line, in order, and each line's last decision.
    line_bids: dict[int, list[Decimal]] = field(default_factory=dict)
    line_decisions: dict[int, Decision] = field(default_factory=dict)


# One decision of the runner: the line it is for (None: the whole auction), its market, the decision.
Choice = tuple[int | None, Market, Decision]


class AutoRunner:
    """Runs `bidder` in RFQ `rfq_id`: an AutoBidder where the auction is bid on its total, a
    PerLineBidder where it is bid line by line (`run` refuses the other with WrongBidder)."""

    def __init__(self, client: AsyncQuaysideClient, rfq_id: int, bidder: AutoBidder | PerLineBidder, *,
                 options: FollowOptions | None = None, say: Callable[[str], None] = lambda line: None) -> None:
        self.client, self.rfq_id, self.bidder, self.say = client, rfq_id, bidder, say
        self.options = options or FollowOptions()
        self.report = AutoReport()
        self.settings: dict[str, Any] = {}
        self.pacer = Pacer()
        self._refused: dict[int | None, Market] = {}  # per line: the market a bid was refused on
        self._bid_at: dict[int | None, int] = {}  # per line: the seq of the state its last own bid was decided on
        self._read_seq = -1  # the seq of the newest state read (a `state` event or /state/): events up to it are in it

    async def run(self, *, seconds: float | None = None) -> AutoReport:
        """Bid until the auction closes (or `seconds` pass). Raises WrongBidder, before any bid,
        where the bidder does not fit the auction's bidding basis or names lines it lacks."""
        rfq = await self.client.rfq(self.rfq_id)
        check_bidder(rfq, self.bidder)
        self.settings = dict((rfq.get("auction") or {}).get("settings") or {})
        self.pacer = Pacer.from_settings(self.settings)
        try:
            async with asyncio.timeout(seconds):
                await self._follow()
        except TimeoutError:
            self.report.stopped = "time limit"
        return self.report

    async def _follow(self) -> None:
        state: dict[str, Any] = {}
        async for event in self.client.follow(self.rfq_id, options=self.options, stop_at_close=True):
            if (event.type != "state" and event.type not in MOVES) or self._stale(event):
                continue
            if event.type == "state":
                self._read(event.data)
            state = apply_event(self.report.state or state, event)
            await self.consider(state)
            if self.report.stopped:
                return
        self.report.stopped = self.report.stopped or "auction closed"

    def _stale(self, event: Event) -> bool:
        """Whether a state read since covers `event` (its seq is at most the read's: the
        follower yields the events that came while the runner waited or bid, after the
        `/state/` it read meanwhile), or the own bid overtook it (autostate.rank_is_stale)."""
        if event.seq is None:
            return False
        if event.type == "state":
            return event.seq < self._read_seq
        return event.seq <= self._read_seq or rank_is_stale(event, self._bid_at)

    def _read(self, state: dict[str, Any]) -> dict[str, Any]:
        seq = state.get("seq")
        if isinstance(seq, int):
            self._read_seq = max(self._read_seq, seq)
        return state

    async def consider(self, state: dict[str, Any]) -> None:
        """Decide on `state` and act; after a wait or an outbid refusal, decide again on a fresh
        one. Per line, each line that should bid gets its bid, one after the other."""
        lines = len(self.bidder.bidders) if isinstance(self.bidder, PerLineBidder) else 0
        for _ in range(TRIES_PER_EVENT + lines):
            self.report.state = state
            choice = self._next_bid(state)
            if choice is None:
                return
            line, market, amount = choice
            wait = self.pacer.delay(time.monotonic())
            if wait > 0:
                self.say(f"waiting {wait:.1f} s (rate limit / cool-down)")
                await asyncio.sleep(wait)
                state = self._read(await self.client.state(self.rfq_id))
                continue
            answer = await self._bid(amount, market, line)
            if answer is None:
                continue  # refused for good: that line waits for a change, the others go on
            if answer and isinstance(state.get("seq"), int):
                self._bid_at[line] = state["seq"]
            state = after_own_bid(state, answer, line) if answer else self._read(await self.client.state(self.rfq_id))

    def _next_bid(self, state: dict[str, Any]) -> tuple[int | None, Market, Decimal] | None:
        """The first bid to place on `state`: its line, market and amount (None: no bid; the
        report says why, or that it stopped)."""
        choices = self._decide(state)
        for _, market, decision in choices:
            if decision.action == "stop":
                self.report.stopped = "auction closed" if market.status in TERMINAL_STATUSES else decision.reason
                return None
        for line, market, decision in choices:
            if decision.action == "bid" and decision.amount is not None and self._refused.get(line) != market:
                return line, market, decision.amount
        return None

    def _decide(self, state: dict[str, Any]) -> list[Choice]:
        if isinstance(self.bidder, AutoBidder):
            market = Market.from_state(state, self.settings)
            choices: list[Choice] = [(None, market, self.bidder.decide(market))]
        else:
            markets = line_markets(state, self.settings)
            choices = [(line, markets.get(line) or Market(state.get("status"), mode=str(state.get("mode") or "live")),
                        decision) for line, decision in self.bidder.decide(markets).items()]
        for line, _, decision in choices:
            told = self.report.decision if line is None else self.report.line_decisions.get(line)
            if decision != told:
                self.say(_on(line) + f"{decision.action}: {decision.reason}"
                         + (f" ({decision.amount})" if decision.amount else ""))
            if line is not None:
                self.report.line_decisions[line] = decision
            self.report.decision = decision
        return choices

    async def _bid(self, amount: Decimal, market: Market, line: int | None) -> dict[str, Any] | None:
        """Place one bid (on `line`, where not None): its answer when accepted; {} when the state
        should be read again and the decision retaken (rate limited, outbid); None when there
        is nothing to do."""
        try:
            answer = await self.client.place_bid(self.rfq_id, amount, line_item_id=line)
        except RateLimited as exc:
            self.report.rate_limited += 1
            self.pacer.obey(time.monotonic(), exc.retry_after, exc.violations)
            self.say(f"rate limited: retry after {exc.retry_after} s")
            return {}
        except BidRejected as exc:
            self.report.refused += 1
            rules = {v.rule for v in exc.blocking}
            self.say(_on(line) + f"refused {amount}: " + "; ".join(f"{v.rule}: {v.message}" for v in exc.blocking))
            if rules and rules <= OUTBID_RULES:
                return {}
            self._refused[line] = market  # not again until something changes
            return None
        self.pacer.record(time.monotonic())
        self.report.bids.append(amount)
        if line is not None:
            self.report.line_bids.setdefault(line, []).append(amount)
        self.say(_on(line) + f"bid {amount}: accepted" + (f", rank {answer['rank']}" if "rank" in answer else ""))
        return {**answer, "amount": answer.get("amount", str(amount))}


def _on(line: int | None) -> str:
    return "" if line is None else f"line {line}: "
