"""The auto-bidder's decisions, free of I/O: given what the supplier knows of the auction,
bid (and how much), hold, wait or stop. autorun.py feeds it and acts on what it says.

The rule: while not leading, bid the highest amount the auction accepts — the server's
`minimum_next_bid` (the leading bid less the minimum decrement) — or lower where the
supplier's own `step` asks for a bigger step; never below the floor. Amounts are rounded
down to the currency's minor unit (a lower bid only gets better; the floor is checked after
rounding, so rounding never undercuts it).

In a per-line reverse auction (`bidding_basis` PER_LINE, api.md "Lots") each line is its own
auction: its own leading bid, rank and next limit under the state's `lines`. PerLineBidder
keeps one AutoBidder per line the supplier gave a floor for and decides each on that line's
figures alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .errors import QuaysideError
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
    def from_state(cls, state: dict[str, Any], settings: dict[str, Any] | None = None, *,
                   line: dict[str, Any] | None = None) -> Market:
        """The market of `state`; with `line` (an entry of its `lines`), of that line: the
        status and mode are the auction's, the figures the line's."""
        figures = state if line is None else line
        shown = digits_of(figures.get("minimum_next_bid"), figures.get("leading_bid"), figures.get("your_best"))
        digits = shown if shown is not None else currency_digits(state.get("currency"))
        leading = parse_money(figures.get("leading_bid"))
        rank = figures.get("your_rank")
        return cls(status=state.get("status"), leading_bid=leading, your_best=parse_money(figures.get("your_best")),
                   your_rank=rank if isinstance(rank, int) else None,
                   minimum_next_bid=parse_money(figures.get("minimum_next_bid")), digits=digits,
                   mode=str(state.get("mode") or "live"), decrement=decrement_of(settings or {}, leading))


def line_markets(state: dict[str, Any], settings: dict[str, Any] | None = None) -> dict[int, Market]:
    """Line item id → the market of that line, for each entry of the state's `lines`."""
    return {line["line_item_id"]: Market.from_state(state, settings, line=line)
            for line in state.get("lines") or [] if isinstance(line.get("line_item_id"), int)}


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


class PerLineBidder:
    """The auto-bidder of a per-line auction: `floors` maps a line item id to the lowest amount
    to bid on that line (the price of its whole quantity, as a per-line bid is); `steps` and
    `openings` map line ids to that line's own step and opening bid, as AutoBidder takes them.
    Lines without a floor are not bid on."""

    def __init__(self, floors: Mapping[int, Amount], steps: Mapping[int, Amount] | None = None,
                 openings: Mapping[int, Amount] | None = None) -> None:
        floors, steps, openings = _by_line(floors), _by_line(steps or {}), _by_line(openings or {})
        if not floors:
            raise ValueError("a per-line auto-bidder needs a floor for at least one line")
        strays = sorted((set(steps) | set(openings)) - set(floors))
        if strays:
            raise ValueError(f"a step or opening bid for line {_ids(strays)} without a floor: "
                             "lines without a floor are not bid on")
        self.bidders: dict[int, AutoBidder] = {}
        for line, floor in floors.items():
            try:
                self.bidders[line] = AutoBidder(floor, steps.get(line), openings.get(line))
            except ValueError as exc:
                raise ValueError(f"line {line}: {exc}") from None

    @property
    def lines(self) -> list[int]:
        return list(self.bidders)

    def decide(self, markets: Mapping[int, Market]) -> dict[int, Decision]:
        """A decision for each line with a floor, on that line's market alone (a line the
        state does not show waits)."""
        return {line: bidder.decide(markets[line]) if line in markets else
                Decision("wait", f"line {line} is not in the auction's state")
                for line, bidder in self.bidders.items()}


def _by_line(amounts: Mapping[int, Amount]) -> dict[int, Amount]:
    try:
        return {int(line): amount for line, amount in amounts.items()}
    except (TypeError, ValueError):
        raise ValueError(f"lines are given by their line item id (a whole number): {sorted(map(str, amounts))}") \
            from None


def _ids(lines: list[int]) -> str:
    return ", ".join(str(line) for line in lines)


class WrongBidder(QuaysideError, ValueError):
    """The auto-bidder does not fit the auction: per-line floors on an auction bid on its
    total, a floor for the total on a per-line auction, or a floor for a line the RFQ lacks."""


def check_bidder(rfq: dict[str, Any], bidder: AutoBidder | PerLineBidder) -> None:
    """Raise WrongBidder unless `bidder` can bid in `rfq` (the RFQ representation)."""
    auction = rfq.get("auction") or {}
    basis = (auction.get("settings") or {}).get("bidding_basis") or "TOTAL"
    items = [item for item in rfq.get("line_items") or [] if isinstance(item, dict)]
    lines = ", ".join(f"{item.get('id')} ({item.get('description', '')})" for item in items) or "none"
    name = f"RFQ {rfq.get('id')}"
    if basis == "PER_LINE" and isinstance(bidder, AutoBidder):
        raise WrongBidder(f"{name} is bid line by line (bidding_basis PER_LINE): one floor for the whole auction "
                          f"means nothing there. Give a floor per line: --line-floor LINE_ID=AMOUNT (Python: "
                          f"PerLineBidder(floors={{line_id: amount}})). Its lines: {lines}.")
    if basis != "PER_LINE" and isinstance(bidder, PerLineBidder):
        raise WrongBidder(f"{name} takes no per-line bids ({auction.get('type', 'auction')}, bidding_basis {basis}): "
                          f"per-line floors mean nothing there. Give one floor for the total: --floor AMOUNT "
                          f"(Python: AutoBidder(floor)).")
    if isinstance(bidder, PerLineBidder):
        unknown = sorted(set(bidder.lines) - {item.get("id") for item in items})
        if unknown:
            raise WrongBidder(f"line {_ids(unknown)} is not a line of {name}. Its lines: {lines}.")
