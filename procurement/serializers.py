"""RFQ input validation (400s at the edge) and the RFQ representation of api.md."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from auctions.access import reason_for_suppliers, reserve_visible_to
from auctions.mechanisms import get_mechanism
from auctions.scenarios import TEMPLATES_BY_ID
from common.fields import StrictCharField
from common.money import (
    MoneyField,
    QuantityField,
    check_money,
    currency_decimals,
    decimal_places,
    format_money,
    is_currency,
)
from rfqs.models import AuctionType, ReserveVisibility
from suppliers.models import Category, Port

TIE_BREAK_CRITERIA = ["earliest_submission", "higher_tier", "better_performance", "closer_to_port",
                      "more_items_quoted"]
TIE_BREAK_FALLBACKS = ["random", "manual_selection", "split_award"]
DEFAULT_TIE_BREAKING = {"criteria": ["earliest_submission"], "final_fallback": "random"}
NO_RESERVE = {"enabled": False, "amount": None, "visibility": "hidden", "auto_accept_if_met": False,
              "notify_buyer_if_not_met": True}


SPLIT_WHOLE_QUANTITIES = ("A split award divides line quantities between suppliers in whole units: every line "
                          "item's quantity must be a whole number.")


class WholeObjectInput(serializers.Serializer):
    """A nested object that an edit replaces whole, never merges into.

    DRF validates nested serializers of a partial edit (PATCH) partially too: required fields
    and defaults are skipped, so `{"reserve_price": {}}` reached the service without `enabled`
    (a KeyError) and `{"line_items": [{}]}` reached the database without a quantity (an
    IntegrityError). A value sent for such a field is validated as on create."""

    def run_validation(self, data=serializers.empty):
        if data is serializers.empty or data is None or not self._partial_root():
            return super().run_validation(data)
        whole = type(self)(data=data, context=self.context)
        if not whole.is_valid():
            raise serializers.ValidationError(whole.errors)
        return whole.validated_data

    def _partial_root(self) -> bool:
        return bool(getattr(self.root, "partial", False)) and self.root is not self


class LineItemInput(WholeObjectInput):
    description = StrictCharField(max_length=300)
    quantity = QuantityField()
    unit = StrictCharField(max_length=20)
    impa_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True, default="",
                                       error_messages={"invalid": "An IMPA code has six digits."})
    starting_price = MoneyField(required=False, allow_null=True, default=None, help_text=(
        "The line's ceiling in a per-line reverse auction (bidding_basis PER_LINE): the price for the "
        "line's whole quantity"))


class AuctionInput(WholeObjectInput):
    type = serializers.ChoiceField(choices=AuctionType.choices, required=False)
    template = serializers.ChoiceField(choices=sorted(TEMPLATES_BY_ID), required=False)
    settings = serializers.JSONField(required=False, default=dict)

    def validate(self, attrs):
        template = TEMPLATES_BY_ID.get(attrs.get("template"))
        auction_type = attrs.get("type") or (template.auction_type if template else None)
        if auction_type is None:
            raise serializers.ValidationError({"type": ["Choose an auction type or a template."]})
        if template and template.auction_type != auction_type:
            raise serializers.ValidationError({"template": [f"The {template.name} template runs a "
                                                            f"{template.auction_type}, not a {auction_type}."]})
        raw = attrs.get("settings")
        if not isinstance(raw, dict):
            raise serializers.ValidationError({"settings": ["Settings must be a JSON object."]})
        merged = {**(template.overrides if template else {}), **raw}
        try:
            settings = get_mechanism(auction_type).validate_settings(merged)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"settings": exc.detail}) from None
        return {"type": auction_type, "template": template.id if template else "", "settings": settings}


class ReserveInput(WholeObjectInput):
    enabled = serializers.BooleanField(default=False)
    amount = MoneyField(required=False, allow_null=True, default=None)
    visibility = serializers.ChoiceField(choices=ReserveVisibility.choices, default=ReserveVisibility.HIDDEN)
    auto_accept_if_met = serializers.BooleanField(default=False)
    notify_buyer_if_not_met = serializers.BooleanField(default=True)

    def validate(self, attrs):
        if attrs["enabled"] and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": ["An enabled reserve needs an amount."]})
        if not attrs["enabled"]:
            attrs["amount"] = None
        return attrs


class TieBreakingInput(WholeObjectInput):
    criteria = serializers.ListField(child=serializers.ChoiceField(choices=TIE_BREAK_CRITERIA),
                                     default=list, max_length=len(TIE_BREAK_CRITERIA))
    final_fallback = serializers.ChoiceField(choices=TIE_BREAK_FALLBACKS, default="random")

    def validate_criteria(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each tie-break criterion may appear once.")
        return value


def line_price_errors(items: list[dict], auction: dict | None, currency: str | None) -> dict[str, list[str]]:
    """Line starting prices: only in a per-line reverse auction, in the currency's digits, and
    above an amount decrement (on create, edit and amendment alike)."""
    settings = (auction or {}).get("settings") or {}
    per_line = bool(auction) and auction["type"] == "REVERSE_AUCTION" and settings.get("bidding_basis") == "PER_LINE"
    errors = {}
    for index, item in enumerate(items):
        price, name = item.get("starting_price"), f"line_items[{index}].starting_price"
        if price is None:
            continue
        if not per_line:
            errors[name] = ["A line's starting price applies to a per-line reverse auction "
                            "(auction.settings.bidding_basis PER_LINE)."]
        elif currency and (problems := check_money(price, currency=currency)):
            errors[name] = problems
        elif settings.get("decrement_type") == "AMOUNT" and Decimal(settings["minimum_decrement"]) >= price:
            errors[name] = ["The minimum decrement must be smaller than the line's starting price."]
    return errors


class RFQInput(serializers.Serializer):
    """Create (all required fields) or edit a draft (partial=True)."""

    title = StrictCharField(max_length=200)
    description = StrictCharField(allow_blank=True, required=False, default="", max_length=10000)
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    currency = StrictCharField(max_length=3, min_length=3)
    delivery_port = serializers.SlugRelatedField(slug_field="code", queryset=Port.objects.all())
    delivery_date = serializers.DateField()
    bidding_opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    bidding_deadline = serializers.DateTimeField()
    line_items = LineItemInput(many=True, required=False, default=list, max_length=500)
    auction = AuctionInput()
    reserve_price = ReserveInput(required=False, default=dict)
    tie_breaking = TieBreakingInput(required=False, default=dict)

    def validate_currency(self, value):
        if not is_currency(value):
            raise serializers.ValidationError(f"\"{value}\" is not an ISO 4217 currency code.")
        return value

    def validate_bidding_deadline(self, value):
        if value <= timezone.now() + timedelta(minutes=1):
            raise serializers.ValidationError("The bidding deadline must be at least a minute from now.")
        return value

    def validate(self, attrs):
        instance = self.instance
        merged = {name: attrs.get(name, getattr(instance, name, None)) for name in (
            "currency", "delivery_date", "bidding_opens_at", "bidding_deadline")}
        errors: dict[str, list[str]] = {}
        opens, deadline = merged["bidding_opens_at"], merged["bidding_deadline"]
        if opens and deadline and opens >= deadline:
            errors["bidding_opens_at"] = ["Bidding must open before the deadline."]
        if merged["delivery_date"] and deadline and merged["delivery_date"] < deadline.date():
            errors["delivery_date"] = ["Delivery cannot be due before bidding closes."]
        currency = merged["currency"]
        reserve = attrs.get("reserve_price")
        auction = attrs.get("auction")
        if instance is not None:
            # An edit that changes only the currency must still fit the stored amounts.
            if reserve is None and instance.reserve_enabled and instance.reserve_amount is not None:
                reserve = {"enabled": True, "amount": instance.reserve_amount.normalize(),
                           "visibility": instance.reserve_visibility}
            if auction is None:
                auction = {"type": instance.auction_type, "settings": instance.auction_settings}
        if reserve and reserve.get("amount") is not None and currency:
            problems = check_money(reserve["amount"], currency=currency)
            if problems:
                errors["reserve_price.amount"] = problems
        if auction and currency:
            errors.update(self._auction_money_errors(auction, currency, reserve))
        if "line_items" in attrs or auction:
            items = attrs["line_items"] if "line_items" in attrs else (
                [{"starting_price": li.starting_price} for li in instance.line_items.all()] if instance is not None
                else [])
            errors.update(line_price_errors(items, auction, currency))
        if auction and auction["settings"].get("award_mode") == "SPLIT":
            items = attrs["line_items"] if "line_items" in attrs else (
                [{"quantity": li.quantity} for li in instance.line_items.all()] if instance is not None else [])
            if any(item["quantity"] != item["quantity"].to_integral_value() for item in items):
                errors["line_items"] = [SPLIT_WHOLE_QUANTITIES]
        if errors:
            raise serializers.ValidationError(errors)
        return self._to_service_data(attrs)

    @staticmethod
    def _auction_money_errors(auction: dict, currency: str, reserve: dict | None) -> dict:
        errors = {}
        settings = auction["settings"]
        if auction["type"] == "REVERSE_AUCTION":
            start = settings.get("starting_price")
            if start is not None:
                start = Decimal(start)
                if problems := check_money(start, currency=currency):
                    errors["auction.settings.starting_price"] = problems
                if (reserve and reserve.get("enabled") and reserve.get("visibility") == "disclosed_as_starting"
                        and start > reserve["amount"]):
                    errors["auction.settings.starting_price"] = [
                        "The starting price cannot be above a reserve disclosed as the starting price."]
            if settings["decrement_type"] == "AMOUNT":
                digits = currency_decimals(currency)
                # Trailing zeros are no precision: the default "1.00" is a whole yen.
                if decimal_places(Decimal(settings["minimum_decrement"]).normalize()) > digits:
                    errors["auction.settings.minimum_decrement"] = [
                        f"{currency} amounts have at most {digits} decimal place(s)."]
        return errors

    @staticmethod
    def _to_service_data(attrs: dict) -> dict:
        data = dict(attrs)
        if "auction" in data:
            auction = data.pop("auction")
            data.update(auction_type=auction["type"], auction_settings=auction["settings"],
                        template=auction["template"])
        if "reserve_price" in data:
            data["reserve"] = {**NO_RESERVE, **(data.pop("reserve_price") or {})}
        if "tie_breaking" in data:
            tie = data["tie_breaking"] or {}
            data["tie_breaking"] = {"criteria": tie.get("criteria", DEFAULT_TIE_BREAKING["criteria"]),
                                    "final_fallback": tie.get("final_fallback", "random")}
        return data


class LineItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    description = serializers.CharField()
    quantity = QuantityField()
    unit = serializers.CharField()
    impa_code = serializers.CharField()
    starting_price = serializers.SerializerMethodField()

    def get_starting_price(self, line) -> str | None:
        """The line's ceiling (per-line reverse auctions), in the RFQ's currency's digits."""
        if line.starting_price is None:
            return None
        return format_money(line.starting_price, self.context.get("currency") or line.rfq.currency)


class NamedRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RFQOutput(serializers.Serializer):
    """The RFQ as the caller may see it (the reserve only where its visibility allows)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.SerializerMethodField()
    buyer_organization = NamedRef()
    category = serializers.CharField(source="category.slug")
    currency = serializers.CharField()
    delivery_port = serializers.CharField(source="delivery_port.code")
    delivery_port_name = serializers.CharField(source="delivery_port.name")
    delivery_date = serializers.DateField()
    bidding_opens_at = serializers.DateTimeField(allow_null=True)
    bidding_deadline = serializers.DateTimeField()
    original_deadline = serializers.DateTimeField()
    extensions = serializers.IntegerField()
    line_items = LineItemOutput(many=True, source="line_items.all")
    auction = serializers.SerializerMethodField()
    reserve_price = serializers.SerializerMethodField()
    tie_breaking = serializers.JSONField()
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_status_reason(self, rfq) -> str:
        user = self.context["request"].user
        return reason_for_suppliers(rfq) if user.is_supplier else rfq.status_reason

    def get_auction(self, rfq) -> dict:
        return {"type": rfq.auction_type, "template": rfq.template, "settings": rfq.auction_settings}

    def get_reserve_price(self, rfq) -> dict | None:
        user = self.context["request"].user
        if not reserve_visible_to(user=user, rfq=rfq):
            # Suppliers learn nothing of a hidden reserve, not even that one exists.
            return None if user.is_supplier else {"enabled": False}
        return {"enabled": True, "amount": format_money(rfq.reserve_amount, rfq.currency), "visibility": rfq.reserve_visibility,
                "auto_accept_if_met": rfq.reserve_auto_accept_if_met,
                "notify_buyer_if_not_met": rfq.reserve_notify_buyer_if_not_met}
