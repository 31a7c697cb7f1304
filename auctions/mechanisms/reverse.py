"""Reverse (descending English) auction (product.md §4.2)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from auctions.drafts import BidDraft
from auctions.models import Bid, BidStatus
from auctions.sealing import seal
from auctions.serializers import ReverseBidInput, plain_reverse_draft
from common.db import update_statement
from common.money import MoneyField, round_money
from rfqs.models import LineItem

from .base import BidOrigin, CommonSettings, Extension, Mechanism, register
from .bidding import new_bid
from .fields import percentage

if TYPE_CHECKING:
    from auctions.rules.context import BidContext
    from auctions.types import RFQ

# In the final minutes each supplier may bid at most once per 10 s (product.md §4.2).
FINAL_PHASE_SECONDS = 120
FINAL_PHASE_MIN_INTERVAL_SECONDS = 10

# The tighter anti-sniping tiers of the ADR, available as a preset.
TIGHT_TIERS = [
    {"trigger_seconds": 300, "extension_seconds": 180, "max_extensions": 10, "cool_down_seconds": 0},
    {"trigger_seconds": 120, "extension_seconds": 120, "max_extensions": 5, "cool_down_seconds": 30},
    {"trigger_seconds": 30, "extension_seconds": 60, "max_extensions": 3, "cool_down_seconds": 60},
]


class ExtensionTier(serializers.Serializer[Any]):
    trigger_seconds = serializers.IntegerField(min_value=1, max_value=7200)
    extension_seconds = serializers.IntegerField(min_value=1, max_value=7200)
    max_extensions = serializers.IntegerField(min_value=0, max_value=100)
    cool_down_seconds = serializers.IntegerField(min_value=0, max_value=3600, default=0)


class ReverseAuctionSettings(CommonSettings):
    # TOTAL: one bid for everything; PER_LINE: each line is its own live auction (lots).
    bidding_basis = serializers.ChoiceField(choices=["TOTAL", "PER_LINE"], default="TOTAL")
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
    anti_sniping_preset = serializers.ChoiceField(choices=["standard", "tight", "custom"], default="standard")
    extension_tiers = ExtensionTier(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["decrement_type"] == "PERCENTAGE":
            try:
                percentage(attrs["minimum_decrement"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"minimum_decrement": exc.detail}) from None
        start = attrs.get("starting_price")
        if start is not None and attrs["bidding_basis"] == "PER_LINE":
            raise serializers.ValidationError({"starting_price": [
                "Per-line bidding has a ceiling per line: set starting_price on each line item, not one for "
                "the auction (a cap on a total means nothing per line)."]})
        if start is not None and attrs["decrement_type"] == "AMOUNT" and attrs["minimum_decrement"] >= start:
            raise serializers.ValidationError(
                {"minimum_decrement": ["The minimum decrement must be smaller than the starting price."]})
        if attrs["anti_sniping_preset"] == "tight":
            attrs["extension_tiers"] = TIGHT_TIERS
        elif attrs["anti_sniping_preset"] == "custom" and not attrs["extension_tiers"]:
            raise serializers.ValidationError({"extension_tiers": ["Custom anti-sniping needs at least one tier."]})
        elif attrs["anti_sniping_preset"] == "standard":
            attrs["extension_tiers"] = []
        triggers = [tier["trigger_seconds"] for tier in attrs["extension_tiers"]]
        if len(set(triggers)) != len(triggers):
            raise serializers.ValidationError({"extension_tiers": ["Each tier needs its own trigger window."]})
        if attrs["extension_trigger_minutes"] and not attrs["extension_duration_minutes"]:
            raise serializers.ValidationError(
                {"extension_duration_minutes": ["An extension trigger needs an extension duration."]})
        return attrs


@register
class ReverseAuction(Mechanism):
    type = "REVERSE_AUCTION"
    label = "Reverse auction"
    settings_serializer = ReverseAuctionSettings
    bid_input = ReverseBidInput

    def parse_bid(self, data: object) -> BidDraft:
        # The hot path (architecture.md): a well-formed body is read without building the
        # serializer (four DRF fields deep-copied per request); anything else goes through it,
        # so every refusal keeps its message. auctions/tests/test_bid_input_parse.py holds the two
        # to the same drafts.
        return plain_reverse_draft(data) or super().parse_bid(data)

    def accept(self, ctx: BidContext, meta: BidOrigin) -> tuple[Bid, Extension | None]:
        rfq = ctx.rfq
        amount = _amount(ctx)
        if rfq.sealed_fallback_at is not None:
            return self._accept_sealed(ctx, meta, amount), None
        if ctx.line is not None:  # per-line bidding: the line's best; the count and deadline stay the auction's
            return self._accept_on_line(ctx, meta, amount)
        bid = new_bid(ctx, meta, amount=amount)
        if rfq.best_amount is None or amount < rfq.best_amount:
            rfq.best_amount, rfq.best_bid = amount, bid
        rfq.bid_count += 1
        extension = self._extend(rfq, ctx.now)
        ctx.write(update_statement(rfq, ["best_amount", "best_bid", "bid_count", "bidding_deadline", "extensions",
                                         "deadline_version", "last_extension_at", "updated_at"]))
        return bid, extension

    def _accept_on_line(self, ctx: BidContext, meta: BidOrigin, amount: Decimal) -> tuple[Bid, Extension | None]:
        """A lot's bid: the rules checked it against this line's best (read under the row lock),
        so it becomes the line's best; anti-sniping extends the whole auction."""
        rfq, line = ctx.rfq, ctx.line
        bid = new_bid(ctx, meta, amount=amount, line_item_id=line.pk)
        if line.best_amount is None or amount < line.best_amount:
            line.best_amount, line.best_bid = amount, bid
        line.bid_count += 1
        rfq.bid_count += 1
        extension = self._extend(rfq, ctx.now)
        ctx.write(update_statement(line, ["best_amount", "best_bid", "bid_count"]))
        ctx.write(update_statement(rfq, ["bid_count", "bidding_deadline", "extensions", "deadline_version",
                                         "last_extension_at", "updated_at"]))
        return bid, extension

    @staticmethod
    def _accept_sealed(ctx: BidContext, meta: BidOrigin, amount: Decimal) -> Bid:
        """After the fallback: the amount is sealed like a quote until the close opens it. No
        best to update (nobody may see it) and no anti-sniping (nobody can react to it)."""
        token, commitment = seal({"lines": [], "total": str(amount), "criteria": {}, "terms": "",
                                  "valid_until": None})
        bid = new_bid(ctx, meta, sealed_payload=token, sealed_commitment=commitment)
        ctx.rfq.bid_count += 1
        ctx.write(update_statement(ctx.rfq, ["bid_count", "updated_at"]))
        return bid

    @staticmethod
    def _extend(rfq: RFQ, now: datetime) -> Extension | None:
        """Anti-sniping, in the transaction that accepts the bid."""
        tier = active_tier(rfq.auction_settings, (rfq.bidding_deadline - now).total_seconds(), rfq.extensions)
        if tier is None:
            return None
        old = rfq.bidding_deadline
        rfq.bidding_deadline = old + timedelta(seconds=tier["extension_seconds"])
        rfq.extensions += 1
        rfq.deadline_version += 1
        rfq.last_extension_at = now
        return Extension(old, rfq.bidding_deadline, rfq.extensions, tier["max_extensions"])

    def withdrawn(self, rfq: RFQ, bid: Bid) -> None:
        # The previous best comes back: the lowest standing bid, earliest first (on the bid's
        # line, under per-line bidding). Sealed bids after a fallback have no amount until the
        # close opens them.
        standing = Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED, amount__isnull=False)
        if bid.line_item_id is not None:
            best = standing.filter(line_item_id=bid.line_item_id).order_by("amount", "submitted_at", "id").first()
            line = LineItem.objects.get(pk=bid.line_item_id)
            line.best_amount, line.best_bid = (best.amount, best) if best else (None, None)
            line.bid_count = max(0, line.bid_count - 1)
            line.save(update_fields=["best_amount", "best_bid", "bid_count"])
            rfq.bid_count = max(0, rfq.bid_count - 1)
            rfq.save(update_fields=["bid_count", "updated_at"])
            return
        best = standing.order_by("amount", "submitted_at", "id").first()
        rfq.best_amount, rfq.best_bid = (best.amount, best) if best else (None, None)
        rfq.bid_count = max(0, rfq.bid_count - 1)
        rfq.save(update_fields=["best_amount", "best_bid", "bid_count", "updated_at"])

    def audit_payload(self, bid: Bid) -> dict[str, Any]:
        if bid.sealed_payload:  # placed after the fallback: the commitment, never the amount
            return {"bid_id": bid.pk, "supplier_id": bid.supplier_id, "supplier": bid.supplier.name,
                    "version": bid.version, "commitment": bid.sealed_commitment}
        payload = {"bid_id": bid.pk, "supplier_id": bid.supplier_id, "supplier": bid.supplier.name,
                   "version": bid.version, "amount": str(bid.amount)}
        if bid.line_item_id is not None:
            payload["line_item_id"] = bid.line_item_id
        return payload


def _amount(ctx: BidContext) -> Decimal:
    """The bid's amount: the rules (amount_format) have refused an attempt without one."""
    money = ctx.draft.amount
    if money is None or money.value is None:
        raise ValueError("A reverse-auction bid reached accept() without an amount.")
    return money.value


def extension_tiers(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The anti-sniping tiers, widest trigger first; the standard preset is one tier."""
    tiers = settings.get("extension_tiers") or []
    if not tiers and settings.get("extension_trigger_minutes"):
        tiers = [{"trigger_seconds": settings["extension_trigger_minutes"] * 60,
                  "extension_seconds": settings["extension_duration_minutes"] * 60,
                  "max_extensions": settings["max_extensions"],
                  "cool_down_seconds": settings.get("cool_down_seconds", 0)}]
    return sorted(tiers, key=lambda tier: -tier["trigger_seconds"])


def active_tier(settings: dict[str, Any], remaining_seconds: float,
                extensions: int | None = None) -> dict[str, Any] | None:
    """The tightest tier whose trigger window contains the time left, if any. Given the
    auction's `extensions` so far: the tightest such tier that still has extensions left, so a
    spent tight tier gives way to the wider ones around it (the last 30 s are also in the last
    2 and 5 minutes: a bid there must never extend less readily than one a minute earlier)."""
    inside = [tier for tier in extension_tiers(settings) if 0 < remaining_seconds <= tier["trigger_seconds"]
              and (extensions is None or extensions < tier["max_extensions"])]
    return inside[-1] if inside else None


def extensions_cap(settings: dict[str, Any]) -> int | None:
    """How many extensions the auction allows in all: the most any tier allows."""
    tiers = extension_tiers(settings)
    return max(tier["max_extensions"] for tier in tiers) if tiers else settings.get("max_extensions")


def minimum_next_bid(settings: dict[str, Any], best: Decimal, digits: int) -> Decimal:
    """The highest amount that still beats `best` by the minimum decrement.

    Rounded down to the currency's minor unit, so a bid exactly at the limit is accepted
    and no rounding ever lets a smaller decrement through.
    """
    step = Decimal(settings["minimum_decrement"])
    if settings["decrement_type"] == "PERCENTAGE":
        step = best * step / 100
    return round_money(best - step, digits, rounding=ROUND_DOWN)
