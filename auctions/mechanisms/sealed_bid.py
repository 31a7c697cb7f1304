"""Sealed bid (product.md §4.1): quotes stay encrypted and unread until close."""
from typing import Any

from rest_framework import serializers

from auctions.serializers import QuoteInput

from .base import CommonSettings, Mechanism, register
from .bidding import SealedBidding


class SealedBidSettings(CommonSettings):
    allow_multiple_submissions = serializers.BooleanField(default=True)
    reveal_bids_to_suppliers = serializers.BooleanField(default=False)
    minimum_bidders = serializers.IntegerField(default=2, min_value=1, max_value=1000)
    pricing = serializers.ChoiceField(choices=["FIRST_PRICE", "SECOND_PRICE", "VCG"], default="FIRST_PRICE")
    allow_partial_bids = serializers.BooleanField(default=False)
    # product.md §7: WHOLE — one supplier wins every line; SPLIT — each line's quantity may be
    # divided between suppliers, at the lowest total cost (an exact integer program).
    award_mode = serializers.ChoiceField(choices=["WHOLE", "SPLIT"], default="WHOLE")
    max_suppliers_per_line = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True,
                                                      default=None)
    max_suppliers = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True,
                                             default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        split = attrs["award_mode"] == "SPLIT"
        errors = {}
        if attrs["pricing"] == "SECOND_PRICE" and split:
            errors["pricing"] = ["SECOND_PRICE prices one winner's total; a split award uses FIRST_PRICE or VCG."]
        elif attrs["pricing"] == "VCG" and not split:
            errors["pricing"] = ["VCG pays each winner of a split award; with award_mode WHOLE use FIRST_PRICE or "
                                 "SECOND_PRICE."]
        elif attrs["pricing"] == "SECOND_PRICE" and attrs["minimum_bidders"] < 2:
            errors["minimum_bidders"] = ["Second-price needs at least 2 bidders to set the price."]
        for name in ("max_suppliers_per_line", "max_suppliers"):
            if attrs.get(name) is not None and not split:
                errors[name] = ["Only a split award (award_mode SPLIT) limits the number of suppliers."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


@register
class SealedBid(SealedBidding, Mechanism):
    type = "SEALED_BID"
    label = "Sealed bid"
    settings_serializer = SealedBidSettings
    bid_input = QuoteInput
