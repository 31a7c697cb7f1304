"""Branch and price over per-line patterns (split_patterns.py) against the compact model.

The compact integer program (formulation.solve_two_stage / optimum_without, HiGHS) is the
reference: same cost, same preference weight, same optima without each supplier, on random
instances where `max_suppliers` is forced to bind, with prices drawn from a small set so
that ties are common (the tie-breaking stage is exercised, not just the cost).
"""
from decimal import Decimal as D

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auctions.evaluation.allocation import (
    Line,
    Offer,
    SplitProblem,
    patterns,
    solve_split,
    split,
    split_lines,
    split_patterns,
)
from auctions.evaluation.allocation.formulation import optimum_without, solve_two_stage

from .brute import split_optimum

PROFILE = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRICES = st.sampled_from(["1", "2", "2.00", "3", "1.50", "4"]).map(D)


@st.composite
def limited_problems(draw):
    lines = tuple(Line(i, draw(st.integers(1, 30))) for i in range(1, draw(st.integers(1, 5)) + 1))
    offers = []
    for s in range(1, draw(st.integers(2, 7)) + 1):
        for line in lines:
            if draw(st.integers(0, 3)):
                hi = draw(st.integers(1, 30))
                offers.append(Offer(s, 10 + s, line.id, draw(PRICES), draw(st.integers(1, hi)), hi))
    preference = tuple(draw(st.permutations(sorted({o.supplier_id for o in offers}))))
    return SplitProblem(lines, tuple(offers), draw(st.sampled_from([None, 1, 2, 3])), draw(st.integers(1, 3)),
                        preference)


def weights(form, units):
    x = split_lines.full_columns(form, units)
    return form.mip.cost(x), form.mip.cost(x, form.tie_costs)


@PROFILE
@given(limited_problems())
def test_patterns_give_the_compact_models_two_stage_optimum(problem):
    form = split.formulate(problem)
    reference = solve_two_stage(form)
    units = split_patterns.solve(form)
    assert (units is None) == (reference is None)
    if units is not None:
        assert weights(form, units) == (form.mip.cost(reference), form.mip.cost(reference, form.tie_costs))


@PROFILE
@given(limited_problems())
def test_patterns_give_the_compact_models_optima_without_each_supplier(problem):
    form = split.formulate(problem)
    suppliers = sorted(form.columns_of)
    assume(suppliers)
    assert split_patterns.optimum_without(form, suppliers) == optimum_without(form, suppliers)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(limited_problems())
def test_patterns_agree_with_brute_force(problem):
    allocation = solve_split(problem)
    expected = split_optimum(problem)
    assert (expected is None) == (not hasattr(allocation, "total_cost"))
    if expected is not None:
        assert allocation.total_cost == expected


def test_by_hand_two_suppliers_allowed():
    # Two lines of 10. A is cheapest on line 1 (1.00), B on line 2 (1.00), C is second on
    # both (1.50) and D is cheap on line 2 (1.20) but only up to 5. With one supplier
    # allowed: C alone (15 + 15 = 30). With two: A + B (10 + 10 = 20).
    lines = (Line(1, 10), Line(2, 10))
    offers = (Offer(1, 11, 1, D("1.00"), 1, 10), Offer(2, 12, 2, D("1.00"), 1, 10),
              Offer(3, 13, 1, D("1.50"), 1, 10), Offer(3, 13, 2, D("1.50"), 1, 10),
              Offer(4, 14, 2, D("1.20"), 1, 5))
    one = solve_split(SplitProblem(lines, offers, None, 1, (1, 2, 3, 4)))
    assert one.total_cost == D("30.00") and set(one.cost_by_supplier) == {3}
    two = solve_split(SplitProblem(lines, offers, None, 2, (1, 2, 3, 4)))
    assert two.total_cost == D("20.00") and set(two.cost_by_supplier) == {1, 2}
    form = split.formulate(SplitProblem(lines, offers, None, 2, (1, 2, 3, 4)))
    # Without A: B + C (15 + 10 = 25); without B: A + D cannot fill line 2 (D has 5) and
    # A + C + D is three suppliers, so A + C (10 + 15 = 25). In units of 0.1 (one decimal place).
    assert form.places == 1
    assert split_patterns.optimum_without(form, [1, 2]) == {1: 250, 2: 250}


def test_too_many_patterns_fall_back_to_the_compact_model(monkeypatch):
    monkeypatch.setattr(patterns, "PATTERN_LIMIT", 3)
    lines = (Line(1, 10), Line(2, 10))
    offers = tuple(Offer(s, 10 + s, line.id, D(str(s)), 1, 10) for s in (1, 2, 3) for line in lines)
    form = split.formulate(SplitProblem(lines, offers, None, 1))
    try:
        split_patterns.solve(form)
    except split_patterns.TooHard:
        pass
    else:
        raise AssertionError("expected TooHard")
    assert solve_split(SplitProblem(lines, offers, None, 1)).total_cost == D("20")


def test_infeasible_only_because_of_the_supplier_limit():
    lines = (Line(1, 10), Line(2, 10))
    offers = (Offer(1, 11, 1, D("1"), 1, 10), Offer(2, 12, 2, D("1"), 1, 10), Offer(3, 13, 2, D("2"), 1, 10))
    form = split.formulate(SplitProblem(lines, offers, None, 1))
    assert split_patterns.solve(form) is None
    assert split_patterns.optimum_without(form, [1, 2]) == {1: None, 2: None}
    assert not hasattr(solve_split(SplitProblem(lines, offers, None, 1)), "total_cost")
