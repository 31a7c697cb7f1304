"""Specs for engine tests, without the database."""
from __future__ import annotations

from decimal import Decimal

from auctions.mechanisms import get_mechanism
from auctions.simulation.engine import Spec
from auctions.simulation.phantoms import Reserve

ALL_FORMATS = [("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "SECOND_PRICE"), ("REVERSE_AUCTION", "FIRST_PRICE")]


def spec(*, runs=300, bidders=6, seed=42, formats=ALL_FORMATS, baseline="12000.00", spread="0.15", reserve=None,
         reverse=None, **extra) -> Spec:
    """reserve: (amount, visibility); reverse: reverse-auction settings over the defaults."""
    settings = {"SEALED_BID": get_mechanism("SEALED_BID").default_settings(),
                "REVERSE_AUCTION": get_mechanism("REVERSE_AUCTION").validate_settings(reverse or {})}
    return Spec(Decimal(baseline), Decimal(spread), bidders, runs, seed, list(formats), "USD", 2, settings=settings,
                reserve=Reserve(Decimal(reserve[0]), reserve[1]) if reserve else None, **extra)


def by_format(results: list[dict]) -> dict:
    return {(r["auction_type"], r["pricing"]): r for r in results}
