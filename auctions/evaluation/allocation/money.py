"""Exact scaling of decimal prices to integers (the solver sees integers only)."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal

# Enough digits that multiplying a price by a power of ten or a quantity never rounds.
EXACT = Context(prec=80)


def decimal_places(prices: Iterable[Decimal]) -> int:
    """The fewest decimal places that write every price exactly ("10.50" and "3.1" → 2)."""
    places = 0
    for price in prices:
        if not price.is_finite():
            raise ValueError(f"Price {price} is not a finite amount.")
        exponent = price.normalize(EXACT).as_tuple().exponent
        places = max(places, -int(exponent))
    return places


def to_units(price: Decimal, places: int) -> int:
    """The price in units of 10**-places, exactly."""
    scaled = EXACT.multiply(price, Decimal(10) ** places)
    assert scaled == scaled.to_integral_value(), (price, places)
    return int(scaled)


def from_units(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places, EXACT)


def exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        total = EXACT.add(total, amount)
    return total
