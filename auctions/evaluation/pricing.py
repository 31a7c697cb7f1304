"""What the winner is paid (product.md §4.1): FIRST_PRICE pays as bid; SECOND_PRICE (Vickrey)
pays the second-lowest valid total, i.e. the lowest total among the other quotes it competed
with, and never less than the winner's own total. A lone bid is paid its own total. With a
reserve, the reserve is the buyer's best alternative, so the payment never exceeds it (the
usual Vickrey-with-reserve rule; the winner is within the reserve when there is a winner).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

PRICING_RULES = ("FIRST_PRICE", "SECOND_PRICE")


def winner_payment(rule: str, winner_total: Decimal, other_totals: Iterable[Decimal],
                   reserve: Decimal | None = None) -> Decimal:
    if rule not in PRICING_RULES:
        raise ValueError(f"pricing must be one of {', '.join(PRICING_RULES)}; got {rule!r}.")
    others = list(other_totals) + ([reserve] if reserve is not None else [])
    if rule == "FIRST_PRICE" or not others:
        return winner_total
    return max(winner_total, min(others))
