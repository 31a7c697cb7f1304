"""The per-line decomposition (split_lines.py, line_dp.py) against the full integer program.

The full model (formulation.solve_two_stage / optimum_without, HiGHS) is the reference on
instances larger than brute force reaches: same cost, same preference weight, and the same
VCG optima (per-line re-solves == full re-solves).
"""
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auctions.evaluation.allocation import (
    Allocation,
    Bundle,
    BundleProblem,
    Line,
    Offer,
    SplitProblem,
    bundles,
    payments,
    solve_split,
    split,
    split_lines,
)
from auctions.evaluation.allocation.formulation import optimum_without, solve_two_stage
from auctions.evaluation.allocation.line_dp import LineSolver
from auctions.evaluation.allocation.money import from_units

PROFILE = settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRICES = st.sampled_from(["1", "1.50", "2", "2.25", "3", "0.10", "33.33", "2.00"]).map(D)


@st.composite
def split_problems(draw, totals=(None,)):
    lines = tuple(Line(i, draw(st.integers(1, 40))) for i in range(1, draw(st.integers(1, 4)) + 1))
    offers = []
    for s in range(1, draw(st.integers(1, 7)) + 1):
        for line in lines:
            if draw(st.integers(0, 3)):
                hi = draw(st.integers(1, 45))
                lo = draw(st.integers(1, max(1, hi)))
                offers.append(Offer(s, 10 + s, line.id, draw(PRICES), lo, hi))
    per_line = draw(st.sampled_from([None, 1, 2, 3]))
    preference = tuple(draw(st.permutations(sorted({o.supplier_id for o in offers}))))
    return SplitProblem(lines, tuple(offers), per_line, draw(st.sampled_from(totals)), preference)


def weights(form, x):
    return form.mip.cost(x), form.mip.cost(x, form.tie_costs)


@PROFILE
@given(split_problems())
def test_line_by_line_equals_the_full_model(problem):
    form = split.formulate(problem)
    full = solve_two_stage(form)
    units = split_lines.relaxed_units(form)
    assert (full is None) == (units is None)
    if full is not None:
        x = split_lines.full_columns(form, units)
        assert form.mip.feasible(x)
        assert weights(form, x) == weights(form, full)
        assert solve_split(problem) == split.decode(form, x)


@PROFILE
@given(split_problems(totals=(1, 2, 3, 5)))
def test_with_max_suppliers_the_result_is_the_full_models(problem):
    form = split.formulate(problem)
    full = solve_two_stage(form)
    allocation = solve_split(problem)
    assert isinstance(allocation, Allocation) == (full is not None)
    if full is not None:
        assert allocation.total_cost == split.decode(form, full).total_cost
        assert len(allocation.cost_by_supplier) <= problem.max_suppliers
        tie = {o.supplier_id: r for o, r in zip(form.offers, form.tie_costs[0:2 * len(form.offers):2], strict=True)}
        assert (sum(a.quantity * tie[a.supplier_id] for a in allocation.awards)
                == form.mip.cost(full, form.tie_costs))


@PROFILE
@given(split_problems())
def test_vcg_line_by_line_equals_vcg_on_the_full_model(problem):
    form = split.formulate(problem)
    suppliers = sorted(form.columns_of)
    assert split_lines.optimum_without(form, suppliers) == optimum_without(form, suppliers)
    allocation = solve_split(problem)
    if isinstance(allocation, Allocation):
        assert all(p.individually_rational for p in payments(problem, allocation, "VCG"))


def test_line_solver_by_hand():
    # 10 units: offer 0 (key 5/unit, 4..6), offer 1 (key 3/unit, 7..8), offer 2 (key 4/unit, 1..10).
    solver = LineSolver(10, [5, 3, 4], [4, 7, 1], [6, 8, 10], None)
    assert solver.solve() == (3 * 8 + 4 * 2, [0, 8, 2])
    assert solver.solve(frozenset({1}), walk=False) == (40, [])
    assert LineSolver(10, [5, 3, 4], [4, 7, 1], [6, 8, 10], 1).solve() == (40, [0, 0, 10])
    assert LineSolver(10, [5, 3], [4, 7], [6, 8], 2).solve() is None  # 4..6 + 7..8 never makes 10 + ... 11..14
    assert LineSolver(3, [], [], [], None).solve() is None


@PROFILE
@given(split_problems(totals=(1, 2, 3, 5)))
def test_vcg_with_max_suppliers_equals_vcg_on_the_full_model(problem):
    allocation = solve_split(problem)
    if not isinstance(allocation, Allocation):
        return
    form = split.formulate(problem)
    paid = payments(problem, allocation, "VCG")
    reference = optimum_without(form, [p.supplier_id for p in paid])
    for p in paid:
        assert p.individually_rational
        assert p.pivotal_monopoly == (reference[p.supplier_id] is None)
        if reference[p.supplier_id] is not None:
            others = allocation.total_cost - p.pay_as_bid
            assert p.payment == from_units(reference[p.supplier_id], form.places) - others


@st.composite
def bundle_problems(draw):
    lines = tuple(Line(i, draw(st.integers(1, 30))) for i in range(1, draw(st.integers(1, 5)) + 1))
    subsets = st.sets(st.sampled_from([line.id for line in lines]), min_size=1).map(frozenset)
    items = []
    for s in range(1, draw(st.integers(1, 6)) + 1):
        for index, ids in enumerate(draw(st.lists(subsets, min_size=1, max_size=4, unique=True))):
            items.append(Bundle(s, 10 + s, index, ids, draw(PRICES) * len(ids)))
    preference = tuple(draw(st.permutations(sorted({b.supplier_id for b in items}))))
    return BundleProblem(lines, tuple(items), preference)


@PROFILE
@given(bundle_problems())
def test_bundles_in_one_solve_equal_the_two_stages(problem):
    form = bundles.formulate(problem)
    one, two = bundles.solve_lexicographic(form), solve_two_stage(form)
    assert (one is None) == (two is None)
    if one is not None:
        assert weights(form, one) == weights(form, two)


def test_huge_quantities_fall_back_to_the_full_model():
    lines = (Line(1, 5_000_000),)
    offers = tuple(Offer(s, 10 + s, 1, D("1.00") + s, 1, 5_000_000) for s in range(1, 6))
    form = split.formulate(SplitProblem(lines, offers))
    try:
        split_lines.relaxed_units(form)
    except split_lines.Unusable:
        pass
    else:
        raise AssertionError("expected the per-line programme to refuse")
    allocation = solve_split(SplitProblem(lines, offers))
    assert allocation.total_cost == D("10000000.00")
