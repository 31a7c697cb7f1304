"""SPLIT awards worked by hand, infeasibility reasons, ties, Decimal exactness."""
from decimal import Decimal as D

import pytest

from auctions.evaluation.allocation import (
    Infeasible,
    Line,
    Offer,
    SplitProblem,
    best_single_supplier,
    solve_split,
)

from .brute import split_optimum


def offer(supplier, line, price, lo=1, hi=100):
    return Offer(supplier_id=supplier, bid_id=100 + supplier, line_id=line, unit_price=D(price),
                 min_quantity=lo, max_quantity=hi)


def shares(allocation):
    return {(a.supplier_id, a.line_id): a.quantity for a in allocation.awards}


def test_minimum_quantity_forces_a_non_greedy_split():
    # Line 1, 100 units. A (1): 8.00, up to 70. B (2): 9.00, at least 50. C (3): 12.00.
    # Greedy fills the cheapest first: A 70, then 30 more — B cannot (minimum 50), so C:
    #   70 × 8.00 + 30 × 12.00 = 560 + 360 = 920.
    # Giving A only 50 lets B take its minimum: 50 × 8.00 + 50 × 9.00 = 400 + 450 = 850,
    # the optimum (A x + B (100 − x) costs 900 − x with x ≤ 50; B alone 900; C more).
    problem = SplitProblem((Line(1, 100),), (offer(1, 1, "8.00", hi=70), offer(2, 1, "9.00", lo=50),
                                              offer(3, 1, "12.00")))
    allocation = solve_split(problem)
    assert shares(allocation) == {(1, 1): 50, (2, 1): 50}
    assert allocation.total_cost == D("850.00") == split_optimum(problem)
    assert allocation.cost_by_supplier == {1: D("400.00"), 2: D("450.00")}
    assert [(a.unit_price, a.amount, a.bundle) for a in allocation.awards] == [
        (D("8.00"), D("400.00"), None), (D("9.00"), D("450.00"), None)]


def test_limits_on_suppliers_per_line_and_in_total():
    # Two lines of 10. Supplier 1 is cheapest on line 1 (1.00, ≤ 5), supplier 2 on line 2
    # (1.00, ≤ 5); supplier 3 quotes both at 2.00 with no cap.
    lines = (Line(1, 10), Line(2, 10))
    offers = (offer(1, 1, "1.00", hi=5), offer(2, 2, "1.00", hi=5), offer(3, 1, "2.00"), offer(3, 2, "2.00"))
    # Free: 5 × 1 + 5 × 2 on each line = 15 + 15 = 30.
    assert solve_split(SplitProblem(lines, offers)).total_cost == D("30.00")
    # One supplier per line: supplier 3 alone on each (20 + 20 = 40).
    one_each = solve_split(SplitProblem(lines, offers, max_suppliers_per_line=1))
    assert shares(one_each) == {(3, 1): 10, (3, 2): 10} and one_each.total_cost == D("40.00")
    # Two suppliers in total: 3 plus either 1 or 2: 15 + 20 = 35; the tie goes to supplier 1
    # (no preference given: lower id first).
    two = solve_split(SplitProblem(lines, offers, max_suppliers=2))
    assert two.total_cost == D("35.00") and shares(two) == {(1, 1): 5, (3, 1): 5, (3, 2): 10}
    assert two.total_cost == split_optimum(SplitProblem(lines, offers, max_suppliers=2))


@pytest.mark.parametrize(("problem", "reason"), [
    (SplitProblem((Line(3, 60),), (offer(1, 3, "1", hi=25), offer(2, 3, "1", hi=15))),
     "Line 3 (quantity 60): the offers cover at most 40."),
    (SplitProblem((Line(1, 5), Line(3, 10)), (offer(1, 1, "1"), offer(1, 3, "1", lo=11))),
     "Line 3 (quantity 10): no offer can supply it (none, or every minimum is above the quantity)."),
    (SplitProblem((Line(3, 60),), (offer(1, 3, "1", hi=25), offer(2, 3, "1", hi=25), offer(4, 3, "1", hi=20)),
                  max_suppliers_per_line=2),
     "Line 3 (quantity 60): with at most 2 suppliers per line the offers cover at most 50."),
    (SplitProblem((Line(3, 100),), (offer(1, 3, "1", lo=60, hi=70), offer(2, 3, "1", lo=60, hi=70))),
     "Line 3 (quantity 100): the offers' minimum and maximum quantities cannot be combined to make exactly 100."),
    (SplitProblem((Line(1, 10), Line(2, 10)), (offer(1, 1, "1"), offer(2, 2, "1")), max_suppliers=1),
     "Every line can be met on its own, but the minimum and maximum quantities cannot be combined to meet "
     "every line with at most 1 suppliers in total."),
])
def test_infeasible_says_why(problem, reason):
    assert solve_split(problem) == Infeasible(reason)
    assert split_optimum(problem) is None


def test_ties_follow_the_preference_then_ids():
    lines = (Line(1, 10),)
    offers = (offer(1, 1, "2.00"), offer(2, 1, "2.00"), offer(3, 1, "2.00"))
    assert shares(solve_split(SplitProblem(lines, offers))) == {(1, 1): 10}
    assert shares(solve_split(SplitProblem(lines, offers, preference=(3, 1, 2)))) == {(3, 1): 10}
    # Capacities force a split: the preferred supplier gets as much as it can take.
    capped = tuple(offer(s, 1, "2.00", hi=6) for s in (1, 2, 3))
    assert shares(solve_split(SplitProblem(lines, capped, preference=(2, 3)))) == {(2, 1): 6, (3, 1): 4}


def test_input_order_does_not_matter():
    lines = (Line(1, 7), Line(2, 4))
    offers = (offer(1, 1, "1.50", hi=4), offer(2, 1, "1.50"), offer(1, 2, "3.00"), offer(2, 2, "3.00", lo=2))
    base = solve_split(SplitProblem(lines, offers, preference=(2, 1)))
    flipped = solve_split(SplitProblem(lines[::-1], offers[::-1], preference=(2, 1)))
    assert base == flipped


def test_decimal_totals_are_exact():
    # 3 × 0.10 is 0.30000000000000004 in binary floats; 3 × 33.33 = 99.99; 7 × 0.125 = 0.875;
    # 0.30 + 99.99 + 0.875 = 101.165.
    problem = SplitProblem((Line(1, 3), Line(2, 3), Line(3, 7)),
                           (offer(1, 1, "0.10"), offer(1, 2, "33.33"), offer(2, 3, "0.125")))
    allocation = solve_split(problem)
    assert str(allocation.total_cost) == "101.165"
    assert {a.line_id: str(a.amount) for a in allocation.awards} == {1: "0.30", 2: "99.99", 3: "0.875"}
    assert allocation.cost_by_supplier == {1: D("100.29"), 2: D("0.875")}


def test_best_single_supplier():
    lines = (Line(1, 10), Line(2, 5))
    offers = (offer(1, 1, "1.00"), offer(1, 2, "2.00"),  # 10 + 10 = 20
              offer(2, 1, "0.90"), offer(2, 2, "2.10", hi=4),  # cannot take all of line 2
              offer(3, 1, "1.50"), offer(3, 2, "1.00"),  # 15 + 5 = 20, ties with 1
              offer(4, 1, "0.50"))  # does not quote line 2
    assert best_single_supplier(SplitProblem(lines, offers)) == (1, D("20.00"))
    assert best_single_supplier(SplitProblem(lines, offers, preference=(3,))) == (3, D("20.00"))
    assert best_single_supplier(SplitProblem(lines, offers[2:4])) is None


def test_no_lines_is_an_empty_award():
    allocation = solve_split(SplitProblem((), ()))
    assert allocation.awards == () and allocation.total_cost == 0
