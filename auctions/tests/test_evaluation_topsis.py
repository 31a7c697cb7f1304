"""TOPSIS scoring: a published worked example and a hand-derived one, checked against plain Python.

The expected values never come from the code under test: they are either published figures
or computed here with `math` and `fractions`, step by step, without NumPy.
"""
import math
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from auctions.evaluation import Quote, topsis

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def quote(bid_id, total, **criteria):
    return Quote(bid_id=bid_id, supplier_id=100 + bid_id, supplier_name=f"S{bid_id}", total=Decimal(total),
                 submitted_at=T0, criteria=criteria)


def numeric(cid, weight, higher_is_better=True):
    return {"id": cid, "name": cid, "weight": weight, "type": "NUMERIC", "higher_is_better": higher_is_better}


def plain_topsis(rows, weights, benefit):
    """Textbook TOPSIS in plain Python: returns [(d_best, d_worst, closeness)] per row."""
    columns = range(len(weights))
    total_weight = sum(weights)
    w = [x / total_weight for x in weights]
    norms = [math.sqrt(sum(row[j] ** 2 for row in rows)) for j in columns]
    v = [[w[j] * row[j] / norms[j] for j in columns] for row in rows]
    best = [(max if benefit[j] else min)(r[j] for r in v) for j in columns]
    worst = [(min if benefit[j] else max)(r[j] for r in v) for j in columns]
    result = []
    for r in v:
        d_best = math.sqrt(sum((r[j] - best[j]) ** 2 for j in columns))
        d_worst = math.sqrt(sum((r[j] - worst[j]) ** 2 for j in columns))
        result.append((d_best, d_worst, d_worst / (d_best + d_worst)))
    return result


# Roszkowska, E. (2011) "Multi-criteria decision making models by applying the TOPSIS method
# to crisp and interval data", Multiple Criteria Decision Making (Univ. of Economics in
# Katowice) 6, 200–230: the crisp example, decision maker 1 — five alternatives, four criteria,
# C2 a cost criterion, weights 0.175 / 0.425 / 0.175 / 0.225. Separations and relative
# closeness as published (6 dp); the same figures are the fixtures of gscoppino/topsis.
ROSZKOWSKA = {  # alternative: (C1, C2 cost, C3, C4)
    "A1": (7, 21, 4, 7), "A2": (7, 24, 6, 4), "A3": (14, 25, 3, 8), "A4": (14, 26, 9, 3), "A5": (21, 35, 4, 4)}
PUBLISHED_D_BEST = {"A1": 0.107805, "A2": 0.117942, "A3": 0.096981, "A4": 0.105379, "A5": 0.141766}
PUBLISHED_D_WORST = {"A1": 0.124281, "A2": 0.090785, "A3": 0.122181, "A4": 0.112779, "A5": 0.083486}
PUBLISHED_CLOSENESS = {"A1": 0.535497, "A2": 0.434945, "A3": 0.557491, "A4": 0.516961, "A5": 0.370633}
PUBLISHED_ORDER = ["A3", "A1", "A4", "A2", "A5"]


def roszkowska_scores():
    # The cost criterion C2 plays the quote's total (price is always a cost criterion).
    quotes = [quote(i, str(c2), c1=c1, c3=c3, c4=c4)
              for i, (c1, c2, c3, c4) in enumerate(ROSZKOWSKA.values(), start=1)]
    criteria = [numeric("c1", 17.5), numeric("c3", 17.5), numeric("c4", 22.5)]
    return topsis(quotes, criteria, price_weight=42.5)


def test_the_published_example_reproduces_its_separations_and_closeness():
    names = list(ROSZKOWSKA)
    by_name = {names[s.bid_id - 1]: s for s in roszkowska_scores()}
    for name in names:
        summary = by_name[name].breakdown["_topsis"]
        assert summary["distance_to_best"] == PUBLISHED_D_BEST[name]
        assert summary["distance_to_worst"] == PUBLISHED_D_WORST[name]
        assert summary["closeness"] == PUBLISHED_CLOSENESS[name]
        assert round(by_name[name].value / 100, 6) == PUBLISHED_CLOSENESS[name]


def test_the_published_example_matches_plain_python_to_full_precision():
    rows = [(c1, c2, c3, c4) for c1, c2, c3, c4 in ROSZKOWSKA.values()]
    expected = plain_topsis(rows, [0.175, 0.425, 0.175, 0.225], benefit=[True, False, True, True])
    for score in roszkowska_scores():
        d_best, d_worst, closeness = expected[score.bid_id - 1]
        assert score.value == pytest.approx(closeness * 100, abs=1e-10)


def test_the_published_example_ranks_as_published():
    names = list(ROSZKOWSKA)
    assert [names[s.bid_id - 1] for s in roszkowska_scores()] == PUBLISHED_ORDER


# A hand-derived example with round norms: totals 200/300/600 (norm 700), warranty 12/48/96
# months (norm 108), delivery 2/9/6 days (norm 11, a cost). Weights 50/30/20 → 0.5/0.3/0.2.
#   v_price    = 0.5·(2, 3, 6)/7  = 1/7, 3/14, 3/7   best 1/7 (cost), worst 3/7
#   v_warranty = 0.3·(1, 4, 8)/9  = 1/30, 2/15, 4/15 best 4/15, worst 1/30
#   v_delivery = 0.2·(2, 9, 6)/11 = 2/55, 9/55, 6/55 best 2/55 (cost), worst 9/55
F = Fraction
HAND = {  # bid: (squared terms to the best, squared terms to the worst)
    1: ([0, (F(4, 15) - F(1, 30)) ** 2, 0], [(F(3, 7) - F(1, 7)) ** 2, 0, (F(9, 55) - F(2, 55)) ** 2]),
    2: ([(F(3, 14) - F(1, 7)) ** 2, (F(4, 15) - F(2, 15)) ** 2, (F(9, 55) - F(2, 55)) ** 2],
        [(F(3, 7) - F(3, 14)) ** 2, (F(2, 15) - F(1, 30)) ** 2, 0]),
    3: ([(F(3, 7) - F(1, 7)) ** 2, 0, (F(6, 55) - F(2, 55)) ** 2],
        [0, (F(4, 15) - F(1, 30)) ** 2, (F(9, 55) - F(6, 55)) ** 2]),
}


def hand_closeness(bid_id):
    to_best, to_worst = HAND[bid_id]
    d_best, d_worst = math.sqrt(sum(to_best)), math.sqrt(sum(to_worst))
    return d_worst / (d_best + d_worst)


def test_a_hand_computed_three_quote_example_with_price_as_cost():
    quotes = [quote(1, "200.00", warranty=12, delivery_days=2), quote(2, "300.00", warranty=48, delivery_days=9),
              quote(3, "600.00", warranty=96, delivery_days=6)]
    criteria = [numeric("warranty", 30), numeric("delivery_days", 20, higher_is_better=False)]
    scores = topsis(quotes, criteria, price_weight=50)
    by_id = {s.bid_id: s for s in scores}
    # d⁺ of quote 1 is only its warranty gap, 0.3·(8 − 1)/9 = 7/30.
    assert by_id[1].breakdown["_topsis"]["distance_to_best"] == round(7 / 30, 6)
    for bid_id in (1, 2, 3):
        assert by_id[bid_id].value == pytest.approx(hand_closeness(bid_id) * 100, abs=1e-10)
    assert [round(hand_closeness(b), 4) for b in (1, 2, 3)] == [0.5727, 0.5447, 0.4484]  # written out
    assert [s.bid_id for s in scores] == [1, 2, 3]
    price = by_id[2].breakdown["price"]
    assert price == {"value": "300.00", "normalised": round(3 / 7, 6), "weight": 0.5, "weighted": round(3 / 14, 6),
                     "ideal_best": round(1 / 7, 6), "ideal_worst": round(3 / 7, 6)}
    delivery = by_id[3].breakdown["delivery_days"]
    assert (delivery["ideal_best"], delivery["ideal_worst"]) == (round(2 / 55, 6), round(9 / 55, 6))


def test_booleans_enter_as_one_for_the_preferred_value():
    # Cost boolean: "needs_subcontractor" is preferred false, so false is the 1.
    criteria = [{"id": "needs_subcontractor", "name": "Sub", "weight": 50, "type": "BOOLEAN",
                 "higher_is_better": False}]
    quotes = [quote(1, "100", needs_subcontractor=True), quote(2, "100", needs_subcontractor=False)]
    by_id = {s.bid_id: s for s in topsis(quotes, criteria, price_weight=50)}
    # Column (0, 1): r = (0, 1); price column equal, so quote 2 is the ideal and quote 1 the anti-ideal.
    assert by_id[2].value == pytest.approx(100.0)
    assert by_id[1].value == pytest.approx(0.0)
    assert by_id[2].breakdown["needs_subcontractor"]["normalised"] == 1.0


def test_an_all_zero_column_is_zero_not_nan_and_identical_quotes_score_100():
    criteria = [{"id": "certified", "name": "Cert", "weight": 40, "type": "BOOLEAN", "higher_is_better": True}]
    quotes = [quote(1, "250.00", certified=False), quote(2, "250.00", certified=False)]
    scores = topsis(quotes, criteria, price_weight=60)
    assert [s.value for s in scores] == [100.0, 100.0]  # d⁺ = d⁻ = 0 → closeness 1
    assert scores[0].breakdown["certified"]["normalised"] == 0.0


def test_a_single_quote_is_its_own_ideal():
    [score] = topsis([quote(7, "99.99", warranty=3)], [numeric("warranty", 10)], price_weight=90)
    assert score.value == 100.0


def test_scores_are_on_a_zero_to_hundred_scale_with_weights_normalised():
    quotes = [quote(1, "200", warranty=12), quote(2, "400", warranty=24)]
    small = topsis(quotes, [numeric("warranty", 1)], price_weight=1)
    large = topsis(quotes, [numeric("warranty", 50)], price_weight=50)
    assert [s.value for s in small] == pytest.approx([s.value for s in large], abs=1e-12)
    # Proportional columns (200:400 and 12:24) normalise to the same pair (1, 2)/√5, equally
    # weighted and pulling opposite ways: each quote is as far from the ideal as from the anti-ideal.
    assert [s.value for s in small] == pytest.approx([50.0, 50.0])
