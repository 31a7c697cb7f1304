"""Combinatorial auction (product.md §7 "Bundle bids"): sealed all-or-nothing prices for sets
of lines; at most one bundle per supplier wins, and every line goes to exactly one winning
bundle. Winner determination is exact (auctions/evaluation/allocation)."""

from rest_framework import serializers

from auctions.serializers import BundleQuoteInput

from .base import CommonSettings, Mechanism, register
from .bidding import SealedBidding


class CombinatorialSettings(CommonSettings):
    allow_multiple_submissions = serializers.BooleanField(default=True)
    minimum_bidders = serializers.IntegerField(default=2, min_value=1, max_value=1000)
    pricing = serializers.ChoiceField(choices=["FIRST_PRICE", "VCG"], default="FIRST_PRICE")
    max_bundles_per_quote = serializers.IntegerField(default=10, min_value=1, max_value=100)


@register
class Combinatorial(SealedBidding, Mechanism):
    type = "COMBINATORIAL"
    label = "Combinatorial (bundle) auction"
    settings_serializer = CombinatorialSettings
    bid_input = BundleQuoteInput
