"""Bundle awards, VCG payments worked by hand, one model for all VCG re-solves, bundle validation."""
from decimal import Decimal as D

import highspy
import pytest

from auctions.evaluation.allocation import (
    Bundle,
    BundleProblem,
    Infeasible,
    Line,
    Offer,
    SplitProblem,
    best_single_supplier,
    highs_model,
    payments,
    solve_bundles,
    solve_split,
    total_payment,
    total_premium,
    validate_bundles,
)

from .brute import bundle_optimum

LINES = (Line(1, 10), Line(2, 20))


def bundle(supplier, index, lines, price):
    return Bundle(supplier_id=supplier, bid_id=100 + supplier, index=index, line_ids=frozenset(lines), price=D(price))


def test_vcg_payment_above_every_competing_bundle():
    # A (1) offers {1, 2} for 100; B (2) offers {1} for 60; C (3) offers {2} for 60.
    # A wins: 100 < 60 + 60. Without A the buyer must combine B and C: 120. A's payment is
    # 120 − 0 (nobody else wins) = 120: more than any single competing bundle (60), because
    # A is competing against the *combination* of B and C — a second-price rule that looked
    # at single bundles would pay 60, below A's own bid.
    problem = BundleProblem(LINES, (bundle(1, 0, {1, 2}, "100.00"), bundle(2, 0, {1}, "60.00"),
                                    bundle(3, 0, {2}, "60.00")))
    allocation = solve_bundles(problem)
    assert allocation.bundles == {1: problem.bundles[0]} and allocation.total_cost == D("100.00")
    assert [(a.supplier_id, a.line_id, a.quantity, a.unit_price, a.amount, a.bundle) for a in allocation.awards] == [
        (1, 1, 10, None, None, 0), (1, 2, 20, None, None, 0)]
    (paid,) = payments(problem, allocation, "VCG")
    assert (paid.supplier_id, paid.bid_id, paid.pay_as_bid, paid.payment, paid.surplus) == (
        1, 101, D("100.00"), D("120.00"), D("20.00"))
    assert paid.individually_rational and not paid.pivotal_monopoly


def test_vcg_two_winners_and_xor():
    # A (1): {1, 2} for 100 or {1} for 40 (XOR: at most one). B (2): {2} for 50. C (3): {1} for 45.
    # Best: A's {1} + B's {2} = 90 (A's {1,2} costs 100; C + B costs 95).
    # Without A: C + B = 95; others' cost in the chosen allocation: B's 50 → A paid 95 − 50 = 45.
    # Without B: A's {1,2} = 100 (C + nothing cannot cover line 2); others: A's 40 → B paid 60.
    problem = BundleProblem(LINES, (bundle(1, 0, {1, 2}, "100"), bundle(1, 1, {1}, "40"),
                                    bundle(2, 0, {2}, "50"), bundle(3, 0, {1}, "45")))
    allocation = solve_bundles(problem)
    assert allocation.total_cost == D(90) == bundle_optimum(problem)
    assert {s: b.index for s, b in allocation.bundles.items()} == {1: 1, 2: 0}
    paid = payments(problem, allocation, "VCG")
    assert [(p.supplier_id, p.payment, p.surplus) for p in paid] == [(1, D(45), D(5)), (2, D(60), D(10))]
    assert (total_payment(paid), total_premium(paid)) == (D(105), D(15))
    first = payments(problem, allocation, "FIRST_PRICE")
    assert [(p.supplier_id, p.payment, p.surplus) for p in first] == [(1, D(40), 0), (2, D(50), 0)]
    assert best_single_supplier(problem) == (1, D(100))


def test_indispensable_winner_is_paid_as_bid_and_flagged():
    # Only supplier 1 quotes line 2: without it nothing is feasible, so VCG has no finite payment.
    problem = SplitProblem((Line(1, 5), Line(2, 5)), (
        Offer(1, 11, 1, D("3.00"), 1, 5), Offer(1, 11, 2, D("4.00"), 1, 5), Offer(2, 12, 1, D("2.00"), 1, 5)))
    allocation = solve_split(problem)
    assert allocation.cost_by_supplier == {1: D("20.00"), 2: D("10.00")}
    one, two = payments(problem, allocation, "VCG")
    assert (one.supplier_id, one.payment, one.surplus, one.pivotal_monopoly) == (1, D("20.00"), 0, True)
    # Without 2: supplier 1 on line 1 for 15.00; others' cost now 20.00 → 35.00 − 20.00 = 15.00.
    assert (two.supplier_id, two.payment, two.surplus, two.pivotal_monopoly) == (2, D("15.00"), D("5.00"), False)


def test_a_non_optimal_allocation_is_flagged_not_individually_rational():
    problem = SplitProblem((Line(1, 5),), (Offer(1, 11, 1, D("3.00"), 1, 5), Offer(2, 12, 1, D("2.00"), 1, 5)))
    manual = solve_split(SplitProblem(problem.lines, problem.offers[:1]))  # the buyer picked supplier 1
    (paid,) = payments(problem, manual, "VCG")
    assert (paid.payment, paid.individually_rational) == (D("10.00"), False)


def test_bundle_infeasibility_and_single_supplier():
    assert solve_bundles(BundleProblem(LINES, (bundle(1, 0, {1}, "5"),))) == Infeasible("Line 2 is in no bundle.")
    # Both of supplier 1's bundles are needed, but it may win only one of them.
    xor = BundleProblem(LINES, (bundle(1, 0, {1}, "5"), bundle(1, 1, {2}, "5")))
    assert solve_bundles(xor) == Infeasible(
        "No set of bundles, at most one per supplier, covers every line exactly once.")
    assert best_single_supplier(xor) is None


def test_vcg_reuses_one_model_for_every_winner(monkeypatch):
    built, runs, starts = [], [], []

    class Counting(highspy.Highs):
        def __init__(self):
            super().__init__()
            built.append(self)

        def run(self):
            runs.append(self)
            return super().run()

        def setSolution(self, *args):
            starts.append(self)
            return super().setSolution(*args)

    monkeypatch.setattr(highs_model.highspy, "Highs", Counting)
    # Specialists 1 and 2 win lines 1 and 2 (40 each); generalist 3 offers both for 100.
    # Without 1, only 3's bundle is left (2 cannot join it: line 2 would be covered twice), and
    # that solution, not using 2, is the start of the re-solve without 2.
    problem = BundleProblem(LINES, (bundle(1, 0, {1}, "40"), bundle(2, 0, {2}, "40"), bundle(3, 0, {1, 2}, "100")))
    allocation = solve_bundles(problem)
    built.clear(), runs.clear(), starts.clear()
    paid = payments(problem, allocation, "VCG")
    assert [p.payment for p in paid] == [D(60), D(60)]  # 100 − 40 each
    assert len(built) == 1 and len(runs) == 2  # one model, one re-solve per winner
    assert len(starts) == 1  # the second re-solve starts from the first one's solution


def test_validate_bundles():
    raw = [{"line_item_ids": [], "price": "1"}, {"line_item_ids": [1, 9], "price": "0"},
           {"line_item_ids": [2, 1], "price": "x"}, {"line_item_ids": [1, 2], "price": "5.00"},
           {"line_item_ids": [2, 2], "price": 1.5}]
    assert validate_bundles(raw, [1, 2], 4) == [
        "At most 4 bundles per quote; this quote has 5.",
        "bundles[0] is empty: it must name at least one line item.",
        "bundles[1] names line items not in this RFQ: 9.",
        "bundles[1] has price 0: a bundle price must be positive.",
        'bundles[2] needs a price as a decimal string, e.g. "75.00".',
        "bundles[3] offers the same line items as bundles[2].",
        "bundles[4] names a line item twice.",
        'bundles[4] needs a price as a decimal string, e.g. "75.00".',
    ]
    assert validate_bundles([{"line_item_ids": [1], "price": "40.00"}, {"line_item_ids": [1, 2], "price": "75"}],
                            [1, 2], 10) == []


@pytest.mark.parametrize("rule", ["SECOND_PRICE", "vcg"])
def test_unknown_rule(rule):
    problem = BundleProblem(LINES, (bundle(1, 0, {1, 2}, "1"),))
    with pytest.raises(ValueError, match="pricing must be one of FIRST_PRICE, VCG"):
        payments(problem, solve_bundles(problem), rule)
