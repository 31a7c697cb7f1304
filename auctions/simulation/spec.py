"""From a stored Simulation to the engine's Spec, and what the phantom auctions copy from the RFQ."""
from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from auctions.mechanisms import get_mechanism
from common.money import currency_decimals

from .engine import Spec
from .phantoms import Reserve


def assumptions_for(rfq, auction_types: list[str]) -> dict:
    """What the phantom auctions take from the RFQ as configured now: each simulated format's
    settings (the RFQ's own for its type when they are valid, else the defaults), the reserve
    and its visibility, the category's name. Stored with the simulation so a task — or anyone
    later — replays it with the RFQ as it was."""
    settings, notes = {}, []
    for auction_type in auction_types:
        mechanism = get_mechanism(auction_type)
        own = rfq.auction_settings if rfq.auction_type == auction_type else {}
        try:
            settings[auction_type] = mechanism.validate_settings(own)
        except serializers.ValidationError:
            settings[auction_type] = mechanism.default_settings()
            notes.append(f"The RFQ's {mechanism.label.lower()} settings are not valid yet; the defaults were used.")
        if rfq.auction_type != auction_type:
            notes.append(f"{mechanism.label}: the RFQ is not one, so its default settings were used.")
    reserve = None
    if rfq.reserve_enabled and rfq.reserve_amount is not None:
        reserve = {"amount": f"{rfq.reserve_amount.normalize():f}", "visibility": rfq.reserve_visibility}
    return {"settings": settings, "reserve": reserve, "category": rfq.category.name, "notes": notes}


def spec_for(simulation, *, every_bid: bool = False) -> Spec:
    assumptions = simulation.assumptions
    reserve = assumptions.get("reserve")
    return Spec(
        baseline=simulation.baseline_total, spread=simulation.cost_spread, bidders=simulation.bidders,
        runs=simulation.runs, seed=simulation.seed, formats=simulation.formats, currency=simulation.currency,
        digits=currency_decimals(simulation.currency), settings=assumptions.get("settings", {}),
        reserve=Reserve(Decimal(reserve["amount"]), reserve["visibility"]) if reserve else None,
        category=assumptions.get("category", ""), every_bid=every_bid)
