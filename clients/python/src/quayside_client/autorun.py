"""The auto-bidder at work: follows the auction, asks AutoBidder after each event that can
change its position, bids when it says so, and keeps to the auction's pace.

Pace: never more bids than `rate_limit_bids_per_minute` in any minute, and `cool_down_seconds`
between its own bids (both from the RFQ's settings); a 429 is obeyed to the second of its
Retry-After (and teaches the bidder a cool-down it did not know of). It reacts to events,
never polls in a loop, and stops when the auction closes.

What it knows comes from the events themselves (`apply_event`): the first `state`, then each
event's own figures (leading bid, count, deadline, status, the private rank) and its own bid's
answer. `/state/` is read again only after a wait or a refusal, where the events in between
were not looked at: reading it after every event made each bid cost one request per
follower (measured in bench/live_auction.py with 500 clients).
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .autobid import AutoBidder, Decision, Market
from .client import AsyncQuaysideClient
from .errors import BidRejected, RateLimited, Violation
from .follow import FollowOptions
from .money import parse_money
from .sequencer import TERMINAL_STATUSES, Event

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


class AutoRunner:
    def __init__(self, client: AsyncQuaysideClient, rfq_id: int, bidder: AutoBidder, *,
                 options: FollowOptions | None = None, say: Callable[[str], None] = lambda line: None) -> None:
        self.client, self.rfq_id, self.bidder, self.say = client, rfq_id, bidder, say
        self.options = options or FollowOptions()
        self.report = AutoReport()
        self.settings: dict[str, Any] = {}
        self.pacer = Pacer()
        self._refused_market: Market | None = None

    async def run(self, *, seconds: float | None = None) -> AutoReport:
        """Bid until the auction closes (or `seconds` pass)."""
        rfq = await self.client.rfq(self.rfq_id)
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
            if event.type != "state" and event.type not in MOVES:
                continue
            state = apply_event(self.report.state or state, event)
            await self.consider(state)
            if self.report.stopped:
                return
        self.report.stopped = self.report.stopped or "auction closed"

    async def consider(self, state: dict[str, Any]) -> None:
        """Decide on `state` and act; after a wait or an outbid refusal, decide again on a fresh one."""
        for _ in range(TRIES_PER_EVENT):
            self.report.state = state
            market = Market.from_state(state, self.settings)
            decision = self._decide(market)
            if decision.action == "stop":
                self.report.stopped = "auction closed" if market.status in TERMINAL_STATUSES else decision.reason
            if decision.action != "bid" or decision.amount is None or market == self._refused_market:
                return
            wait = self.pacer.delay(time.monotonic())
            if wait > 0:
                self.say(f"waiting {wait:.1f} s (rate limit / cool-down)")
                await asyncio.sleep(wait)
                state = await self.client.state(self.rfq_id)
                continue
            answer = await self._bid(decision.amount, market)
            if answer is None:
                return
            state = after_own_bid(state, answer) if answer else await self.client.state(self.rfq_id)

    def _decide(self, market: Market) -> Decision:
        decision = self.bidder.decide(market)
        if decision != self.report.decision:
            self.say(f"{decision.action}: {decision.reason}" + (f" ({decision.amount})" if decision.amount else ""))
        self.report.decision = decision
        return decision

    async def _bid(self, amount: Decimal, market: Market) -> dict[str, Any] | None:
        """Place one bid: its answer when accepted; {} when the state should be read again and
        the decision retaken (rate limited, outbid); None when there is nothing to do."""
        try:
            answer = await self.client.place_bid(self.rfq_id, amount)
        except RateLimited as exc:
            self.report.rate_limited += 1
            self.pacer.obey(time.monotonic(), exc.retry_after, exc.violations)
            self.say(f"rate limited: retry after {exc.retry_after} s")
            return {}
        except BidRejected as exc:
            self.report.refused += 1
            rules = {v.rule for v in exc.blocking}
            self.say(f"refused {amount}: " + "; ".join(f"{v.rule}: {v.message}" for v in exc.blocking))
            if rules and rules <= OUTBID_RULES:
                return {}
            self._refused_market = market  # not again until something changes
            return None
        self.pacer.record(time.monotonic())
        self.report.bids.append(amount)
        self.say(f"bid {amount}: accepted" + (f", rank {answer['rank']}" if "rank" in answer else ""))
        return {**answer, "amount": answer.get("amount", str(amount))}


# Figures an event carries that mean the same as the state's field of that name.
CARRIED = ("leading_bid", "bid_count", "bidding_deadline", "status", "mode", "your_rank")


def apply_event(state: dict[str, Any], event: Event) -> dict[str, Any]:
    """What the supplier knows after `event`, from the event's own payload (no request).

    A new leading bid drops `minimum_next_bid` (the auto-bidder then steps down from the
    leading bid by the settings' decrement) and, when it undercuts the own best, the rank
    (a `rank_changed` may follow with the exact one; until then the amounts decide)."""
    if event.type == "state":
        return dict(event.data)
    data, new = event.data, dict(state)
    for key in CARRIED:
        if key in data:
            new[key] = data[key]
    if "extension_number" in data:
        new["extensions"] = data["extension_number"]
    if "leading_bid" in data and data["leading_bid"] != state.get("leading_bid"):
        new.pop("minimum_next_bid", None)
        leading, own = parse_money(data["leading_bid"]), parse_money(state.get("your_best"))
        if "your_rank" not in data and leading is not None and own is not None and leading < own:
            new.pop("your_rank", None)
    if isinstance(data.get("seq"), int) and not event.private:
        new["seq"] = data["seq"]
    return new


def after_own_bid(state: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The state after the own bid was accepted, from its answer: the own best, the rank and
    the leading bid where the settings disclose them."""
    new = {**state, "your_best": answer["amount"]}
    new.pop("minimum_next_bid", None)
    new.pop("your_rank", None)
    if "rank" in answer:
        new["your_rank"] = answer["rank"]
    if "leading_bid" in answer:
        new["leading_bid"] = answer["leading_bid"]
    return new
