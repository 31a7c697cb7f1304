"""Sealed bid (product.md §4.1): quotes stay encrypted and unread until close."""
from rest_framework import serializers

from auctions.serializers import QuoteInput

from .base import Mechanism, register
from .bidding import SealedBidding


class SealedBidSettings(serializers.Serializer):
    allow_multiple_submissions = serializers.BooleanField(default=True)
    reveal_bids_to_suppliers = serializers.BooleanField(default=False)
    minimum_bidders = serializers.IntegerField(default=2, min_value=1, max_value=1000)
    pricing = serializers.ChoiceField(choices=["FIRST_PRICE", "SECOND_PRICE"], default="FIRST_PRICE")
    allow_partial_bids = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs["pricing"] == "SECOND_PRICE" and attrs["minimum_bidders"] < 2:
            raise serializers.ValidationError(
                {"minimum_bidders": ["Second-price needs at least 2 bidders to set the price."]})
        return attrs


@register
class SealedBid(SealedBidding, Mechanism):
    type = "SEALED_BID"
    label = "Sealed bid"
    settings_serializer = SealedBidSettings
    bid_input = QuoteInput
