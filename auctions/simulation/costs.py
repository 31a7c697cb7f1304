"""The phantom suppliers' private costs: i.i.d. uniform on [b(1 − s), b(1 + s)].

b is the baseline total and s the cost spread. Costs are drawn for every run at once
(vectorised, one numpy Generator seeded with the simulation's seed) and rounded to the
currency's minor unit, so every later amount is an exact whole number of minor units.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.utils.functional import cached_property
from scipy import stats


@dataclass(frozen=True)
class CostModel:
    baseline: Decimal
    spread: Decimal
    bidders: int
    digits: int  # the currency's minor-unit digits

    @property
    def low(self) -> float:
        return float(self.baseline * (1 - self.spread))

    @property
    def high(self) -> float:
        return float(self.baseline * (1 + self.spread))

    @cached_property
    def distribution(self):
        """The cost distribution F as a frozen scipy distribution (its cdf drives the equilibrium)."""
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def draw(self, rng: np.random.Generator, runs: int) -> np.ndarray:
        """Costs in minor units, shape (runs, bidders), int64."""
        costs = self.distribution.rvs(size=(runs, self.bidders), random_state=rng)
        return np.rint(costs * 10 ** self.digits).astype(np.int64)
