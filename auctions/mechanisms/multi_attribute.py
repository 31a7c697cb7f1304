"""Multi-attribute auction (product.md §4.3): price plus weighted non-price criteria."""
from typing import Any, NoReturn

import numpy as np
from rest_framework import serializers

from auctions.serializers import QuoteInput

from .base import CommonSettings, Mechanism, register
from .bidding import SealedBidding
from .fields import parse_ratio

# Saaty's random consistency index by matrix size.
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
MAX_CRITERIA = len(RANDOM_INDEX) - 1  # price takes one row of the pairwise matrix


class CriterionSettings(serializers.Serializer[Any]):
    id = serializers.RegexField(r"^[a-z][a-z0-9_]{0,39}$", error_messages={
        "invalid": "Use lower-case letters, digits and underscores, starting with a letter."})
    name = serializers.CharField(max_length=100)
    weight = serializers.FloatField(min_value=0, max_value=100)
    type = serializers.ChoiceField(choices=["NUMERIC", "RATING", "BOOLEAN"])
    higher_is_better = serializers.BooleanField(default=True)
    min_value = serializers.FloatField(required=False, allow_null=True, default=None)
    max_value = serializers.FloatField(required=False, allow_null=True, default=None)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["id"] == "price":
            raise serializers.ValidationError({"id": ["\"price\" is reserved for the quote's total."]})
        if attrs["type"] == "BOOLEAN":
            attrs["min_value"], attrs["max_value"] = None, None
        elif attrs["type"] == "RATING":
            attrs["min_value"] = 1 if attrs["min_value"] is None else attrs["min_value"]
            attrs["max_value"] = 5 if attrs["max_value"] is None else attrs["max_value"]
        elif attrs["min_value"] is None or attrs["max_value"] is None:
            raise serializers.ValidationError({"max_value": ["A numeric criterion needs min_value and max_value."]})
        if attrs["type"] != "BOOLEAN" and attrs["min_value"] >= attrs["max_value"]:
            raise serializers.ValidationError({"max_value": ["max_value must be greater than min_value."]})
        return attrs


class PairwiseSettings(serializers.Serializer[Any]):
    order = serializers.ListField(child=serializers.CharField(max_length=40), min_length=2)
    matrix = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    # Derived at validation and stored with the matrix, so a buyer sees what the comparisons mean.
    weights = serializers.DictField(child=serializers.FloatField(), read_only=True)
    consistency_ratio = serializers.FloatField(read_only=True)


def ahp_weights(matrix: list[list[float]]) -> tuple[list[float], float]:
    """Principal-eigenvector weights and Saaty's consistency ratio of a reciprocal matrix."""
    values = np.array(matrix, dtype=float)
    eigenvalues, eigenvectors = np.linalg.eig(values)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    n = len(matrix)
    if n <= 2:
        return weights.tolist(), 0.0
    consistency_index = (eigenvalues[principal].real - n) / (n - 1)
    return weights.tolist(), float(consistency_index / RANDOM_INDEX[n])


class MultiAttributeSettings(CommonSettings):
    criteria = CriterionSettings(many=True, default=list)
    scoring_method = serializers.ChoiceField(choices=["WEIGHTED_SUM", "TOPSIS", "AHP"], default="WEIGHTED_SUM")
    price_weight = serializers.FloatField(min_value=0, max_value=100, default=50)
    allow_partial_bids = serializers.BooleanField(default=False)
    pairwise = PairwiseSettings(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        criteria = attrs["criteria"]
        ids = [c["id"] for c in criteria]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError({"criteria": ["Criterion ids must be unique."]})
        if len(criteria) > MAX_CRITERIA:
            raise serializers.ValidationError({"criteria": [f"At most {MAX_CRITERIA} criteria."]})
        if attrs["scoring_method"] == "AHP":
            attrs["pairwise"] = self._validated_pairwise(attrs.get("pairwise"), ["price", *ids])
        else:
            attrs["pairwise"] = None
            if attrs["price_weight"] + sum(c["weight"] for c in criteria) <= 0:
                raise serializers.ValidationError({"price_weight": ["The weights must not all be zero."]})
        return attrs

    @staticmethod
    def _validated_pairwise(pairwise: dict[str, Any] | None, expected: list[str]) -> dict[str, Any]:
        def fail(message: str) -> NoReturn:
            raise serializers.ValidationError({"pairwise": [message]})

        if not pairwise:
            fail("AHP needs a pairwise comparison matrix over price and the criteria.")
        order, rows = pairwise["order"], pairwise["matrix"]
        if sorted(order) != sorted(expected) or len(order) != len(expected):
            fail(f"order must list exactly: {', '.join(expected)}.")
        n = len(order)
        if len(rows) != n or any(len(row) != n for row in rows):
            fail(f"matrix must be {n}×{n}.")
        try:
            values = [[parse_ratio(v) for v in row] for row in rows]
        except ValueError as exc:
            fail(f"Every entry {exc}.")
        for i in range(n):
            if abs(values[i][i] - 1) > 1e-9:
                fail(f"The diagonal must be 1 (row {order[i]}).")
            for j in range(i + 1, n):
                if abs(values[i][j] * values[j][i] - 1) > 1e-6:
                    fail(f"The matrix must be reciprocal: {order[i]}/{order[j]} and {order[j]}/{order[i]}.")
        weights, ratio = ahp_weights(values)
        if ratio >= 0.10:
            fail(f"The comparisons are inconsistent: consistency ratio {ratio:.3f} (must be below 0.10).")
        return {"order": order, "matrix": rows, "weights": dict(zip(order, [round(w, 6) for w in weights], strict=False)),
                "consistency_ratio": round(ratio, 6)}


@register
class MultiAttribute(SealedBidding, Mechanism):
    type = "MULTI_ATTRIBUTE"
    label = "Multi-attribute auction"
    settings_serializer = MultiAttributeSettings
    bid_input = QuoteInput
