"""Every quote of a run, its prices and the moment it is sent, fixed before the burst (seeded)."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
REVISION_FACTOR = Decimal("0.97")  # a revision undercuts the supplier's own first quote by 3 %
LATE_FACTOR = Decimal("0.95")
LATE_SPAN = (0.05, 2.0)  # late quotes are sent this many seconds after the deadline (while the close runs)


@dataclass(frozen=True)
class Submission:
    """One POST /bids/ the burst sends: a supplier's first quote or its revision."""

    n: int  # index in the plan (the order of `at`)
    supplier: int  # the supplier's index among the bench suppliers
    token: str
    kind: str  # "first", "revision" or "late" (a revision sent after the deadline: must be refused)
    at: float  # when to send, epoch seconds
    prices: tuple[str, ...]  # unit price per line, in line order
    total: str  # Σ quantity × unit price, what the opening must reveal
    key: str  # Idempotency-Key (a retry after a lost answer sends the same one)


def unit_prices(rng: random.Random, lines: int) -> list[Decimal]:
    """A supplier's prices: each line's list price 10.00 … 200.00 (by line), ±20 % per supplier."""
    return [(Decimal(10 + (190 * j) // max(1, lines - 1)) * Decimal(str(round(rng.uniform(0.8, 1.2), 4))))
            .quantize(CENT) for j in range(lines)]


def quote_total(prices: list[Decimal], quantities: list[Decimal]) -> Decimal:
    return sum((q * p for q, p in zip(quantities, prices, strict=True)), Decimal(0)).quantize(CENT)


def make_plan(tokens: list[str], quantities: list[Decimal], *, deadline: float, window: float, tail: float,
              revise: float, late: int, seed: int) -> list[Submission]:
    """One first quote per supplier at a random moment in [deadline − window, deadline − tail];
    a fraction `revise` of them (chosen at random) revise once, 3 % lower: their first quote in
    the first half of that span, the revision in the second half. `late` other suppliers try a
    revision (5 % lower) just after the deadline, while the close runs: each must be refused."""
    rng = random.Random(seed)
    start, span = deadline - window, window - tail
    chosen = rng.sample(range(len(tokens)), min(len(tokens), round(revise * len(tokens)) + late))
    revisers, laters = set(chosen[late:]), set(chosen[:late])
    plan: list[tuple[float, int, str, list[Decimal]]] = []
    for i in range(len(tokens)):
        prices = unit_prices(rng, len(quantities))
        if i in revisers:
            plan.append((start + rng.uniform(0, span / 2), i, "first", prices))
            plan.append((start + rng.uniform(span / 2, span), i, "revision",
                         [(p * REVISION_FACTOR).quantize(CENT) for p in prices]))
        else:
            plan.append((start + rng.uniform(0, span), i, "first", prices))
        if i in laters:
            plan.append((deadline + rng.uniform(*LATE_SPAN), i, "late", [(p * LATE_FACTOR).quantize(CENT) for p in prices]))
    plan.sort(key=lambda item: item[0])
    return [Submission(n=n, supplier=i, token=tokens[i], kind=kind, at=at, prices=tuple(str(p) for p in prices),
                       total=str(quote_total(prices, quantities)), key=f"sealed-burst-{uuid.uuid4()}")
            for n, (at, i, kind, prices) in enumerate(plan)]


def quote_body(submission: Submission, line_ids: list[int], valid_until: str) -> dict:
    """The sealed quote's body (api.md "Bids"): every line priced, valid past the deadline."""
    return {"line_items": [{"line_item_id": line_id, "unit_price": price}
                           for line_id, price in zip(line_ids, submission.prices, strict=True)],
            "valid_until": valid_until, "terms": "Delivery alongside within 14 days (bench quote)."}
