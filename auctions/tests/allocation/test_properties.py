"""Properties on random small instances, checked against brute-force enumeration.

Derandomized with bounded examples: the same cases run on every machine, in a few seconds.
"""
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from auctions.evaluation.allocation import (
    Allocation,
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

from .brute import optimum

PROFILE = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRICES = st.sampled_from(["1", "1.50", "2", "2.25", "3", "0.10", "33.33"]).map(D)  # few values: ties happen


@st.composite
def split_problems(draw):
    lines = tuple(Line(i, draw(st.integers(1, 5))) for i in range(1, draw(st.integers(1, 3)) + 1))
    offers = []
    for s in range(1, draw(st.integers(2, 4)) + 1):
        for line in lines:
            if draw(st.integers(0, 3)):  # three in four suppliers quote a line
                lo = draw(st.sampled_from([1, 1, 2, 3]))
                offers.append(Offer(s, 10 + s, line.id, draw(PRICES), lo, draw(st.integers(lo, 7))))
    per_line, total = draw(st.sampled_from([None, 1, 2])), draw(st.sampled_from([None, 1, 2]))
    preference = tuple(draw(st.permutations(sorted({o.supplier_id for o in offers}))))
    return SplitProblem(lines, tuple(offers), per_line, total, preference)


@st.composite
def bundle_problems(draw):
    lines = tuple(Line(i, draw(st.integers(1, 5))) for i in range(1, draw(st.integers(1, 3)) + 1))
    subsets = st.sets(st.sampled_from([line.id for line in lines]), min_size=1).map(frozenset)
    bundles = []
    for s in range(1, draw(st.integers(2, 4)) + 1):
        for index, ids in enumerate(draw(st.lists(subsets, min_size=1, max_size=3, unique=True))):
            bundles.append(Bundle(s, 10 + s, index, ids, draw(PRICES) * len(ids)))
    preference = tuple(draw(st.permutations(sorted({b.supplier_id for b in bundles}))))
    return BundleProblem(lines, tuple(bundles), preference)


def solve(problem):
    return solve_split(problem) if isinstance(problem, SplitProblem) else solve_bundles(problem)


def items(problem):
    return problem.offers if isinstance(problem, SplitProblem) else problem.bundles


def with_items(problem, new):
    return replace(problem, offers=new) if isinstance(problem, SplitProblem) else replace(problem, bundles=new)


def scaled(problem, supplier, factor):
    """The problem with one supplier's prices multiplied by factor (a misreport)."""
    def scale(item):
        if item.supplier_id != supplier:
            return item
        if isinstance(item, Offer):
            return replace(item, unit_price=item.unit_price * factor)
        return replace(item, price=item.price * factor)
    return with_items(problem, tuple(scale(i) for i in items(problem)))


def true_cost(problem, allocation, supplier):
    """What the supplier's share of the allocation costs it at its prices in `problem`."""
    if isinstance(problem, BundleProblem):
        won = allocation.bundles.get(supplier)
        return next((b.price for b in problem.bundles if won and (b.supplier_id, b.index) == (supplier, won.index)),
                    D(0))
    price = {o.line_id: o.unit_price for o in problem.offers if o.supplier_id == supplier}
    return sum((a.quantity * price[a.line_id] for a in allocation.awards if a.supplier_id == supplier), D(0))


def utility(problem, reported, supplier):
    allocation = solve(reported)
    if isinstance(allocation, Infeasible) or supplier not in allocation.cost_by_supplier:
        return D(0)
    paid = {p.supplier_id: p for p in payments(reported, allocation, "VCG")}[supplier]
    return paid.payment - true_cost(problem, allocation, supplier)


PROBLEMS = st.one_of(split_problems(), bundle_problems())


@PROFILE
@given(PROBLEMS)
def test_cost_and_vcg_match_brute_force(problem):
    allocation = solve(problem)
    best = optimum(problem)
    event("feasible" if best is not None else "infeasible")
    if best is None:
        assert isinstance(allocation, Infeasible) and allocation.reason
        return
    assert isinstance(allocation, Allocation) and allocation.total_cost == best
    assert sum(allocation.cost_by_supplier.values(), D(0)) == best
    for paid in payments(problem, allocation, "VCG"):
        assert paid.individually_rational and paid.payment >= paid.pay_as_bid
        without = optimum(problem, without=paid.supplier_id)
        assert paid.pivotal_monopoly == (without is None)
        if without is not None:
            assert paid.payment == without - (best - paid.pay_as_bid)


@PROFILE
@given(PROBLEMS, st.randoms(use_true_random=False))
def test_input_order_never_changes_the_allocation(problem, rnd):
    shuffled = list(items(problem))
    rnd.shuffle(shuffled)
    lines = list(problem.lines)
    rnd.shuffle(lines)
    assert solve(replace(with_items(problem, tuple(shuffled)), lines=tuple(lines))) == solve(problem)


@PROFILE
@given(PROBLEMS, st.data())
def test_misreporting_never_pays(problem, data):
    suppliers = sorted({i.supplier_id for i in items(problem)})
    assume(suppliers)
    supplier = data.draw(st.sampled_from(suppliers))
    factor = data.draw(st.sampled_from(["0.5", "0.8", "1.25", "2"]).map(D))
    # An indispensable supplier is paid as bid (no finite VCG payment), where truthfulness fails
    # by construction: leave those out.
    assume(optimum(problem, without=supplier) is not None)
    assert utility(problem, scaled(problem, supplier, factor), supplier) <= utility(problem, problem, supplier)
