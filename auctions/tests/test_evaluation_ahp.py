"""AHP: Saaty's random index, consistency ratio, published weights, and aggregation.

The pairwise matrix is turned into weights when the settings are validated
(auctions.mechanisms.multi_attribute.ahp_weights, stored as settings["pairwise"]["weights"]);
evaluation (auctions.evaluation.ahp) aggregates with those stored weights. Expected values
here are published figures or computed in plain Python (power iteration), never by NumPy.
"""
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from auctions.evaluation import Quote, ahp
from auctions.mechanisms import get_mechanism
from auctions.mechanisms.multi_attribute import RANDOM_INDEX, ahp_weights

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# Saaty's random consistency index for n = 3..10.
SAATY_RI = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}


def power_iteration(matrix, rounds=500):
    """Principal eigenvalue and eigenvector (summing to 1) of a positive matrix, plain Python."""
    n = len(matrix)
    vector = [1.0 / n] * n
    for _ in range(rounds):
        product = [sum(matrix[i][j] * vector[j] for j in range(n)) for i in range(n)]
        total = sum(product)
        vector = [x / total for x in product]
    product = [sum(matrix[i][j] * vector[j] for j in range(n)) for i in range(n)]
    return sum(product[i] / vector[i] for i in range(n)) / n, vector


def consistent(weights):
    return [[a / b for b in weights] for a in weights]


def perturbed(n):
    """A reciprocal matrix over weights 1..n with one judgement off by 1.5×: mildly inconsistent."""
    matrix = consistent(list(range(1, n + 1)))
    matrix[0][n - 1] *= 1.5
    matrix[n - 1][0] = 1 / matrix[0][n - 1]
    return matrix


def test_the_random_index_is_saatys_table():
    assert {n: RANDOM_INDEX[n] for n in range(3, 11)} == SAATY_RI


@pytest.mark.parametrize("n", range(3, 11))
def test_the_consistency_ratio_is_ci_over_saatys_ri(n):
    matrix = perturbed(n)
    lambda_max, vector = power_iteration(matrix)
    weights, ratio = ahp_weights(matrix)
    assert lambda_max > n  # inconsistent, so CI > 0 and the index matters
    assert ratio == pytest.approx((lambda_max - n) / (n - 1) / SAATY_RI[n], rel=1e-9)
    assert weights == pytest.approx(vector, abs=1e-12)


@pytest.mark.parametrize("n", range(3, 11))
def test_a_consistent_matrix_has_ratio_zero_and_exact_weights(n):
    raw = [2 ** (i % 4) + i for i in range(n)]  # arbitrary positive weights
    weights, ratio = ahp_weights(consistent(raw))
    assert ratio == pytest.approx(0, abs=1e-9)
    assert weights == pytest.approx([w / sum(raw) for w in raw], abs=1e-12)


# Saaty, T. L. (1990) "How to make a decision: The Analytic Hierarchy Process", European
# Journal of Operational Research 48, 9–26: the family choosing a house, eight criteria
# (size, transportation, neighbourhood, age, yard space, modern facilities, general condition,
# financing). Published priorities .173 .054 .188 .018 .031 .036 .167 .333; λmax 9.669,
# C.I. 0.238, C.R. 0.169 — an inconsistent matrix, which Quayside would refuse (CR ≥ 0.10).
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]


def test_saatys_house_example_reproduces_the_published_priorities_and_ratio():
    weights, ratio = ahp_weights(HOUSE)
    assert [round(w, 3) for w in weights] == HOUSE_PRIORITIES
    assert round(ratio, 3) == 0.169
    lambda_max, _ = power_iteration(HOUSE)
    assert round(lambda_max, 3) == 9.669
    assert round((lambda_max - 8) / 7, 3) == 0.238


def stored_settings():
    """Settings as the RFQ stores them: weights 4:2:1 over price, delivery, warranty (CR 0)."""
    return get_mechanism("MULTI_ATTRIBUTE").validate_settings({
        "scoring_method": "AHP",
        "criteria": [
            {"id": "delivery_days", "name": "Delivery", "weight": 90, "type": "NUMERIC", "min_value": 0,
             "max_value": 60, "higher_is_better": False},
            {"id": "warranty", "name": "Warranty", "weight": 5, "type": "NUMERIC", "min_value": 0, "max_value": 60}],
        "pairwise": {"order": ["price", "delivery_days", "warranty"],
                     "matrix": [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]}})


# Quotes:  total    delivery_days (cost)  warranty
#   1      900.00   30                    12
#   2     1000.00   10                    24
#   3     1100.00   20                    36
# Min–max: price (1100−v)/200: 1, 0.5, 0; delivery (30−v)/20: 0, 1, 0.5; warranty (v−12)/24: 0, 0.5, 1.
QUOTES = [
    Quote(bid_id=1, supplier_id=11, supplier_name="S1", total=Decimal("900.00"), submitted_at=T0,
          criteria={"delivery_days": 30, "warranty": 12}),
    Quote(bid_id=2, supplier_id=12, supplier_name="S2", total=Decimal("1000.00"), submitted_at=T0,
          criteria={"delivery_days": 10, "warranty": 24}),
    Quote(bid_id=3, supplier_id=13, supplier_name="S3", total=Decimal("1100.00"), submitted_at=T0,
          criteria={"delivery_days": 20, "warranty": 36}),
]
NORMALISED = {1: (1, 0, 0), 2: (0.5, 1, 0.5), 3: (0, 0.5, 1)}


def test_aggregation_with_the_stored_weights_matches_a_hand_computation():
    settings = stored_settings()
    stored = settings["pairwise"]["weights"]
    assert stored == {"price": round(4 / 7, 6), "delivery_days": round(2 / 7, 6), "warranty": round(1 / 7, 6)}
    scores = {s.bid_id: s for s in ahp(QUOTES, settings["criteria"], stored)}
    total = sum(stored.values())
    w = [stored["price"] / total, stored["delivery_days"] / total, stored["warranty"] / total]
    for bid_id, normalised in NORMALISED.items():
        expected = 100 * sum(wi * si for wi, si in zip(w, normalised, strict=True))
        assert scores[bid_id].value == pytest.approx(expected, abs=1e-9)
    # With the exact 4:2:1 weights: 400/7, (2 + 2 + 0.5)·100/7 = 450/7, (1 + 1)·100/7 = 200/7.
    assert [scores[i].value for i in (1, 2, 3)] == pytest.approx([400 / 7, 450 / 7, 200 / 7], abs=1e-4)
    assert scores[2].breakdown["delivery_days"] == {
        "value": 10, "normalised": 1.0, "weight": round(w[1], 6), "contribution": round(100 * w[1], 6)}


def test_ahp_ignores_the_direct_weights():
    settings = stored_settings()
    reweighted = [{**c, "weight": 0} for c in settings["criteria"]]
    weights = settings["pairwise"]["weights"]
    assert [s.value for s in ahp(QUOTES, reweighted, weights)] == [s.value for s in
                                                                    ahp(QUOTES, settings["criteria"], weights)]


def test_ahp_weights_must_cover_price_and_every_criterion():
    settings = stored_settings()
    partial = {"price": 0.6, "delivery_days": 0.4}
    with pytest.raises(ValueError, match="missing \\['warranty'\\]"):
        ahp(QUOTES, settings["criteria"], partial)
