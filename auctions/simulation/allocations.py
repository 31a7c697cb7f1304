"""Split and bundle formats: the phantoms quote the RFQ's lines, the rule engine judges each
quote, and the real allocation code (auctions/evaluation/allocation) awards and pays.

Strategies (c: a supplier's cost of a line or bundle, in minor units):
- VCG, split or bundles: bid c (truthful bidding is a dominant strategy under VCG);
- split, pay as bid: each line's unit price follows the first-price equilibrium of that line's
  cost distribution (equilibrium.py with lines.py's F). Without a limit on suppliers each line
  is its own first-price auction, so this is an equilibrium; with a limit it is the same
  markup, an approximation;
- bundles, pay as bid: no equilibrium is known in closed form. Each offer is marked up by the
  ratio the whole-award first-price equilibrium gives the phantom's total cost — a heuristic,
  said so in the simulation's assumptions.

A phantom offers every line's whole quantity (split), or the package of all lines and the
lines it is cheapest on one by one, at most `max_bundles_per_quote` offers (bundles).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from auctions.drafts import BidDraft, BundleInput, LineInput
from auctions.evaluation import break_ties, reserve_status
from auctions.evaluation.allocation import (
    Allocation,
    Bundle,
    BundleProblem,
    Line,
    Offer,
    SplitProblem,
    payments,
    solve_bundles,
    solve_split,
    total_payment,
)
from auctions.evaluation.rank import DEFAULT_TIE_BREAKING

from . import phantoms
from .equilibrium import first_price_bids
from .formats import NO_AWARD, Format, Outcome


class Allocating(Format):
    """What split and bundle formats share: the lines, the tie-breaking order, the award."""

    def problem_lines(self) -> tuple[Line, ...]:
        return tuple(Line(index + 1, quantity) for index, quantity in enumerate(self.lines.quantities))

    def preference(self, quotes: list, run: int) -> tuple[int, ...]:
        """The suppliers in the order the default tie-breaking chain puts their quotes."""
        chain = DEFAULT_TIE_BREAKING
        ordered = break_ties(quotes, chain["criteria"], chain["final_fallback"], int(self.tie_seeds[run])).ordered
        return tuple(q.supplier_id for q in ordered)

    def award(self, problem: SplitProblem | BundleProblem, run: int) -> Outcome:
        outcome = solve_bundles(problem) if isinstance(problem, BundleProblem) else solve_split(problem)
        if not isinstance(outcome, Allocation):
            return NO_AWARD
        reserve = self.reserve_settings
        if reserve_status(reserve["enabled"], reserve["amount"], outcome.total_cost)["met"] is False:
            return NO_AWARD
        paid = total_payment(payments(problem, outcome, self.pricing))
        return Outcome(paid, self.winners_cost(outcome, run), winners=len(outcome.cost_by_supplier))

    def winners_cost(self, allocation: Allocation, run: int) -> Decimal:
        """The winners' own cost of what they won, in minor units."""
        raise NotImplementedError


class Split(Allocating):
    def prepare(self) -> None:
        line = self.lines.line
        if self.pricing == "VCG":
            bids = line
        else:
            sample = self.lines.sample
            raw = first_price_bids(line.astype(float), self.lines.cdf, float(sample[0]), float(sample[-1]),
                                   self.model.bidders)
            bids = np.maximum(np.rint(raw).astype(np.int64), line)
        quantities = np.array(self.lines.quantities, dtype=np.int64)
        self.unit = -(-bids // quantities)  # unit prices in minor units, rounded up: never below cost

    def run(self, i: int) -> Outcome:
        offers, quotes = [], []
        for bidder in range(self.model.bidders):
            prices = [self.money(units) for units in self.unit[i, bidder]]
            draft = BidDraft(lines=[LineInput(line + 1, phantoms.money(price)) for line, price in enumerate(prices)],
                             currency=self.rfq.currency)
            if not phantoms.draft_accepted(self.rfq, draft):
                continue
            total = sum((price * q for price, q in zip(prices, self.lines.quantities, strict=True)), Decimal(0))
            quotes.append(phantoms.quote(bidder, total, order=bidder))
            offers.extend(Offer(bidder + 1, bidder + 1, line + 1, price, 1, quantity)
                          for line, (price, quantity) in enumerate(zip(prices, self.lines.quantities, strict=True)))
        if not offers:
            return NO_AWARD
        settings = self.rfq.auction_settings
        problem = SplitProblem(self.problem_lines(), tuple(offers),
                               max_suppliers_per_line=settings.get("max_suppliers_per_line"),
                               max_suppliers=settings.get("max_suppliers"), preference=self.preference(quotes, i))
        return self.award(problem, i)

    def winners_cost(self, allocation: Allocation, run: int) -> Decimal:
        cost = Decimal(0)
        for a in allocation.awards:
            line = a.line_id - 1
            cost += Decimal(int(self.lines.line[run, a.supplier_id - 1, line])) * a.quantity / self.lines.quantities[line]
        return cost


class Bundles(Allocating):
    def prepare(self) -> None:
        if self.pricing == "VCG":
            self.markup = np.ones(self.costs.shape)
        else:
            scale = 10 ** self.model.digits
            model = self.model
            raw = first_price_bids(self.costs / scale, model.distribution.cdf, model.low, model.high, model.bidders)
            self.markup = np.maximum(raw * scale / self.costs, 1.0)
        self.limit = int(self.rfq.auction_settings.get("max_bundles_per_quote", 10))

    def offers(self, i: int, bidder: int) -> list[tuple[tuple[int, ...], int]]:
        """(line ids, cost in minor units) of what this phantom offers in run i."""
        line = self.lines.line[i, bidder]
        if self.lines.count == 1:
            return [((1,), int(line[0]))]
        cheapest = np.argsort(line, kind="stable")[: self.limit - 1]
        return [(tuple(range(1, self.lines.count + 1)), int(self.lines.package[i, bidder]))] + [
            ((int(index) + 1,), int(line[index])) for index in cheapest]

    def run(self, i: int) -> Outcome:
        bundles, quotes, self.bundle_cost = [], [], {}
        for bidder in range(self.model.bidders):
            offered = self.offers(i, bidder)
            prices = [self.money(int(np.ceil(cost * self.markup[i, bidder]))) for _, cost in offered]
            draft = BidDraft(bundles=[BundleInput(ids, phantoms.money(price))
                                      for (ids, _), price in zip(offered, prices, strict=True)], currency=self.rfq.currency)
            if not phantoms.draft_accepted(self.rfq, draft):
                continue
            quotes.append(phantoms.quote(bidder, max(prices), order=bidder))
            for index, ((ids, cost), price) in enumerate(zip(offered, prices, strict=True)):
                bundles.append(Bundle(bidder + 1, bidder + 1, index, frozenset(ids), price))
                self.bundle_cost[(bidder + 1, index)] = cost
        if not bundles:
            return NO_AWARD
        return self.award(BundleProblem(self.problem_lines(), tuple(bundles), preference=self.preference(quotes, i)), i)

    def winners_cost(self, allocation: Allocation, run: int) -> Decimal:
        won = {(a.supplier_id, a.bundle) for a in allocation.awards}
        return Decimal(sum(self.bundle_cost[key] for key in won))
