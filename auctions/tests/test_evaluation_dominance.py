"""Properties of the ranking for any quotes, weights and method (Hypothesis).

- A quote that weakly dominates another (complete if the other is, total at most the other's,
  every criterion response at least as good — whatever the criterion's weight) never ranks
  below it. When neither is strictly better (they tie on everything evaluated) they get the
  same score and only the tie-break chain orders them.
- The evaluation does not depend on the order the quotes are given in.
- Recomputing gives the identical evaluation.
"""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from auctions.evaluation import Quote, ahp, price_scores, rank, topsis, weighted_sum
from auctions.evaluation.tie_break import CHAIN_KEYS

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
METHODS = ["PRICE", "WEIGHTED_SUM", "TOPSIS", "AHP"]
# Few distinct values, so that ties and dominance actually happen.
TOTALS = [Decimal(t) for t in ("90.00", "100.00", "100.01", "120.50", "1000000000000.01", "1000000000000.02")]
NUMBERS = {"NUMERIC": [-3, 0, 1, 2.5, 7, 60], "RATING": [1, 2, 3, 4, 5]}
HYPOTHESIS = settings(max_examples=200, derandomize=True, deadline=None)


@st.composite
def criteria_lists(draw):
    kinds = draw(st.lists(st.sampled_from(["NUMERIC", "RATING", "BOOLEAN"]), max_size=4))
    return [{"id": f"c{i}", "name": f"C{i}", "type": kind, "higher_is_better": draw(st.booleans()),
             "weight": draw(st.sampled_from([0, 0, 5, 25, 100]) | st.floats(0, 100))}
            for i, kind in enumerate(kinds)]


@st.composite
def quote_lists(draw, criteria):
    count = draw(st.integers(1, 7))
    quotes = []
    for bid_id in draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True)):
        responses = {c["id"]: draw(st.booleans() if c["type"] == "BOOLEAN" else st.sampled_from(NUMBERS[c["type"]]))
                     for c in criteria}
        quotes.append(Quote(
            bid_id=bid_id, supplier_id=bid_id + 7, supplier_name=f"S{bid_id}", total=draw(st.sampled_from(TOTALS)),
            submitted_at=T0 + timedelta(seconds=draw(st.integers(0, 2))), criteria=responses,
            tier=draw(st.sampled_from(["GOLD", "SILVER", "BRONZE", "PENDING"])),
            performance_score=draw(st.sampled_from([Decimal("50"), Decimal("75.5")])),
            port_distance_km=draw(st.sampled_from([None, 10.0, 800.0])),
            items_quoted=draw(st.sampled_from([3, 3, 3, 2])), items_total=3))
    return quotes


@st.composite
def cases(draw):
    criteria = draw(criteria_lists())
    method = draw(st.sampled_from(METHODS))
    price_weight = draw(st.sampled_from([0, 10, 50, 100]) | st.floats(0, 100))
    if price_weight + sum(c["weight"] for c in criteria) <= 0:
        price_weight = 1
    pairwise = {key: draw(st.floats(0.01, 1)) for key in ["price", *(c["id"] for c in criteria)]}
    tie_breaking = {"criteria": draw(st.permutations(list(CHAIN_KEYS)).flatmap(
                        lambda chain: st.integers(0, len(chain)).map(lambda k: chain[:k]))),
                    "final_fallback": draw(st.sampled_from(["random", "manual_selection", "split_award"]))}
    reserve = draw(st.sampled_from([None, {"enabled": True, "amount": "100.00"}]))
    kwargs = {"method": method, "criteria": criteria, "price_weight": price_weight, "pairwise_weights": pairwise,
              "tie_breaking": tie_breaking, "seed": draw(st.integers(0, 2**32)), "reserve": reserve}
    return draw(quote_lists(criteria)), kwargs


def at_least_as_good(a, b, criteria):
    """Independent of the code under test: weak dominance on what the method evaluates."""
    if b.items_quoted == b.items_total and a.items_quoted < a.items_total:
        return False
    if a.total > b.total:
        return False
    for c in criteria:
        x, y = a.criteria[c["id"]], b.criteria[c["id"]]
        if c["type"] == "BOOLEAN":
            x, y = x == c["higher_is_better"], y == c["higher_is_better"]
        if (x < y) if c["higher_is_better"] or c["type"] == "BOOLEAN" else (x > y):
            return False
    return True


@HYPOTHESIS
@given(cases())
def test_a_dominating_quote_never_ranks_below_the_dominated(case):
    quotes, kwargs = case
    evaluated = [] if kwargs["method"] == "PRICE" else kwargs["criteria"]
    rows = rank(quotes, **kwargs).rankings
    position = {row["bid_id"]: i for i, row in enumerate(rows)}
    by_id = {row["bid_id"]: row for row in rows}
    for a in quotes:
        for b in quotes:
            if a is b or not at_least_as_good(a, b, evaluated):
                continue
            if at_least_as_good(b, a, evaluated):  # alike on everything evaluated
                assert by_id[a.bid_id]["score"] == by_id[b.bid_id]["score"]
            else:
                assert position[a.bid_id] < position[b.bid_id]
                assert by_id[a.bid_id]["rank"] <= by_id[b.bid_id]["rank"]


@HYPOTHESIS
@given(cases(), st.randoms(use_true_random=False))
def test_the_evaluation_does_not_depend_on_the_order_of_the_quotes(case, shuffler):
    quotes, kwargs = case
    shuffled = list(quotes)
    shuffler.shuffle(shuffled)
    assert rank(shuffled, **kwargs).as_dict() == rank(quotes, **kwargs).as_dict()
    # The evaluation shows rounded scores; the full-precision ones must agree to the bit too.
    assert full_precision_scores(shuffled, kwargs) == full_precision_scores(quotes, kwargs)


def full_precision_scores(quotes, kwargs):
    criteria, price_weight = kwargs["criteria"], kwargs["price_weight"]
    return [price_scores(quotes), weighted_sum(quotes, criteria, price_weight), topsis(quotes, criteria, price_weight),
            ahp(quotes, criteria, kwargs["pairwise_weights"])]


def test_topsis_sums_in_one_order_whatever_order_the_quotes_come_in():
    # Summed in the given order, these totals' squares differ in the last bit from the reverse order.
    quotes = [Quote(bid_id=i, supplier_id=i, supplier_name=f"S{i}", total=Decimal(t), submitted_at=T0)
              for i, t in enumerate(["120.50", "99.99", "100.01", "100.00"], start=1)]
    assert topsis(quotes, [], price_weight=1) == topsis(list(reversed(quotes)), [], price_weight=1)


@HYPOTHESIS
@given(cases())
def test_recomputing_gives_the_identical_evaluation(case):
    quotes, kwargs = case
    first, second = rank(quotes, **kwargs), rank(list(quotes), **kwargs)
    assert first == second
    assert [row["score"] for row in first.rankings] == [row["score"] for row in second.rankings]
    assert all(0 <= row["score"] <= 100 for row in first.rankings)


def test_a_zero_weight_criterion_still_orders_a_dominated_quote_below():
    # Equal price and weighted criteria; quote 2 has the longer warranty, which weighs 0. The
    # scores tie, and earliest_submission alone would put quote 1 first: dominance forbids it.
    criteria = [{"id": "delivery_days", "name": "D", "weight": 50, "type": "NUMERIC", "higher_is_better": False},
                {"id": "warranty", "name": "W", "weight": 0, "type": "NUMERIC", "higher_is_better": True}]
    early = Quote(bid_id=1, supplier_id=1, supplier_name="Early", total=Decimal("500.00"), submitted_at=T0,
                  criteria={"delivery_days": 7, "warranty": 12})
    late = Quote(bid_id=2, supplier_id=2, supplier_name="Late", total=Decimal("500.00"),
                 submitted_at=T0 + timedelta(hours=1), criteria={"delivery_days": 7, "warranty": 24})
    pairwise = {"price": 0.5, "delivery_days": 0.5, "warranty": 0.0}
    for method in ["WEIGHTED_SUM", "TOPSIS", "AHP"]:
        evaluation = rank([early, late], method=method, criteria=criteria, price_weight=50,
                          pairwise_weights=pairwise, seed=0,
                          tie_breaking={"criteria": ["earliest_submission"], "final_fallback": "random"})
        assert evaluation.rankings[0]["score"] == evaluation.rankings[1]["score"]
        assert [r["bid_id"] for r in evaluation.rankings] == [2, 1], method
        assert evaluation.tie_break["decided_by"] == "pareto_dominance"
        assert evaluation.recommended_bid_id == 2


def test_partial_quotes_rank_after_complete_ones_and_say_so():
    complete = Quote(bid_id=1, supplier_id=1, supplier_name="Full", total=Decimal("900.00"), submitted_at=T0,
                     items_quoted=4, items_total=4)
    partial = Quote(bid_id=2, supplier_id=2, supplier_name="Part", total=Decimal("300.00"), submitted_at=T0,
                    items_quoted=3, items_total=4)
    evaluation = rank([partial, complete], method="PRICE", seed=0)
    assert [(r["bid_id"], r["rank"]) for r in evaluation.rankings] == [(1, 1), (2, 2)]
    assert "_coverage" not in evaluation.rankings[0]["breakdown"]
    coverage = evaluation.rankings[1]["breakdown"]["_coverage"]
    assert (coverage["complete"], coverage["items_quoted"], coverage["items_total"]) == (False, 3, 4)
    assert "ranked after every complete quote" in coverage["note"]
    # Scored against the partial quotes only: alone in its group, its price score is 100.
    assert evaluation.rankings[1]["score"] == 100.0
    assert evaluation.recommended_bid_id == 1
