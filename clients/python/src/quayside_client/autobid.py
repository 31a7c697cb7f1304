"""The auto-bidder's decisions, free of I/O: given what the supplier knows of the auction,
bid (and how much), hold, wait or stop. autorun.py feeds it and acts on what it says.

The rule: while not leading, bid the highest amount the auction accepts — the server's
`minimum_next_bid` (the leading bid less the minimum decrement) — or lower where the
supplier's own `step` asks for a bigger step; never below the floor. Amounts are rounded
down to the currency's minor unit (a lower bid only gets better; the floor is checked after
rounding, so rounding never undercuts it).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .money import Amount, currency_digits, digits_of, parse_money, round_down, to_decimal
from .sequencer import TERMINAL_STATUSES

Action = Literal["bid", "hold", "wait", "stop"]


@dataclass(frozen=True)
class Market:
    """What one supplier may see of a reverse auction right now (its `/state/`)."""

    status: str | None
    leading_bid: Decimal | None = None
    your_best: Decimal | None = None
    your_rank: int | None = None
    minimum_next_bid: Decimal | None = None
    digits: int = 2
    mode: str = "live"
    decrement: Decimal | None = None  # the auction's minimum step as an amount, where the settings say

    @classmethod
    def from_state(cls, state: dict[str, Any], settings: dict[str, Any] | None = None) -> Market:
        shown = digits_of(state.get("minimum_next_bid"), state.get("leading_bid"), state.get("your_best"))
        digits = shown if shown is not None else currency_digits(state.get("currency"))
        leading = parse_money(state.get("leading_bid"))
        rank = state.get("your_rank")
        return cls(status=state.get("status"), leading_bid=leading, your_best=parse_money(state.get("your_best")),
                   your_rank=rank if isinstance(rank, int) else None,
                   minimum_next_bid=parse_money(state.get("minimum_next_bid")), digits=digits,
                   mode=str(state.get("mode") or "live"), decrement=decrement_of(settings or {}, leading))


def decrement_of(settings: dict[str, Any], leading: Decimal | None) -> Decimal | None:
    """The minimum decrement in money (a percentage is of the leading bid)."""
    step = parse_money(settings.get("minimum_decrement"))
    if step is None:
        return None
    if settings.get("decrement_type") == "PERCENTAGE":
        return None if leading is None else leading * step / 100
    return step


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    amount: Decimal | None = None


class AutoBidder:
    """`floor`: the lowest amount this supplier will bid. `step`: bid at least this much below
    the leading bid (the auction's own minimum step still applies). `opening`: the first bid
    when there is nothing to undercut (no bid yet and no starting price)."""

    def __init__(self, floor: Amount, step: Amount | None = None, opening: Amount | None = None) -> None:
        self.floor = to_decimal(floor)
        self.step = None if step is None else to_decimal(step)
        self.opening = None if opening is None else to_decimal(opening)
        if self.floor <= 0 or (self.step is not None and self.step <= 0):
            raise ValueError("the floor and the step are positive amounts")

    def decide(self, market: Market) -> Decision:
        if market.status in TERMINAL_STATUSES:
            return Decision("stop", f"the auction is {market.status}")
        if market.status != "open":
            return Decision("wait", f"the auction is {market.status or 'not open'}")
        if market.mode == "sealed":
            return Decision("hold", "the auction fell back to sealed bids: nothing to follow live")
        if self.leading(market):
            return Decision("hold", "leading")
        amount = self.next_amount(market)
        if amount is None:
            return Decision("wait", "nothing to undercut yet (no bid and no starting price)")
        if amount < self.floor or amount <= 0:
            return Decision("hold", f"floor reached: the next bid would be {amount}, below the floor {self.floor}",
                            amount)
        return Decision("bid", "not leading", amount)

    @staticmethod
    def leading(market: Market) -> bool:
        if market.your_rank is not None:
            return market.your_rank == 1
        return market.your_best is not None and market.leading_bid is not None and \
            market.your_best <= market.leading_bid

    def next_amount(self, market: Market) -> Decimal | None:
        """The amount to bid now, before the floor check (None: nothing to go by)."""
        # With the leading bid hidden, the own best is the reference: step down from it.
        reference = market.leading_bid if market.leading_bid is not None else market.your_best
        candidates = [] if market.minimum_next_bid is None else [market.minimum_next_bid]
        if reference is not None and self.step is not None:
            candidates.append(reference - self.step)
        elif reference is not None and not candidates and market.decrement:
            candidates.append(reference - market.decrement)
        if not candidates:
            return None if reference is not None or self.opening is None else round_down(self.opening, market.digits)
        return round_down(min(candidates), market.digits)
