"""One run of one format: the phantom suppliers bid by the format's strategy, the rule engine
accepts or refuses each bid, and the real evaluation ranks, checks the reserve and prices.

Strategies (costs c, in minor units; u = the upper limit the bidders know):
- sealed FIRST_PRICE: the symmetric Bayesian-Nash equilibrium β(c) (equilibrium.py), rounded
  to the minor unit and never below cost;
- sealed SECOND_PRICE: bid the cost (weakly dominant);
- REVERSE_AUCTION (pay as bid): stay in while the price is above cost. The runner-up's last
  bid is its cost (rounded up to the minor unit, at most the opening price); the winner then
  bids the real `minimum_next_bid` below it, if that is still at or above its own cost —
  so the price ends within one minimum decrement of the second-lowest cost. Only these two
  bids can decide the outcome; the earlier rounds, where higher-cost bidders drop out, are
  not played one decrement at a time.

Bidders who know the reserve (disclosed, or disclosed as the starting price) and cannot meet
it stay out. With sealed bids only the lowest quotes can decide the winner and the second
price, so by default the bids are checked lowest first until two are accepted (and any tied
with them) and only those are ranked; `every_bid=True` checks and ranks every bid (the same
result, slower — tested).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from auctions import evaluation
from auctions.mechanisms.reverse import minimum_next_bid

from . import phantoms
from .costs import CostModel
from .equilibrium import first_price_bids
from .lines import LineCosts


@dataclass(frozen=True)
class Outcome:
    payment: Decimal | None  # None: no award
    winner_cost: int | Decimal | None  # the winners' cost of what they won, minor units
    winners: int = 1


NO_AWARD = Outcome(None, None)


@dataclass
class Format:
    """One format's fixed inputs; `run(i)` plays run i."""

    auction_type: str
    pricing: str
    rfq: object  # phantoms.phantom_rfq
    costs: np.ndarray  # (runs, bidders) minor units
    model: CostModel
    reserve: phantoms.Reserve | None
    tie_seeds: np.ndarray
    every_bid: bool = False
    lines: LineCosts | None = None  # split and bundle formats: the costs line by line

    def money(self, units) -> Decimal:
        return Decimal(int(units)).scaleb(-self.model.digits)

    @property
    def reserve_settings(self) -> dict:
        return {"enabled": self.reserve is not None, "amount": self.reserve.amount if self.reserve else None,
                "visibility": self.reserve.visibility if self.reserve else "hidden"}

    @property
    def upper_units(self) -> int | None:
        """The most a bidder who knows the reserve may bid (below it if it is the starting price)."""
        if self.reserve is None or not self.reserve.disclosed:
            return None
        units = int(self.reserve.amount.scaleb(self.model.digits))
        return units - 1 if self.reserve.as_starting else units

    def evaluate(self, quotes: list, run: int) -> Outcome:
        result = evaluation.rank(quotes, method="PRICE", seed=int(self.tie_seeds[run]),
                                 reserve=self.reserve_settings, pricing=self.pricing)
        if result.recommended_bid_id is None:
            return NO_AWARD
        winner = result.recommended_bid_id - 1
        return Outcome(Decimal(result.pricing["winner_payment"]), int(self.costs[run, winner]))


class Sealed(Format):
    def prepare(self) -> None:
        model, upper = self.model, self.upper_units
        if self.pricing == "SECOND_PRICE":
            bids = self.costs.copy()
        else:
            scale = 10 ** model.digits
            limit = model.high if upper is None else min(model.high, upper / scale)
            raw = first_price_bids(self.costs / scale, model.distribution.cdf, model.low, limit, model.bidders)
            bids = np.maximum(np.rint(raw * scale).astype(np.int64), self.costs)
        if upper is not None:
            bids = np.minimum(bids, upper)
            bids[self.costs > upper] = np.iinfo(np.int64).max  # out: cannot meet the known reserve
        self.bids = bids
        self.order = np.argsort(bids, axis=1, kind="stable")

    def run(self, i: int) -> Outcome:
        quotes, last = [], None
        for bidder in self.order[i]:
            units = self.bids[i, bidder]
            if units == np.iinfo(np.int64).max:
                break
            if not self.every_bid and len(quotes) >= 2 and units > last:
                break
            amount = self.money(units)
            if phantoms.accepted(self.rfq, amount, sealed=True):
                quotes.append(phantoms.quote(int(bidder), amount, order=int(bidder)))
                last = units
        return self.evaluate(quotes, i)


class Reverse(Format):
    def prepare(self) -> None:
        self.order = np.argsort(self.costs, axis=1, kind="stable")
        self.opening = self._opening_units()

    def _opening_units(self) -> int:
        """Where the price starts: the starting price, else a reserve the bidders know, else the
        top of the cost range (no bidder would ever open higher than the highest possible cost)."""
        start = self.rfq.auction_settings.get("starting_price")
        candidates = [int(Decimal(start).scaleb(self.model.digits))] if start is not None else []
        if self.upper_units is not None:
            candidates.append(self.upper_units)
        return min(candidates) if candidates else int(np.ceil(self.model.high * 10 ** self.model.digits))

    def _place(self, units: int, best: Decimal | None) -> Decimal | None:
        amount = self.money(units)
        self.rfq.best_amount = best
        return amount if phantoms.accepted(self.rfq, amount, sealed=False) else None

    def run(self, i: int) -> Outcome:
        winner, runner_up = (int(b) for b in self.order[i, :2]) if self.model.bidders > 1 else (
            int(self.order[i, 0]), None)
        c1 = int(self.costs[i, winner])
        if c1 > self.opening:
            return self.evaluate([], i)  # nobody can bid at or below the opening price
        if runner_up is None or int(self.costs[i, runner_up]) > self.opening:
            second = None
        else:
            second = self._place(min(int(self.costs[i, runner_up]), self.opening), None)
        if second is None:  # alone: the winner opens and nobody undercuts it
            first = self._place(self.opening, None)
            return self.evaluate([phantoms.quote(winner, first, 0)] if first is not None else [], i)
        quotes = [phantoms.quote(runner_up, second, 0)]
        undercut = minimum_next_bid(self.rfq.auction_settings, second, self.model.digits)
        if undercut > 0 and int(undercut.scaleb(self.model.digits)) >= c1:
            first = self._place(int(undercut.scaleb(self.model.digits)), second)
            if first is not None:
                quotes.append(phantoms.quote(winner, first, 1))
        return self.evaluate(quotes, i)


FORMATS = {"SEALED_BID": Sealed, "REVERSE_AUCTION": Reverse}
