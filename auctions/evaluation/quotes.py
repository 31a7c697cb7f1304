"""The plain-data view of a quote that evaluation works on, and great-circle distance.

The caller (the evaluation service) loads bids, suppliers and ports and builds one `Quote`
per supplier (its latest valid version); everything in this package is pure over these.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Context, Decimal

# Supplier tiers from best to worst (suppliers.models.Tier); higher_tier prefers the first.
TIERS: tuple[str, ...] = ("GOLD", "SILVER", "BRONZE", "PENDING")

# Mean Earth radius (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088

CriterionValue = float | bool | int

# Fixed context so Decimal arithmetic never depends on the caller's thread-local context.
DECIMAL_CONTEXT = Context(prec=34)


def decimal_string(value: Decimal) -> str:
    """A Decimal as a plain decimal string ("1234.50"), never in exponent notation."""
    return f"{value:f}"


@dataclass(frozen=True)
class Quote:
    """One supplier's quote as evaluation sees it. Money is Decimal, never float."""

    bid_id: int
    supplier_id: int
    supplier_name: str
    total: Decimal
    submitted_at: datetime
    # Multi-attribute responses by criterion id (not part of the hash: a dict is unhashable).
    criteria: dict[str, CriterionValue] = field(default_factory=dict, hash=False)
    tier: str = "PENDING"
    performance_score: Decimal = Decimal("0")
    # Great-circle km from the supplier's nearest served port to the delivery port; None when
    # the supplier serves no port with known coordinates.
    port_distance_km: float | None = None
    items_quoted: int = 1
    items_total: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.total, Decimal) or not self.total.is_finite():
            raise TypeError(f"Quote {self.bid_id}: total must be a finite Decimal, not {self.total!r}.")
        if self.total <= 0:
            raise ValueError(f"Quote {self.bid_id}: total must be positive, not {self.total}.")
        if not isinstance(self.performance_score, Decimal):
            raise TypeError(f"Quote {self.bid_id}: performance_score must be a Decimal.")
        if self.tier not in TIERS:
            raise ValueError(f"Quote {self.bid_id}: unknown tier {self.tier!r}; one of {', '.join(TIERS)}.")
        if not 0 <= self.items_quoted <= self.items_total:
            raise ValueError(f"Quote {self.bid_id}: items_quoted must lie between 0 and items_total.")

    @property
    def complete(self) -> bool:
        """True when the quote prices every line item of the RFQ."""
        return self.items_quoted == self.items_total


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # min() guards against h creeping above 1 by rounding for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
