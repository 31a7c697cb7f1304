"""The interface every auction mechanism implements, and the registry of mechanisms."""
from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rest_framework import serializers

if TYPE_CHECKING:
    from auctions.drafts import BidDraft
    from auctions.models import Bid
    from auctions.rules.context import BidContext
    from auctions.types import RFQ


@dataclass(frozen=True)
class Extension:
    """An anti-sniping extension granted by an accepted bid."""

    old_deadline: datetime
    new_deadline: datetime
    number: int
    max_extensions: int


class BidOrigin(Protocol):
    """Where a bid came from, as the bid row records it (common.request_meta.RequestMeta)."""

    @property
    def ip(self) -> str | None: ...

    @property
    def user_agent(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...


class BidInput(Protocol):
    """A mechanism's bid input (auctions/serializers.py): a DRF serializer of the request body
    that turns the validated body into the attempt."""

    def __init__(self, *, data: object) -> None: ...

    def is_valid(self, *, raise_exception: bool = False) -> bool: ...

    def to_draft(self) -> BidDraft: ...


class CommonSettings(serializers.Serializer[Any]):
    """Settings every auction type has."""

    # api.md "Signed bids": unsigned bids are refused (rule bid_signature).
    require_signed_bids = serializers.BooleanField(default=False)


class Mechanism:
    """One auction type: its settings, how it takes bids, how it is evaluated.

    Subclasses declare their settings and bid input as DRF serializers and implement
    `accept` (inside the bid transaction, on the locked auction row) and `withdrawn`.
    """

    type: ClassVar[str]
    label: ClassVar[str]
    settings_serializer: ClassVar[builtins.type[serializers.Serializer[Any]]]
    bid_input: ClassVar[builtins.type[BidInput]]
    # Sealed mechanisms keep prices encrypted until close.
    sealed: ClassVar[bool] = False

    def parse_bid(self, data: object) -> BidDraft:
        """The request body as a BidDraft; 400 for a body of the wrong shape."""
        serializer = self.bid_input(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.to_draft()

    def accept(self, ctx: BidContext, meta: BidOrigin) -> tuple[Bid, Extension | None]:
        """The bid and the locked auction row's new state, written through `ctx.write` (sent in one
        batch with the audit event); return the bid and any extension."""
        raise NotImplementedError

    def withdrawn(self, rfq: RFQ, bid: Bid) -> None:
        """Bring the locked auction row up to date after `bid` was withdrawn."""
        raise NotImplementedError

    def audit_payload(self, bid: Bid) -> dict[str, Any]:
        """What the audit trail records of an accepted bid (never a sealed price)."""
        raise NotImplementedError

    def validate_settings(self, raw: object) -> dict[str, Any]:
        """Complete `raw` with the defaults and validate; return JSON-ready settings.

        Raises serializers.ValidationError with per-field messages.
        """
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise serializers.ValidationError({"settings": ["Settings must be a JSON object."]})
        unknown = sorted(set(raw) - set(self.settings_serializer().fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [f"Unknown setting for {self.label}."] for name in unknown})
        serializer = self.settings_serializer(data=raw)
        serializer.is_valid(raise_exception=True)
        # Round-trip through the output side so decimals are stored as strings.
        return dict(self.settings_serializer(serializer.validated_data).data)

    def default_settings(self) -> dict[str, Any]:
        return self.validate_settings({})


REGISTRY: dict[str, Mechanism] = {}


def register(mechanism_class: type[Mechanism]) -> type[Mechanism]:
    """Register an auction type (a class decorator); a type registers once."""
    if mechanism_class.type in REGISTRY:
        raise ValueError(f"Auction type {mechanism_class.type} is registered twice")
    REGISTRY[mechanism_class.type] = mechanism_class()
    return mechanism_class
