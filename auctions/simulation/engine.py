"""Monte Carlo over the formats: draw every run's costs once, play each format, summarise.

Every format sees the same draws (common random numbers), so differences between formats
are the formats', not the dice's. The same seed gives the same results; the tie-break seeds
of the runs come from the same generator.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from common.money import round_money

from . import phantoms
from .allocations import Bundles, Split
from .catalogue import award_mode
from .costs import CostModel
from .formats import FORMATS, Format, Outcome
from .lines import LineCosts, line_costs

PERCENTILES = (5, 50, 95)
PROGRESS_STEPS = 50  # progress is reported about this many times per simulation


@dataclass(frozen=True)
class Spec:
    baseline: Decimal
    spread: Decimal
    bidders: int
    runs: int
    seed: int
    formats: list[tuple[str, str]]  # (auction_type, pricing)
    currency: str
    digits: int
    settings: dict[str, dict] = field(default_factory=dict)  # per auction type, validated
    reserve: phantoms.Reserve | None = None
    category: str = ""
    every_bid: bool = False
    quantities: tuple[int, ...] = (1,)  # the RFQ's lines in whole units (split and bundle formats)


def simulate(spec: Spec, *, progress: Callable[[float], None] | None = None) -> list[dict]:
    model = CostModel(spec.baseline, spec.spread, spec.bidders, spec.digits)
    rng = np.random.default_rng(spec.seed)
    costs = model.draw(rng, spec.runs)
    tie_seeds = rng.integers(0, 2**31, size=spec.runs)
    modes = {auction_type: award_mode(auction_type, spec.settings.get(auction_type, {}))
             for auction_type, _ in spec.formats}
    lines = None
    if any(mode != "WHOLE" for mode in modes.values()):
        lines = line_costs(costs, spec.quantities, model, spec.seed)
    total, done = spec.runs * len(spec.formats), 0
    every = max(1, total // PROGRESS_STEPS)
    results = []
    for auction_type, pricing in spec.formats:
        fmt = _format(spec, auction_type, pricing, modes[auction_type], model, costs, tie_seeds, lines)
        fmt.prepare()
        outcomes = []
        for i in range(spec.runs):
            outcomes.append(fmt.run(i))
            done += 1
            if progress is not None and done % every == 0:
                progress(done / total)
        results.append({"auction_type": auction_type, "pricing": pricing, "award_mode": modes[auction_type],
                        **summarise(outcomes, spec.digits)})
    return results


def _format(spec: Spec, auction_type: str, pricing: str, mode: str, model: CostModel, costs: np.ndarray,
            tie_seeds: np.ndarray, lines: LineCosts | None) -> Format:
    quantities = None if mode == "WHOLE" else {i + 1: Decimal(q) for i, q in enumerate(spec.quantities)}
    rfq = phantoms.phantom_rfq(auction_type=auction_type, settings=spec.settings.get(auction_type, {}),
                               currency=spec.currency, reserve=spec.reserve, category=spec.category,
                               quantities=quantities)
    kind = {"SPLIT": Split, "BUNDLES": Bundles}.get(mode) or FORMATS[auction_type]
    return kind(auction_type, pricing, rfq, costs, model, spec.reserve, tie_seeds, every_bid=spec.every_bid,
                lines=None if mode == "WHOLE" else lines)


def summarise(outcomes: list[Outcome], digits: int) -> dict:
    """Expected total and percentiles of the price paid (awarded runs only), the no-award rate,
    the mean margin of the winners (payment − their cost) and how many suppliers win on
    average. Money stays Decimal."""
    awarded = [o for o in outcomes if o.payment is not None]
    paid = sorted(o.payment for o in awarded)
    if not paid:
        empty = dict.fromkeys(("expected_total", "p5", "p50", "p95", "mean_winner_margin", "mean_winners"))
        return {**empty, "no_award_rate": 1.0, "awarded_runs": 0, "distribution": None}
    margins = [o.payment - Decimal(o.winner_cost).scaleb(-digits) for o in awarded]

    def money(value: Decimal) -> str:
        return f"{round_money(value, digits):f}"

    quantiles = {f"p{p}": money(nearest_rank(paid, p)) for p in PERCENTILES}
    return {"expected_total": money(sum(paid) / len(paid)), **quantiles,
            "no_award_rate": round(1 - len(paid) / len(outcomes), 6), "awarded_runs": len(paid),
            "mean_winner_margin": money(sum(margins) / len(margins)),
            "mean_winners": round(sum(o.winners for o in awarded) / len(awarded), 4),
            "distribution": {"min": money(paid[0]), "max": money(paid[-1]),
                             "p25": money(nearest_rank(paid, 25)), "p75": money(nearest_rank(paid, 75))}}


def nearest_rank(ordered: list[Decimal], percent: float) -> Decimal:
    """The nearest-rank percentile: a price some run really paid, never an interpolation."""
    index = max(0, int(np.ceil(percent / 100 * len(ordered))) - 1)
    return ordered[index]
