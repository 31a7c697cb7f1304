"""The one module that talks to HiGHS: a `Mip` loaded once, solved to proven optimality,
then re-solved with columns fixed to zero (VCG) or with a second objective (tie-breaking).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from .mip import Mip

OPTIONS = {
    "output_flag": False,
    "mip_rel_gap": 0.0,  # zero gap: the optimum is proven, not approximated
    "mip_abs_gap": 0.0,
    "threads": 1,  # one solver thread: the same model always gives the same answer
    "random_seed": 0,
}


class SolverError(RuntimeError):
    """HiGHS did not prove optimality or infeasibility, or its answer failed the exact check."""


class HighsMip:
    def __init__(self, mip: Mip, options: dict | None = None) -> None:
        mip.check_exact_range()
        self.mip = Mip(list(mip.costs), list(mip.upper), list(mip.rows))  # restrict_cost adds a row
        self.fixed: frozenset[int] = frozenset()
        self.costs = list(mip.costs)
        self.highs = highspy.Highs()
        for name, value in {**OPTIONS, **(options or {})}.items():
            self.highs.setOptionValue(name, value)
        self._load()

    def _load(self) -> None:
        n = len(self.mip.costs)
        cols = np.arange(n, dtype=np.int32)
        self.highs.addVars(n, np.zeros(n), np.array(self.mip.upper, dtype=float))
        self.highs.changeColsCost(n, cols, np.array(self.mip.costs, dtype=float))
        self.highs.changeColsIntegrality(n, cols, np.full(n, highspy.HighsVarType.kInteger))
        for row in self.mip.rows:
            self._add_row(row.indices, row.coefs, row.lo, row.hi)

    def _add_row(self, indices: Iterable[int], coefs: Iterable[int], lo: int | None, hi: int | None) -> None:
        idx = np.array(list(indices), dtype=np.int32)
        lower = -highspy.kHighsInf if lo is None else float(lo)
        upper = highspy.kHighsInf if hi is None else float(hi)
        self.highs.addRow(lower, upper, len(idx), idx, np.array(list(coefs), dtype=float))

    def minimise(self, hint: list[int] | None = None) -> list[int] | None:
        """The optimal integer solution, or None when there is none; checked exactly."""
        if not self.mip.costs:  # HiGHS calls a model without columns "empty", not solved
            return [] if self.feasible([]) else None
        if hint is not None:
            solution = highspy.HighsSolution()
            solution.col_value = [float(v) for v in hint]
            self.highs.setSolution(solution)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS stopped with {self.highs.modelStatusToString(status)}.")
        x = [round(v) for v in self.highs.getSolution().col_value]
        self._verify(x)
        return x

    def _verify(self, x: list[int]) -> None:
        # Tolerance-free: the rounded solution must satisfy every row in integers, and its
        # exact integer cost must be what HiGHS reports and no more than its proven bound.
        if not self.feasible(x):
            raise SolverError("The solver's solution fails the exact feasibility check.")
        info = self.highs.getInfo()
        exact = self.mip.cost(x, self.costs)
        if abs(info.objective_function_value - exact) >= 0.5:
            raise SolverError(f"Objective {info.objective_function_value} is not the exact cost {exact}.")
        # The objective is integral, so a dual bound above exact − 1 proves nothing cheaper exists.
        if math.ceil(info.mip_dual_bound - 1e-6) < exact:
            raise SolverError(f"Optimality not proven: bound {info.mip_dual_bound}, solution {exact}.")

    def feasible(self, x: list[int]) -> bool:
        return self.mip.feasible(x) and all(x[i] == 0 for i in self.fixed)

    @contextmanager
    def without(self, columns: list[int]) -> Iterator[None]:
        """Columns fixed to zero by their bounds for the duration (same model, no rebuild)."""
        idx = np.array(columns, dtype=np.int32)
        self.highs.changeColsBounds(len(idx), idx, np.zeros(len(idx)), np.zeros(len(idx)))
        self.fixed = frozenset(columns)
        try:
            yield
        finally:
            upper = np.array([self.mip.upper[i] for i in columns], dtype=float)
            self.highs.changeColsBounds(len(idx), idx, np.zeros(len(idx)), upper)
            self.fixed = frozenset()

    def restrict_cost(self, at_most: int, costs: list[int]) -> None:
        """Second stage: keep the first objective at most `at_most`, minimise `costs` instead."""
        nonzero = [(i, c) for i, c in enumerate(self.mip.costs) if c]
        self._add_row([i for i, _ in nonzero], [c for _, c in nonzero], None, at_most)
        self.mip.add_row(nonzero, None, at_most)
        self.costs = list(costs)
        n = len(costs)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(costs, dtype=float))


class HighsColumns:
    """An LP whose columns arrive in batches (column generation), solved for its duals; the
    integer decisions are taken outside (split_patterns.py branches and prices)."""

    def __init__(self, row_lower: list[float], row_upper: list[float], options: dict | None = None) -> None:
        self.highs = highspy.Highs()
        for name, value in {**OPTIONS, **(options or {})}.items():
            self.highs.setOptionValue(name, value)
        n = len(row_lower)
        self.highs.addRows(n, np.array(row_lower, dtype=float), np.array(row_upper, dtype=float),
                           0, np.array([], dtype=np.int32), np.array([], dtype=np.int32), np.array([], dtype=float))
        self.columns = 0

    def add_columns(self, costs: list[float], upper: list[int], rows: list[list[int]], coefs: list[list[int]]) -> range:
        """Columns with bounds [0, upper]; returns their indices."""
        starts = np.cumsum([0] + [len(r) for r in rows[:-1]], dtype=np.int32)
        index = np.array([i for r in rows for i in r], dtype=np.int32)
        value = np.array([v for c in coefs for v in c], dtype=float)
        n = len(costs)
        self.highs.addCols(n, np.array(costs, dtype=float), np.zeros(n), np.array(upper, dtype=float),
                           len(index), starts, index, value)
        added = range(self.columns, self.columns + n)
        self.columns += n
        return added

    def add_columns_packed(self, costs: np.ndarray, upper: np.ndarray, counts: np.ndarray, rows: np.ndarray) -> range:
        """Columns with bounds [0, upper] and coefficient 1 in their rows: `counts[i]` rows
        each, all of them concatenated in `rows`. Returns their indices."""
        n = len(costs)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        self.highs.addCols(n, np.asarray(costs, dtype=float), np.zeros(n), np.asarray(upper, dtype=float),
                           len(rows), starts, np.asarray(rows, dtype=np.int32), np.ones(len(rows)))
        added = range(self.columns, self.columns + n)
        self.columns += n
        return added

    def set_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        idx = np.asarray(columns, dtype=np.int32)
        self.highs.changeColsBounds(len(idx), idx, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))

    def set_costs(self, costs: np.ndarray) -> None:
        n = len(costs)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(costs, dtype=float))

    def values(self) -> np.ndarray:
        return np.array(self.highs.getSolution().col_value)

    def add_row(self, columns: list[int], coefs: list[int], lo: int | None, hi: int | None) -> None:
        lower = -highspy.kHighsInf if lo is None else float(lo)
        upper = highspy.kHighsInf if hi is None else float(hi)
        self.highs.addRow(lower, upper, len(columns), np.array(columns, dtype=np.int32), np.array(coefs, dtype=float))

    def delete_last_row(self) -> None:
        last = self.highs.getNumRow() - 1
        self.highs.deleteRows(1, np.array([last], dtype=np.int32))

    def relaxation(self) -> tuple[float, np.ndarray]:
        """The LP optimum over the columns held: objective and row duals (d = c − Aᵀ·duals)."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS stopped the LP with {self.highs.modelStatusToString(status)}.")
        return self.highs.getInfo().objective_function_value, np.array(self.highs.getSolution().row_dual)
