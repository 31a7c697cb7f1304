"""Synthetic bid streams for the gaming detectors: an honest auction and one per pattern."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from oversight.gaming.base import AuctionFacts, BidFact

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(hours=2)
NAMES = {1: "Poseidon", 2: "Triton", 3: "Nereus", 4: "Proteus"}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fact(bid_id: int, supplier: int, amount, seconds: float, **fields) -> BidFact:
    """A bid from the supplier's own office and device unless told otherwise."""
    return BidFact(id=bid_id, supplier_id=supplier, supplier_name=NAMES[supplier],
                   amount=None if amount is None else Decimal(amount), at=at(seconds),
                   ip=fields.pop("ip", f"203.0.113.{supplier}"), fingerprint=fields.pop("fingerprint", f"fp-{supplier}"),
                   user_agent=fields.pop("user_agent", f"Browser/{supplier}"), **fields)


def stream(bids, deadline=DEADLINE) -> AuctionFacts:
    return AuctionFacts(rfq_id=1, bids=sorted(bids, key=lambda b: (b.at, b.id)), deadlines=[deadline])


# An honest reverse auction: four suppliers, irregular turns, pauses and price steps, every
# bid beating the best so far, nothing near the deadline.
HONEST_ORDER = [1, 2, 3, 1, 4, 2, 3, 1, 2, 4, 3, 1]
HONEST_GAPS = [0, 37, 81, 20, 140, 66, 12, 95, 44, 210, 25, 73]
HONEST_STEPS = [0, 150, 220, 90, 310, 130, 175, 260, 105, 140, 200, 120]


def honest_bids() -> list[BidFact]:
    bids, seconds, amount = [], 0, Decimal("10000")
    for n, (supplier, gap, step) in enumerate(zip(HONEST_ORDER, HONEST_GAPS, HONEST_STEPS, strict=True), start=1):
        seconds, amount = seconds + gap, amount - step
        bids.append(fact(n, supplier, amount, seconds))
    return bids  # ends at 803 s, 8100


def on(bids, supplier: int, **fields) -> list[BidFact]:
    """The stream with `supplier`'s bids changed (e.g. sent from another IP)."""
    return [replace(b, **fields) if b.supplier_id == supplier else b for b in bids]
