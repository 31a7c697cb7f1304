"""Auction mechanisms, one module per type, registered by type.

Adding a type: write a module with a Mechanism subclass decorated with @register and
import it here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from common.errors import flatten_field_errors

from . import combinatorial, multi_attribute, reverse, sealed_bid  # noqa: F401  (registration)
from .base import REGISTRY, Mechanism

if TYPE_CHECKING:
    from auctions.types import RFQ


def get_mechanism(auction_type: str) -> Mechanism:
    try:
        return REGISTRY[auction_type]
    except KeyError:
        raise serializers.ValidationError(
            f"Unknown auction type \"{auction_type}\"; choose one of {', '.join(sorted(REGISTRY))}."
        ) from None


def collects_sealed(rfq: RFQ) -> bool:
    """Bids are sealed until close: a sealed mechanism, or a reverse auction switched over."""
    return get_mechanism(rfq.auction_type).sealed or rfq.sealed_fallback_at is not None


def bids_per_line(rfq: RFQ) -> bool:
    """A reverse auction run per line (lots): each line its own best, ranks and decrement."""
    return rfq.auction_type == "REVERSE_AUCTION" and (rfq.auction_settings or {}).get("bidding_basis") == "PER_LINE"


def settings_problems(auction_type: str, raw: dict[str, Any]) -> list[str]:
    """Readable reasons why stored settings are not a valid configuration (empty if valid)."""
    try:
        get_mechanism(auction_type).validate_settings(raw)
    except serializers.ValidationError as exc:
        return [f"Auction setting {name}: {' '.join(msgs)}" if name != "non_field_errors" else " ".join(msgs)
                for name, msgs in flatten_field_errors(exc.detail).items()]
    return []
