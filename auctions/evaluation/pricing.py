"""What the winner is paid (product.md §4.1): FIRST_PRICE pays as bid; SECOND_PRICE (Vickrey)
pays the second-lowest valid total, i.e. the lowest total among the other quotes it competed
with, and never less than the winner's own total. A lone bid is paid its own total.

`reserve`: a reserve the suppliers were shown (disclosed, or disclosed as the starting price)
is the buyer's best alternative, so the payment never exceeds it, and a lone bid is paid the
reserve (the usual Vickrey-with-reserve rule). A hidden reserve is never passed here: it
decides only whether there is a winner, since a payment set by it would tell the winner its
amount (product.md §4.4: a hidden reserve is never shown to suppliers).
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
