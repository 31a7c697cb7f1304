"""Reserve price (product.md §4.4): met / not met / no bids, and the gap.

In procurement the reserve is the most the buyer will pay: it is met when the best total
is at or below it. The gap is best total − reserve, positive when above the reserve.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from .quotes import decimal_string


def as_decimal(amount: Decimal | str) -> Decimal:
    if isinstance(amount, Decimal):
        return amount
    if isinstance(amount, str):
        return Decimal(amount)
    raise TypeError(f"A reserve amount is a Decimal or a decimal string, not {type(amount).__name__}.")


def reserve_status(enabled: bool, amount: Decimal | str | None, best_total: Decimal | None) -> dict[str, Any]:
    """`{applicable, met, gap, status}`; status is "met", "not_met", "no_bids" or "not_applicable"."""
    if not enabled:
        return {"applicable": False, "met": None, "gap": None, "status": "not_applicable"}
    if amount is None:
        raise ValueError("An enabled reserve needs an amount.")
    if best_total is None:
        return {"applicable": True, "met": None, "gap": None, "status": "no_bids"}
    gap = best_total - as_decimal(amount)
    met = gap <= 0
    return {"applicable": True, "met": met, "gap": decimal_string(gap), "status": "met" if met else "not_met"}
