"""From a stored Simulation to the engine's Spec, and what the phantom auctions copy from the RFQ."""
from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from auctions.mechanisms import get_mechanism
from common.money import currency_decimals

from .catalogue import award_mode, formats_for
from .engine import Spec
from .phantoms import Reserve


def assumptions_for(rfq, auction_types: list[str], pricing: list[str] | None = None) -> dict:
    """What the phantom auctions take from the RFQ as configured now: each simulated format's
    settings (the RFQ's own for its type when they are valid, else the defaults), its lines'
    quantities, the reserve and its visibility, the category's name. Stored with the simulation
    so a task — or anyone later — replays it with the RFQ as it was."""
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
    if rfq.auction_type == "MULTI_ATTRIBUTE":
        notes.append("A multi-attribute auction is not simulated: phantom suppliers have costs, not quality answers.")
    reserve = None
    if rfq.reserve_enabled and rfq.reserve_amount is not None:
        reserve = {"amount": f"{rfq.reserve_amount.normalize():f}", "visibility": rfq.reserve_visibility}
    lines = [max(1, int(quantity)) for quantity in rfq.line_items.order_by("position").values_list("quantity", flat=True)]
    modes = {award_mode(t, settings[t]) for t, _ in formats_for(auction_types, pricing or [], settings)}
    notes += line_notes(modes, len(lines or [1]), pricing or [])
    return {"settings": settings, "reserve": reserve, "category": rfq.category.name, "lines": lines or [1],
            "notes": notes}


def line_notes(modes: set[str], lines: int, pricing: list[str]) -> list[str]:
    """How the split and bundle formats model the lines, said where the results are shown."""
    notes = []
    if modes - {"WHOLE"}:
        notes.append(f"Split and bundle formats price the RFQ's {lines} line(s): each phantom's total cost is divided "
                     "among them around equal shares, each share varying by ± the cost spread.")
    if "SPLIT" in modes and "FIRST_PRICE" in pricing:
        notes.append("Split, pay as bid: each line's unit prices follow that line's first-price equilibrium "
                     "(exact when lines are awarded independently; an approximation under a supplier limit).")
    if "BUNDLES" in modes:
        notes.append("Bundles: each phantom offers the package of all lines at its line costs less a saving drawn "
                     "uniformly up to half the cost spread, and its cheapest lines one by one.")
        if "FIRST_PRICE" in pricing:
            notes.append("Bundles, pay as bid: no equilibrium is known in closed form; each offer carries the markup "
                         "of the whole-award first-price equilibrium at the phantom's total cost (a heuristic).")
    if modes - {"WHOLE"} and "VCG" in pricing:
        notes.append("VCG: phantoms bid their costs, a dominant strategy.")
    return notes


def spec_for(simulation, *, every_bid: bool = False) -> Spec:
    assumptions = simulation.assumptions
    reserve = assumptions.get("reserve")
    return Spec(
        baseline=simulation.baseline_total, spread=simulation.cost_spread, bidders=simulation.bidders,
        runs=simulation.runs, seed=simulation.seed, formats=simulation.formats, currency=simulation.currency,
        digits=currency_decimals(simulation.currency), settings=assumptions.get("settings", {}),
        reserve=Reserve(Decimal(reserve["amount"]), reserve["visibility"]) if reserve else None,
        category=assumptions.get("category", ""), every_bid=every_bid,
        quantities=tuple(assumptions.get("lines") or [1]))
