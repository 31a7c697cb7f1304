#!/usr/bin/env python
"""Exact award optimisation: solve times for split and bundle awards and their VCG payments.

    .venv/bin/python bench/award_solve.py                  # 10×5, 25×10, 50×20; 20 instances each
    .venv/bin/python bench/award_solve.py --sizes 50x20 --instances 50 --seed 7

For each size (suppliers × lines) and kind (split, bundles), N seeded random instances:
split awards with capacities, minimums and, on half of them, max_suppliers_per_line=3 and
max_suppliers=8; bundle bids with 1–10 bundles of 1–6 lines per supplier. Prints p50/p95 of
the allocation solve (`solve_split`/`solve_bundles`, both stages) and of all VCG payments
(`payments(..., "VCG")`), and cross-checks every optimum against the same model solved by
`scipy.optimize.milp`. Exit status 1 if any cross-check differs; times are reported, not failed.
No database, no Django settings: the allocation package is pure.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from auctions.evaluation.allocation import (  # noqa: E402
    Bundle,
    BundleProblem,
    Infeasible,
    Line,
    Offer,
    SplitProblem,
    payments,
    solve_bundles,
    solve_split,
)
from auctions.evaluation.allocation import bundles as bundle_model  # noqa: E402
from auctions.evaluation.allocation import split as split_model  # noqa: E402
from auctions.evaluation.allocation.money import to_units  # noqa: E402

TARGETS = {"allocation": 1.0, "vcg": 5.0}  # p95 seconds at 50×20


def cents(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


LIMITS = "mixed"  # --limits: "mixed" (half the instances limited), "none" or "all" (same instances otherwise)


def split_instance(rng: random.Random, suppliers: int, lines: int) -> SplitProblem:
    items = tuple(Line(i, rng.randint(10, 500)) for i in range(1, lines + 1))
    base = {line.id: rng.uniform(1, 200) for line in items}
    offers = []
    for s in range(1, suppliers + 1):
        for line in items:
            if rng.random() < 0.6:
                hi = max(1, int(line.quantity * rng.uniform(0.2, 1.0)))
                lo = max(1, int(hi * rng.uniform(0, 0.5)))
                offers.append(Offer(s, 1000 + s, line.id, cents(base[line.id] * rng.uniform(0.8, 1.25)), lo, hi))
    limited = rng.random() < 0.5
    limited = {"mixed": limited, "none": False, "all": True}[LIMITS]
    return SplitProblem(items, tuple(offers), 3 if limited else None, 8 if limited else None,
                        tuple(rng.sample(range(1, suppliers + 1), suppliers)))


def bundle_instance(rng: random.Random, suppliers: int, lines: int) -> BundleProblem:
    items = tuple(Line(i, rng.randint(10, 500)) for i in range(1, lines + 1))
    value = {line.id: line.quantity * rng.uniform(1, 200) for line in items}
    bundles = []
    for s in range(1, suppliers + 1):
        sets = {frozenset(rng.sample(range(1, lines + 1), rng.randint(1, min(6, lines))))
                for _ in range(rng.randint(1, 10))}
        for index, ids in enumerate(sorted(sets, key=sorted)):
            discount = 1 - 0.03 * (len(ids) - 1)  # bundling is cheaper to supply
            bundles.append(Bundle(s, 1000 + s, index, ids, cents(sum(value[i] for i in ids)
                                                                 * discount * rng.uniform(0.8, 1.2))))
    return BundleProblem(items, tuple(bundles), tuple(rng.sample(range(1, suppliers + 1), suppliers)))


def scipy_optimum(form) -> int | None:
    """The first-stage model solved independently by scipy.optimize.milp (its own HiGHS build)."""
    mip = form.mip
    rows, cols, vals, lo, hi = [], [], [], [], []
    for r, row in enumerate(mip.rows):
        rows += [r] * len(row.indices)
        cols += row.indices
        vals += row.coefs
        lo.append(-np.inf if row.lo is None else row.lo)
        hi.append(np.inf if row.hi is None else row.hi)
    matrix = csr_array((vals, (rows, cols)), shape=(len(mip.rows), len(mip.costs)))
    result = milp(np.array(mip.costs, dtype=float), integrality=np.ones(len(mip.costs)),
                  bounds=Bounds(0, np.array(mip.upper, dtype=float)), constraints=LinearConstraint(matrix, lo, hi),
                  options={"mip_rel_gap": 0})
    return None if result.status == 2 else round(result.fun)


def measure(kind: str, problem) -> tuple[float, float | None, bool, int]:
    solve, model = (solve_split, split_model) if kind == "split" else (solve_bundles, bundle_model)
    start = time.perf_counter()
    allocation = solve(problem)
    allocation_s = time.perf_counter() - start
    form = model.formulate(problem)
    reference = scipy_optimum(form)
    if isinstance(allocation, Infeasible):
        return allocation_s, None, reference is None, 0
    start = time.perf_counter()
    paid = payments(problem, allocation, "VCG")
    vcg_s = time.perf_counter() - start
    agrees = reference == to_units(allocation.total_cost, form.places)
    return allocation_s, vcg_s, agrees and all(p.individually_rational for p in paid), len(paid)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(kind: str, suppliers: int, lines: int, instances: int, seed: int) -> bool:
    rng = random.Random(f"{seed}-{kind}-{suppliers}x{lines}")
    make = split_instance if kind == "split" else bundle_instance
    alloc, vcg, winners, ok, infeasible = [], [], [], True, 0
    for _ in range(instances):
        a, v, agrees, w = measure(kind, make(rng, suppliers, lines))
        alloc.append(a)
        ok &= agrees
        if v is None:
            infeasible += 1
        else:
            vcg.append(v)
            winners.append(w)
    vcg_text = f"{pct(vcg, 50):7.3f} {pct(vcg, 95):7.3f}" if vcg else "      -       -"
    print(f"{kind:8} {suppliers:3}×{lines:<3} {instances:4} {infeasible:4} "
          f"{statistics.mean(winners) if winners else 0:7.1f}  {pct(alloc, 50):7.3f} {pct(alloc, 95):7.3f}  "
          f"{vcg_text}  {'yes' if ok else 'NO'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10x5,25x10,50x20", help="suppliers×lines, comma-separated")
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default="split,bundles")
    parser.add_argument("--limits", default="mixed", choices=("mixed", "none", "all"),
                        help="split awards: max_suppliers_per_line=3 and max_suppliers=8 on half the instances "
                             "(mixed), on none or on all (the instances are otherwise the same)")
    args = parser.parse_args()
    global LIMITS
    LIMITS = args.limits
    print("kind     size       N  inf winners  alloc p50   p95 s  VCG p50   p95 s  scipy agrees")
    ok = True
    for size in args.sizes.split(","):
        suppliers, lines = (int(n) for n in size.lower().split("x"))
        for kind in args.kinds.split(","):
            ok &= run(kind, suppliers, lines, args.instances, args.seed)
    print(f"targets at 50×20: allocation p95 < {TARGETS['allocation']} s, all VCG payments p95 < {TARGETS['vcg']} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
