"""A BidContext over plain objects, for unit tests of single rules (no database)."""
from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from auctions.drafts import BidDraft, LineInput, MoneyInput
from auctions.rules import REGISTRY, BidContext

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
REVERSE_SETTINGS = {"starting_price": "10000.00", "minimum_decrement": "100.00", "decrement_type": "AMOUNT",
                    "extension_trigger_minutes": 5, "extension_duration_minutes": 3, "max_extensions": 10,
                    "cool_down_seconds": 0, "rate_limit_bids_per_minute": 6, "show_leading_bid": True,
                    "extension_tiers": []}


def auction(*, auction_type="REVERSE_AUCTION", settings=None, status="open", best=None, currency="USD",
            deadline_in=datetime.timedelta(days=1), opens_at=None, reserve=None, **extra):
    defaults = REVERSE_SETTINGS if auction_type == "REVERSE_AUCTION" else {}
    return SimpleNamespace(
        pk=1, auction_type=auction_type, auction_settings={**defaults, **(settings or {})}, status=status,
        best_amount=None if best is None else Decimal(best), currency=currency,
        bidding_deadline=NOW + deadline_in, bidding_opens_at=opens_at,
        reserve_enabled=reserve is not None, reserve_amount=None if reserve is None else Decimal(reserve[0]),
        reserve_visibility=reserve[1] if reserve else "hidden",
        get_status_display=lambda: status.replace("_", " ").capitalize(), **extra)


def bid_at(seconds_ago: float, *, status="accepted", withdrawn=False, pk=None):
    return SimpleNamespace(pk=pk, status=status, submitted_at=NOW - datetime.timedelta(seconds=seconds_ago),
                           withdrawn_at=NOW if withdrawn else None)


def context(rfq=None, *, amount=None, lines=None, criteria=None, currency=None, valid_until=None,
            own_bids=(), quantities=None, action="place", bid=None, **cached) -> BidContext:
    """`amount` as sent (str); `lines` as {line_item_id: unit price str}; cached properties
    (own_bids, quantities, invitation_status) are given instead of read from the database."""
    draft = BidDraft(amount=None if amount is None else MoneyInput.parse(amount),
                     lines=[LineInput(item, MoneyInput.parse(price)) for item, price in (lines or {}).items()],
                     criteria=criteria or {}, valid_until=valid_until, currency=currency)
    ctx = BidContext(rfq=rfq or auction(), supplier=SimpleNamespace(pk=7), user=None, now=NOW, action=action,
                     draft=draft, bid=bid)
    ctx.__dict__["own_bids"] = list(own_bids)
    ctx.__dict__["quantities"] = {k: Decimal(v) for k, v in (quantities or {1: "40", 2: "20"}).items()}
    ctx.__dict__.update(cached)
    return ctx


def check(rule_id: str, ctx) -> list:
    """The violations one rule finds in the context."""
    return REGISTRY[rule_id].run(ctx)


def messages(rule_id: str, ctx) -> list[str]:
    return [v.message for v in check(rule_id, ctx)]
