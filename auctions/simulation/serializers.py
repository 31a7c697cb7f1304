"""Input and output of the simulation API (api.md "What-if simulation").

The decimal inputs are plain decimal strings whose bounds are in their patterns, so the
OpenAPI schema states exactly what is accepted (the schema fuzz checks both ways).
"""
from __future__ import annotations

import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.fields import StrictIntegerField
from common.money import MoneyField

from .catalogue import AUCTION_TYPES, AWARD_MODES, PRICING
from .services import SEED_LIMIT

MAX_RUNS, MAX_BIDDERS = 10_000, 200
BASELINE_PATTERN = r"^[1-9]\d{0,8}(\.\d{1,4})?$"  # 1 to 999 999 999.9999
SPREAD_PATTERN = r"^0\.(0[1-9]\d{0,2}|[1-9]\d{0,3})$"  # 0.01 to 0.9999


class PatternDecimalField(serializers.Field):
    """A decimal string that must match `pattern` exactly (no whitespace, no JSON number)."""

    def __init__(self, *, pattern: str, explain: str, **kwargs):
        self.pattern, self.explain = re.compile(pattern, re.ASCII), explain
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.pattern.fullmatch(data):
            raise serializers.ValidationError(self.explain)
        return Decimal(data)

    def to_representation(self, value):
        return f"{value.normalize():f}"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": BASELINE_PATTERN, "example": "12000.00"})
class BaselineField(PatternDecimalField):
    pass


@extend_schema_field({"type": "string", "format": "decimal", "pattern": SPREAD_PATTERN, "example": "0.15"})
class SpreadField(PatternDecimalField):
    pass


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class SimulationInput(serializers.Serializer):
    baseline_total = BaselineField(
        pattern=BASELINE_PATTERN,
        explain="A decimal string from 1 to 999999999.9999 (at most 4 decimals), e.g. \"12000.00\".",
        help_text="The total the phantom suppliers' costs are centred on.")
    bidders = StrictIntegerField(min_value=1, max_value=MAX_BIDDERS)
    cost_spread = SpreadField(
        pattern=SPREAD_PATTERN, explain="A decimal string from 0.01 to 0.9999, e.g. \"0.15\".",
        help_text="Costs are uniform on [baseline × (1 − spread), baseline × (1 + spread)].")
    runs = StrictIntegerField(min_value=1, max_value=MAX_RUNS)
    seed = StrictIntegerField(min_value=0, max_value=SEED_LIMIT - 1, required=False, allow_null=True, default=None,
                              help_text="numpy Generator seed; generated and recorded when omitted.")
    auction_types = serializers.ListField(
        child=serializers.ChoiceField(choices=AUCTION_TYPES), min_length=1, max_length=10, required=False,
        help_text="Default: SEALED_BID and REVERSE_AUCTION, and the RFQ's own type. A sealed bid is simulated with "
                  "the RFQ's award mode (whole or split lines); COMBINATORIAL with bundles of the RFQ's lines.")
    pricing = serializers.ListField(
        child=serializers.ChoiceField(choices=PRICING), min_length=1, max_length=10, required=False,
        help_text="Default: FIRST_PRICE and SECOND_PRICE, and the RFQ's own rule. Each format is played with the "
                  "rules it can pay by: a whole sealed award FIRST_PRICE or SECOND_PRICE, split lines and bundles "
                  "FIRST_PRICE or VCG (FIRST_PRICE where none of those asked applies); the reverse auction always "
                  "pays as bid (FIRST_PRICE).")

    def validate_auction_types(self, value):
        return _unique(value)

    def validate_pricing(self, value):
        return _unique(value)


class DistributionOutput(serializers.Serializer):
    min = MoneyField()
    p25 = MoneyField()
    p75 = MoneyField()
    max = MoneyField()


class ResultOutput(serializers.Serializer):
    auction_type = serializers.ChoiceField(choices=AUCTION_TYPES)
    pricing = serializers.ChoiceField(choices=PRICING)
    award_mode = serializers.ChoiceField(choices=AWARD_MODES, default="WHOLE",
                                         help_text="One winner (WHOLE), lines split (SPLIT) or bundles (BUNDLES)")
    expected_total = MoneyField(allow_null=True, help_text="Mean price paid over the awarded runs")
    p5 = MoneyField(allow_null=True)
    p50 = MoneyField(allow_null=True)
    p95 = MoneyField(allow_null=True)
    no_award_rate = serializers.FloatField(min_value=0, max_value=1)
    mean_winner_margin = MoneyField(allow_null=True, help_text="Mean of payment − the winner's cost")
    awarded_runs = serializers.IntegerField(min_value=0)
    mean_winners = serializers.FloatField(min_value=0, allow_null=True, default=None,
                                          help_text="Suppliers awarded per awarded run, on average")
    distribution = DistributionOutput(allow_null=True, help_text="Min, quartiles and max of the price paid")


class SimulationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    rfq_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["running", "done", "failed"])
    progress = serializers.FloatField(min_value=0, max_value=1)
    seed = serializers.IntegerField(min_value=0)
    runs = serializers.IntegerField()
    bidders = serializers.IntegerField()
    baseline_total = MoneyField()
    cost_spread = serializers.DecimalField(max_digits=5, decimal_places=4, coerce_to_string=True)
    currency = serializers.CharField()
    auction_types = serializers.ListField(child=serializers.ChoiceField(choices=AUCTION_TYPES))
    pricing = serializers.ListField(child=serializers.ChoiceField(choices=PRICING))
    results = ResultOutput(many=True)
    assumptions = serializers.DictField(help_text="What the phantom auctions took from the RFQ")
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

