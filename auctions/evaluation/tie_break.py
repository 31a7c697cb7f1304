"""Tie-breaking (product.md §4.4): an ordered chain of criteria, then a final fallback.

Chain criteria, each applied only among quotes still tied on every earlier one:
- earliest_submission: earlier `submitted_at` first;
- higher_tier: GOLD > SILVER > BRONZE > PENDING;
- better_performance: higher performance score first;
- closer_to_port: smaller great-circle distance first, unknown distance last;
- more_items_quoted: more line items priced first.
Final fallback for quotes still tied after the chain:
- random: the draw is `random.Random(seed).shuffle(ids)` over the tied bid ids sorted
  ascending, one draw per still-tied set, so it replays exactly from the recorded seed;
- manual_selection: no automatic order; the tied quotes share one place and the buyer chooses;
- split_award: the tied quotes share one place and, at the top, share the award.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .quotes import TIERS, Quote

CHAIN_KEYS: dict[str, Callable[[Quote], Any]] = {  # smaller key = better
    "earliest_submission": lambda q: q.submitted_at,
    "higher_tier": lambda q: TIERS.index(q.tier),
    "better_performance": lambda q: -q.performance_score,
    "closer_to_port": lambda q: (q.port_distance_km is None, q.port_distance_km or 0.0),
    "more_items_quoted": lambda q: -q.items_quoted,
}
FALLBACKS = ("random", "manual_selection", "split_award")


@dataclass(frozen=True)
class TieBreakResult:
    # Places best first. A place holds several quotes only when manual_selection or
    # split_award left them tied; with random every place holds one quote.
    places: list[list[Quote]]
    applied: bool  # there was a tie to break (two or more quotes)
    decided_by: str | None  # the chain criterion that singled out the top, or the fallback's name
    seed: int | None  # set when a random draw was made
    tied_bid_ids: list[int]
    draws: list[list[int]] = field(default_factory=list)  # each draw's resulting bid-id order

    @property
    def ordered(self) -> list[Quote]:
        return [q for place in self.places for q in place]


def validate_chain(criteria: Sequence[str], final_fallback: str) -> None:
    unknown = [c for c in criteria if c not in CHAIN_KEYS]
    if unknown or len(set(criteria)) != len(criteria):
        raise ValueError(f"Tie-break criteria must be distinct names from {', '.join(CHAIN_KEYS)}; got {list(criteria)}.")
    if final_fallback not in FALLBACKS:
        raise ValueError(f"final_fallback must be one of {', '.join(FALLBACKS)}; got {final_fallback!r}.")


def _split(group: list[Quote], key: Callable[[Quote], Any]) -> list[list[Quote]]:
    """The group cut into runs of equal key, best key first (bid-id order inside a run)."""
    runs: dict[Any, list[Quote]] = {}
    for q in group:
        runs.setdefault(key(q), []).append(q)
    return [runs[k] for k in sorted(runs)]


def draw(bid_ids: Sequence[int], seed: int) -> list[int]:
    """The replayable random order of tied bids: shuffle of the ids sorted ascending."""
    order = sorted(bid_ids)
    random.Random(seed).shuffle(order)
    return order


def break_ties(tied: Sequence[Quote], criteria: Sequence[str], final_fallback: str, seed: int) -> TieBreakResult:
    """Order quotes whose scores tie, by the chain and then the fallback."""
    validate_chain(criteria, final_fallback)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError("seed must be an int (record it with the evaluation).")
    quotes = sorted(tied, key=lambda q: q.bid_id)
    ids = [q.bid_id for q in quotes]
    if len(quotes) <= 1:
        return TieBreakResult([[q] for q in quotes], False, None, None, ids)
    groups = [quotes]
    decided_by = None
    for name in criteria:
        groups = [run for group in groups for run in _split(group, CHAIN_KEYS[name])]
        if decided_by is None and len(groups[0]) == 1:
            decided_by = name
    places, draws = [], []
    for group in groups:
        if len(group) == 1:
            places.append(group)
        elif final_fallback == "random":
            order = draw([q.bid_id for q in group], seed)
            draws.append(order)
            by_id = {q.bid_id: q for q in group}
            places.extend([by_id[i]] for i in order)
        else:
            places.append(group)
    return TieBreakResult(places, True, decided_by or final_fallback, seed if draws else None, ids, draws)
