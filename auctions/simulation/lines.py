"""The phantom suppliers' costs line by line, for the formats that award lines or bundles.

Each run's total costs (costs.py) are the same for every format (common random numbers), so a
split or bundle format differs from a whole award by how it awards, not by other dice. A
supplier's total is divided among the RFQ's lines around equal shares: line l's share is
(1 + s·v_l) normalised to sum 1, with v_l uniform on [−1, 1] and s the cost spread, so a
supplier may be cheap on one line and dear on another (what splitting exploits). Line costs
are whole minor units and add up to the total (the last line takes the rounding).

A package of every line costs a supplier its line costs less a saving, uniform on [0, s/2]
of them (economies of scope: what bundle bids are for).

The draws come from their own generator seeded with (seed, 1), so the formats that existed
before lines were simulated keep their results for a seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.functional import cached_property

from .costs import CostModel

SAMPLE = 20_000  # draws of one line's cost for its distribution (the first-price equilibrium)


@dataclass(frozen=True)
class LineCosts:
    quantities: tuple[int, ...]  # whole units per line, in the RFQ's line order
    line: np.ndarray  # (runs, bidders, lines) minor units
    package_saving: np.ndarray  # (runs, bidders) fraction of the line costs
    sample: np.ndarray  # sorted draws of one line's cost (every line has the same distribution)

    @property
    def count(self) -> int:
        return len(self.quantities)

    @cached_property
    def package(self) -> np.ndarray:
        """(runs, bidders) minor units: every line at once, the saving taken off (rounded up)."""
        full = self.line.sum(axis=2)
        return np.ceil(full * (1 - self.package_saving)).astype(np.int64)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """F of one line's cost (the sample's, interpolated)."""
        return np.interp(x, self.sample, np.linspace(0.0, 1.0, len(self.sample)), left=0.0, right=1.0)


def split_costs(costs: np.ndarray, lines: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    """(runs, bidders) totals → (runs, bidders, lines) line costs that add up to them, each ≥ 1 unit
    (a total below `lines` units is the only case where they add up to more)."""
    shares = 1 + spread * rng.uniform(-1.0, 1.0, size=(*costs.shape, lines))
    shares /= shares.sum(axis=2, keepdims=True)
    # One unit each first, the rest by the shares: the floors never add up past the total, so
    # the last line (what is left) is at least one unit too.
    rest = np.maximum(costs - lines, 0)
    line = 1 + np.floor(rest[..., None] * shares).astype(np.int64)
    line[..., -1] = np.maximum(costs - line[..., :-1].sum(axis=2), 1)
    return line


def line_costs(costs: np.ndarray, quantities: tuple[int, ...], model: CostModel, seed: int) -> LineCosts:
    rng = np.random.default_rng([seed, 1])
    lines = len(quantities)
    spread = float(model.spread)
    line = split_costs(costs, lines, spread, rng)
    saving = rng.uniform(0.0, spread / 2, size=costs.shape)
    # One line's cost distribution, from totals drawn by the same cost model.
    totals = CostModel(model.baseline, model.spread, 1, model.digits).draw(rng, SAMPLE)
    sample = np.sort(split_costs(totals, lines, spread, rng)[:, 0, 0].astype(float))
    return LineCosts(tuple(quantities), line, saving, sample)
