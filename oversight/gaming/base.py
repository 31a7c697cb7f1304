"""The one interface every gaming detector implements, and their registry.

A detector is a pure function of an auction's bids (`AuctionFacts`) and its thresholds
(settings.QUAYSIDE["GAMING"][name]) returning the patterns it found. It touches no database,
so the same code runs on stored bids and on synthetic streams in tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from audit.models import AlertSeverity


@dataclass(frozen=True)
class BidFact:
    """What detection needs to know of one bid (withdrawn ones included)."""

    id: int
    supplier_id: int
    supplier_name: str
    amount: Decimal | None  # None: a sealed quote not yet opened
    at: datetime
    ip: str | None = None
    fingerprint: str = ""
    user_agent: str = ""
    status: str = "accepted"
    withdrawn_at: datetime | None = None

    def evidence(self) -> dict:
        """The bid as an alert's evidence shows it."""
        row = {"id": self.id, "supplier_id": self.supplier_id, "supplier": self.supplier_name,
               "amount": None if self.amount is None else str(self.amount), "at": self.at.isoformat(),
               "ip": self.ip, "fingerprint": self.fingerprint, "user_agent": self.user_agent}
        if self.withdrawn_at is not None:
            row["withdrawn_at"] = self.withdrawn_at.isoformat()
        return row


@dataclass(frozen=True)
class AuctionFacts:
    rfq_id: int
    bids: list[BidFact]  # in submission order
    # Every deadline the auction had: the original, each anti-sniping extension, the current.
    deadlines: list[datetime] = field(default_factory=list)

    @property
    def priced(self) -> list[BidFact]:
        return [b for b in self.bids if b.amount is not None]


@dataclass(frozen=True)
class Finding:
    """One instance of a pattern; `key` identifies it across scans (the alert's upsert key)."""

    key: str
    severity: str
    summary: str
    supplier_ids: list[int]
    evidence: dict


Detect = Callable[[AuctionFacts, dict], list[Finding]]
DETECTORS: dict[str, Detect] = {}


def detector(name: str) -> Callable[[Detect], Detect]:
    """Register a detector under `name` (the alert's `detector` and its settings key)."""
    def register(detect: Detect) -> Detect:
        if name in DETECTORS:
            raise ValueError(f"Gaming detector {name} is registered twice")
        DETECTORS[name] = detect
        return detect
    return register


def bids_evidence(bids) -> list[dict]:
    return [b.evidence() for b in bids]


def pct(part: Decimal, whole: Decimal) -> float:
    """`part` as a percentage of `whole`, rounded so stored evidence compares stably."""
    return round(float(part / whole * 100), 4)


__all__ = ["AlertSeverity", "AuctionFacts", "BidFact", "DETECTORS", "Finding", "bids_evidence", "detector", "pct"]
