"""Reverse (descending English) auction (product.md §4.2)."""
from decimal import Decimal

from rest_framework import serializers

from common.money import MoneyField

from .base import Mechanism, register
from .fields import percentage


class ReverseAuctionSettings(serializers.Serializer):
    starting_price = MoneyField(required=False, allow_null=True, default=None)
    # A default skips to_internal_value, so it must already be a Decimal (a str would
    # break the comparisons in validate()).
    minimum_decrement = MoneyField(default=Decimal("1.00"))
    decrement_type = serializers.ChoiceField(choices=["AMOUNT", "PERCENTAGE"], default="AMOUNT")
    duration_minutes = serializers.IntegerField(default=30, min_value=5, max_value=7 * 24 * 60)
    extension_trigger_minutes = serializers.IntegerField(default=5, min_value=0, max_value=120)
    extension_duration_minutes = serializers.IntegerField(default=3, min_value=0, max_value=120)
    max_extensions = serializers.IntegerField(default=10, min_value=0, max_value=100)
    cool_down_seconds = serializers.IntegerField(default=0, min_value=0, max_value=3600)
    show_ranking = serializers.BooleanField(default=True)
    show_leading_bid = serializers.BooleanField(default=True)
    show_bid_count = serializers.BooleanField(default=True)
    rate_limit_bids_per_minute = serializers.IntegerField(default=6, min_value=1, max_value=60)

    def validate(self, attrs):
        if attrs["decrement_type"] == "PERCENTAGE":
            try:
                percentage(attrs["minimum_decrement"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"minimum_decrement": exc.detail}) from None
        start = attrs.get("starting_price")
        if start is not None and attrs["decrement_type"] == "AMOUNT" and attrs["minimum_decrement"] >= start:
            raise serializers.ValidationError(
                {"minimum_decrement": ["The minimum decrement must be smaller than the starting price."]})
        if attrs["extension_trigger_minutes"] and not attrs["extension_duration_minutes"]:
            raise serializers.ValidationError(
                {"extension_duration_minutes": ["An extension trigger needs an extension duration."]})
        return attrs


@register
class ReverseAuction(Mechanism):
    type = "REVERSE_AUCTION"
    label = "Reverse auction"
    settings_serializer = ReverseAuctionSettings
