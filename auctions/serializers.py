"""Bid input (shape only: amounts are judged by the rule engine) and bid representations."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.fields import StrictCharField, StrictIntegerField
from common.money import format_money

from .drafts import BidDraft, BundleInput, LineInput, MoneyInput


@extend_schema_field({"type": "string", "format": "decimal", "example": "1234.50"})
class AmountString(serializers.Field):
    """An amount as a string. A JSON number is refused here (api.md); the string's content is
    the `amount_format` rule's to judge, so it can answer with the rule id."""

    default_error_messages = {
        "number": "Send amounts as decimal strings, e.g. \"1234.50\", not as JSON numbers.",
        "type": "An amount is a decimal string, e.g. \"1234.50\".",
    }

    def to_internal_value(self, data):
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            self.fail("number")
        if not isinstance(data, str) or len(data) > 64:
            self.fail("type")
        return MoneyInput.parse(data)

    def to_representation(self, value):
        return value.raw


class ReverseBidInput(serializers.Serializer):
    amount = AmountString()
    currency = StrictCharField(max_length=3, required=False)
    line_item_id = StrictIntegerField(required=False, min_value=1, max_value=2**62, help_text=(
        "The line this bid prices, in a per-line reverse auction (bidding_basis PER_LINE); the amount "
        "is then the price for that line's whole quantity"))

    def to_draft(self) -> BidDraft:
        data = self.validated_data
        return BidDraft(amount=data["amount"], currency=data.get("currency"), line_item_id=data.get("line_item_id"))


def plain_reverse_draft(data: object) -> BidDraft | None:
    """ReverseBidInput's draft for a body it takes exactly as sent, without building the
    serializer; None for anything else, which the serializer then judges and words the
    refusal of. Stricter than the serializer, never looser: a value it would trim, coerce or
    refuse falls through to it."""
    if type(data) is not dict:
        return None
    amount = data.get("amount")
    if type(amount) is not str or len(amount) > 64:
        return None
    currency = data.get("currency")
    if "currency" in data and not (type(currency) is str and 0 < len(currency) <= 3 and currency.isprintable()
                                   and currency.strip() == currency):
        return None
    line_item_id = data.get("line_item_id")
    if "line_item_id" in data and not (type(line_item_id) is int and 1 <= line_item_id <= 2**62):
        return None
    return BidDraft(amount=MoneyInput.parse(amount), currency=currency, line_item_id=line_item_id)


class QuoteLineInput(serializers.Serializer):
    line_item_id = StrictIntegerField(min_value=1, max_value=2**62)
    unit_price = AmountString()
    max_quantity = StrictIntegerField(required=False, min_value=1, max_value=2**31, help_text=(
        "Split award only: the most of the line's quantity this quote supplies (default: all of it)."))
    min_quantity = StrictIntegerField(required=False, min_value=1, max_value=2**31, help_text=(
        "Split award only: the least it supplies if chosen at all (default 1)."))


class QuoteInput(serializers.Serializer):
    line_items = QuoteLineInput(many=True, allow_empty=False, max_length=1000)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    terms = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)
    criteria = serializers.DictField(required=False, default=dict)
    currency = StrictCharField(max_length=3, required=False)

    def to_draft(self) -> BidDraft:
        data = self.validated_data
        return BidDraft(lines=[LineInput(line["line_item_id"], line["unit_price"], line.get("max_quantity"),
                                         line.get("min_quantity")) for line in data["line_items"]],
                        criteria=data["criteria"], terms=data["terms"], valid_until=data["valid_until"],
                        currency=data.get("currency"))


class BundleLineInput(serializers.Serializer):
    line_item_ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=2**62), max_length=1000)
    price = AmountString()


class BundleQuoteInput(serializers.Serializer):
    """A combinatorial quote: all-or-nothing prices for sets of lines (api.md "Bundle bids").
    What makes a bundle valid (known lines, no repeats, how many) is the `bundles_valid` rule's."""

    bundles = BundleLineInput(many=True, max_length=1000)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    terms = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)
    currency = StrictCharField(max_length=3, required=False)

    def to_draft(self) -> BidDraft:
        data = self.validated_data
        return BidDraft(bundles=[BundleInput(tuple(b["line_item_ids"]), b["price"]) for b in data["bundles"]],
                        terms=data["terms"], valid_until=data["valid_until"], currency=data.get("currency"))


class BidOutput(serializers.Serializer):
    """A bid as its own supplier, or the buyer once prices may be seen, reads it."""

    id = serializers.IntegerField()
    rfq = serializers.IntegerField(source="rfq_id")
    status = serializers.CharField()
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    amount = serializers.SerializerMethodField()
    supplier = serializers.SerializerMethodField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    def get_amount(self, bid) -> str | None:
        return format_money(bid.amount, bid.rfq.currency)

    def get_supplier(self, bid) -> dict:
        return {"id": bid.supplier_id, "name": bid.supplier.name}
