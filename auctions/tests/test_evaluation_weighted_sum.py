"""Price scores and WEIGHTED_SUM: hand-computed examples (booleans, cost criteria, equal columns)."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from auctions.evaluation import Quote, price_scores, weighted_sum

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def quote(bid_id, total, **criteria):
    return Quote(bid_id=bid_id, supplier_id=100 + bid_id, supplier_name=f"S{bid_id}", total=Decimal(total),
                 submitted_at=T0, criteria=criteria)


def criterion(cid, weight, kind="NUMERIC", higher_is_better=True):
    return {"id": cid, "name": cid.title(), "weight": weight, "type": kind, "higher_is_better": higher_is_better}


def by_id(scores):
    return {s.bid_id: s for s in scores}


def test_price_score_is_lowest_total_over_this_total_times_100():
    scores = price_scores([quote(1, "100.00"), quote(2, "80.00"), quote(3, "160.00")])
    assert [(s.bid_id, s.value) for s in scores] == [(2, 100.0), (1, 80.0), (3, 50.0)]
    assert by_id(scores)[3].breakdown["price"] == {"value": "160.00", "normalised": 0.5, "weight": 1.0,
                                                   "contribution": 50.0}


def test_price_score_display_is_rounded_but_the_value_is_not():
    [_, third] = price_scores([quote(1, "3"), quote(2, "9")])
    assert third.value == pytest.approx(100 / 3, abs=1e-14)
    assert third.display == 33.333333


# Quotes:        total   delivery_days (cost)  warranty  class_certified
#   1           1000.00  10                    12        yes
#   2           1200.00  20                    24        no
#   3           1500.00   5                    36        yes
# Normalised:    price (1500−v)/500: 1, 0.6, 0; delivery (20−v)/15: 2/3, 0, 1;
#                warranty (v−12)/24: 0, 0.5, 1; certified: 1, 0, 1.
# Weights 40/30/20/10 → 0.4/0.3/0.2/0.1.
#   1: 100·(0.4·1   + 0.3·2/3 + 0.2·0   + 0.1·1) = 70
#   2: 100·(0.4·0.6 + 0.3·0   + 0.2·0.5 + 0.1·0) = 34
#   3: 100·(0.4·0   + 0.3·1   + 0.2·1   + 0.1·1) = 60
CRITERIA = [criterion("delivery_days", 30, higher_is_better=False), criterion("warranty", 20),
            criterion("class_certified", 10, "BOOLEAN")]
QUOTES = [quote(1, "1000.00", delivery_days=10, warranty=12, class_certified=True),
          quote(2, "1200.00", delivery_days=20, warranty=24, class_certified=False),
          quote(3, "1500.00", delivery_days=5, warranty=36, class_certified=True)]


def test_a_hand_computed_example_with_a_cost_criterion_and_a_boolean():
    scores = weighted_sum(QUOTES, CRITERIA, price_weight=40)
    assert [s.bid_id for s in scores] == [1, 3, 2]
    assert [s.value for s in scores] == pytest.approx([70.0, 60.0, 34.0], abs=1e-12)


def test_the_breakdown_explains_every_point():
    one = by_id(weighted_sum(QUOTES, CRITERIA, price_weight=40))[1].breakdown
    assert one["price"] == {"value": "1000.00", "normalised": 1.0, "weight": 0.4, "contribution": 40.0}
    assert one["delivery_days"] == {"value": 10, "normalised": 0.666667, "weight": 0.3, "contribution": 20.0}
    assert one["warranty"] == {"value": 12, "normalised": 0.0, "weight": 0.2, "contribution": 0.0}
    assert one["class_certified"] == {"value": True, "normalised": 1.0, "weight": 0.1, "contribution": 10.0}
    assert sum(part["contribution"] for part in one.values()) == pytest.approx(70.0)


def test_a_cost_boolean_gives_full_marks_to_false():
    criteria = [criterion("needs_subcontractor", 50, "BOOLEAN", higher_is_better=False)]
    quotes = [quote(1, "100", needs_subcontractor=True), quote(2, "100", needs_subcontractor=False)]
    scores = by_id(weighted_sum(quotes, criteria, price_weight=50))
    # Equal totals: price normalises to 1.0 for both (50 points); the boolean adds 50 to quote 2 only.
    assert (scores[1].value, scores[2].value) == (50.0, 100.0)


def test_booleans_are_absolute_even_when_every_quote_answers_the_same():
    criteria = [criterion("class_certified", 25, "BOOLEAN")]
    nobody = weighted_sum([quote(1, "10", class_certified=False), quote(2, "20", class_certified=False)],
                          criteria, price_weight=75)
    everybody = weighted_sum([quote(1, "10", class_certified=True), quote(2, "20", class_certified=True)],
                             criteria, price_weight=75)
    assert [s.value for s in nobody] == [75.0, 0.0]
    assert [s.value for s in everybody] == [100.0, 25.0]


def test_an_all_equal_numeric_column_and_equal_prices_normalise_to_one():
    criteria = [criterion("warranty", 30), criterion("delivery_days", 20, higher_is_better=False)]
    quotes = [quote(1, "500.00", warranty=24, delivery_days=3), quote(2, "500.00", warranty=24, delivery_days=9)]
    scores = by_id(weighted_sum(quotes, criteria, price_weight=50))
    # price 1.0·0.5 + warranty 1.0·0.3 + delivery (9−v)/6 · 0.2
    assert scores[1].value == pytest.approx(100.0)
    assert scores[2].value == pytest.approx(80.0)
    assert scores[2].breakdown["warranty"]["normalised"] == 1.0


def test_a_rating_is_normalised_like_a_number():
    criteria = [criterion("service", 60, "RATING")]
    quotes = [quote(1, "100", service=2), quote(2, "100", service=5), quote(3, "100", service=3)]
    scores = by_id(weighted_sum(quotes, criteria, price_weight=40))
    # (v − 2)/3 → 0, 1, 1/3; price all equal → 1.0
    assert [scores[i].value for i in (1, 2, 3)] == pytest.approx([40.0, 100.0, 60.0])


def test_weights_are_normalised_and_a_zero_weight_counts_for_nothing():
    quotes = QUOTES
    scaled = weighted_sum(quotes, [{**c, "weight": c["weight"] * 3} for c in CRITERIA], price_weight=120)
    assert [s.value for s in scaled] == pytest.approx([70.0, 60.0, 34.0], abs=1e-12)
    # Price weight 0: only the criteria count (30/20/10 → 1/2, 1/3, 1/6).
    no_price = by_id(weighted_sum(quotes, CRITERIA, price_weight=0))
    assert no_price[1].value == pytest.approx(100 * (0.5 * 2 / 3 + 1 / 6))
    assert no_price[1].breakdown["price"]["weight"] == 0.0


def test_price_is_normalised_in_decimal_not_float():
    # At 10¹² a float cannot hold cents (its spacing is ~1.2e-4), so float min–max would be off.
    quotes = [quote(1, "1000000000000.01"), quote(2, "1000000000000.02"), quote(3, "1000000000000.03")]
    scores = by_id(weighted_sum(quotes, [], price_weight=1))
    assert [scores[i].value for i in (1, 2, 3)] == [100.0, 50.0, 0.0]


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="must not all be zero"):
        weighted_sum(QUOTES, [{**c, "weight": 0} for c in CRITERIA], price_weight=0)
    with pytest.raises(ValueError, match="no response for criterion warranty"):
        weighted_sum([quote(1, "10", delivery_days=1, class_certified=True)], CRITERIA, price_weight=1)
    with pytest.raises(ValueError, match="true/false"):
        weighted_sum([quote(1, "10", class_certified=1)], [criterion("class_certified", 1, "BOOLEAN")], 1)
    with pytest.raises(ValueError, match="reserved|unique"):
        weighted_sum(QUOTES, [criterion("price", 1)], price_weight=1)
    with pytest.raises(TypeError, match="Decimal"):
        Quote(bid_id=1, supplier_id=1, supplier_name="S", total=10.5, submitted_at=T0)


def test_no_quotes_no_scores():
    assert weighted_sum([], CRITERIA, price_weight=40) == []
    assert price_scores([]) == []
