"""A small integer program as plain data: every column integer, every number an exact int.

Prices are scaled to integers before they get here (`money.py`), so any objective value is
an integer and any candidate solution can be checked and costed without tolerance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Values HiGHS holds in doubles are exact up to 2**53; we stay well below so that sums of
# products in the solver cannot round either.
EXACT_LIMIT = 2 ** 50


@dataclass(frozen=True)
class Row:
    """lo ≤ Σ coef·x[index] ≤ hi (None: unbounded on that side)."""
    indices: tuple[int, ...]
    coefs: tuple[int, ...]
    lo: int | None
    hi: int | None


@dataclass
class Mip:
    costs: list[int] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)  # every lower bound is 0
    rows: list[Row] = field(default_factory=list)

    def add_col(self, cost: int, upper: int) -> int:
        self.costs.append(cost)
        self.upper.append(upper)
        return len(self.costs) - 1

    def add_row(self, terms: list[tuple[int, int]], lo: int | None, hi: int | None) -> None:
        self.rows.append(Row(tuple(i for i, _ in terms), tuple(c for _, c in terms), lo, hi))

    def cost(self, x: list[int], costs: list[int] | None = None) -> int:
        return sum(c * v for c, v in zip(costs or self.costs, x, strict=True) if c and v)

    def feasible(self, x: list[int]) -> bool:
        """The exact check: integer values within bounds, every row satisfied."""
        if any(not 0 <= v <= u for v, u in zip(x, self.upper, strict=True)):
            return False
        for row in self.rows:
            total = sum(c * x[i] for i, c in zip(row.indices, row.coefs, strict=True))
            if (row.lo is not None and total < row.lo) or (row.hi is not None and total > row.hi):
                return False
        return True

    def check_exact_range(self) -> None:
        """Refuse a model whose objective or rows could exceed what doubles hold exactly."""
        worst = sum(abs(c) * u for c, u in zip(self.costs, self.upper, strict=True))
        if worst >= EXACT_LIMIT:
            raise ValueError("Prices × quantities are too large for an exact solve (over 2**50 minor units).")
