"""The symmetric Bayesian-Nash equilibrium of a first-price procurement auction, numerically.

With n bidders whose costs are i.i.d. with cdf F on [c_lo, c_hi] (and an upper limit u: c_hi,
or a reserve the bidders know, whichever is lower), a bidder with cost c ≤ u bids

    β(c) = c + ∫_c^u (1 − F(t))^(n−1) dt / (1 − F(c))^(n−1)

(the expected second-lowest cost given that c is the lowest). It is computed for any F, not
from a closed form: on a grid c_0 < … < c_G = u, with S(t) = (1 − F(t))^(n−1) and
R_i = ∫_{c_i}^u S / S(c_i), the backward recursion

    R_i = ∫_{c_i}^{c_{i+1}} S(t) / S(c_i) dt + R_{i+1} · S(c_{i+1}) / S(c_i)

integrates each interval with Gauss–Legendre nodes. Every ratio is at most 1, so nothing
under- or overflows even with 200 bidders (where S itself would underflow to 0), and one
vectorised call of F's cdf serves the whole grid. β between grid points is interpolated.
For uniform costs the result must equal the closed form c + (u − c)/n (tested).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.polynomial.legendre import leggauss

GRID_POINTS = 513
GAUSS_NODES = 8


def markup_grid(cdf: Callable[[np.ndarray], np.ndarray], low: float, upper: float, bidders: int,
                grid_points: int = GRID_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(grid, R) with R[i] = ∫_{grid[i]}^upper S(t)/S(grid[i]) dt, the equilibrium markup at grid[i]."""
    grid = np.linspace(low, upper, grid_points)
    if bidders == 1:  # no competitor: bid the upper limit
        return grid, upper - grid
    nodes, weights = leggauss(GAUSS_NODES)
    left, width = grid[:-1, None], np.diff(grid)[:, None]
    t = left + (nodes + 1) / 2 * width  # Gauss nodes inside each interval, shape (G-1, m)
    log_survival = lambda x: (bidders - 1) * np.log1p(-np.clip(cdf(x), 0.0, 1.0))  # noqa: E731
    with np.errstate(divide="ignore"):
        log_s_grid = log_survival(grid)
        log_s_nodes = log_survival(t)
    # ∫ over each interval of S(t)/S(left) and the step ratio S(right)/S(left), both ≤ 1.
    # At the top of the support S is 0 (log −∞): the ratios are 0, never NaN.
    finite = np.isfinite(log_s_grid[:-1])
    start = np.where(finite, log_s_grid[:-1], 0.0)[:, None]
    within = np.where(finite[:, None], np.exp(log_s_nodes - start), 0.0) @ weights * width[:, 0] / 2
    step = np.where(finite, np.exp(log_s_grid[1:] - start[:, 0]), 0.0)
    markup = np.zeros(grid_points)
    for i in range(grid_points - 2, -1, -1):
        markup[i] = within[i] + markup[i + 1] * step[i]
    return grid, markup


def first_price_bids(costs: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray], low: float, upper: float,
                     bidders: int) -> np.ndarray:
    """β(c) for every cost in `costs` (any shape, same unit as low/upper); costs ≥ upper bid at cost."""
    grid, markup = markup_grid(cdf, low, upper, bidders)
    return costs + np.interp(costs, grid, markup, left=markup[0], right=0.0)
