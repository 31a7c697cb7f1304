"""The evaluation of a closed RFQ (api.md "Evaluation, award"): rankings, recommendation,
reserve, tie-break and pricing, computed from the quotes and the settings alone.

Order of a ranking:
1. Complete quotes before partial ones (a partial quote prices fewer line items, so its total
   is not comparable). Each group is scored only against itself, so a partial quote can never
   shift the scores of the complete ones; its breakdown says so under "_coverage".
2. By score, highest first. Scores within TIE_TOLERANCE of a neighbour form one tie group
   (chained, so float noise can never split quotes that are mathematically equal).
3. Inside a tie group, Pareto dominance first: a quote that dominates another (at least as
   good on price and every criterion, whatever its weight, strictly better on one) is never
   placed below it. Then the tie-break chain and its fallback (tie_break.py).

Recommendation: the best-placed quote whose total is within the reserve (all are, when there
is no reserve). None — and the outcome NO_AWARD, which the buyer sees — when there are no
quotes or the reserve is not met; None with MANUAL_SELECTION when the buyer must choose among
tied quotes; with SPLIT_AWARD every tied quote in `recommended_bid_ids` shares the award.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .criteria import Criterion, canonical, parse_criteria
from .dominance import dominance_layers
from .pricing import PRICING_RULES, winner_payment
from .quotes import Quote, decimal_string
from .reserve import as_decimal, reserve_status
from .scoring import Criteria, Score, ahp, price_scores, topsis, weighted_sum
from .tie_break import break_ties, validate_chain

METHODS = ("PRICE", "WEIGHTED_SUM", "TOPSIS", "AHP")
OUTCOMES = ("AWARD", "SPLIT_AWARD", "MANUAL_SELECTION", "NO_AWARD")
TIE_TOLERANCE = 1e-9
DEFAULT_TIE_BREAKING = {"criteria": ["earliest_submission"], "final_fallback": "random"}
NO_RESERVE = {"enabled": False, "amount": None}


@dataclass(frozen=True)
class Evaluation:
    method: str
    rankings: list[dict[str, Any]]
    recommended_bid_id: int | None
    reserve: dict[str, Any]
    tie_break: dict[str, Any]
    pricing: dict[str, Any]
    outcome: str  # one of OUTCOMES
    recommended_bid_ids: list[int] = field(default_factory=list)  # several only for SPLIT_AWARD
    tie_groups: list[dict[str, Any]] = field(default_factory=list)  # every score tie and how it was broken
    # Split and bundle awards: the recommended allocation as the API shows it (api.md "Split
    # and bundle awards"); None for an award to one bid.
    allocation: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The evaluation as the API shows it: an allocation's keys sit beside the ranking's."""
        data = dataclasses.asdict(self)
        allocation = data.pop("allocation")
        return {**data, **allocation} if allocation is not None else data


@dataclass(frozen=True)
class _Group:
    """Quotes whose scores tie (or a lone quote), resolved into places."""

    quotes: list[Quote]
    places: list[list[Quote]]
    decided_by: str | None
    seed: int | None

    def summary(self, decided_by: str | None = None) -> dict[str, Any]:
        if len(self.quotes) == 1 and decided_by is None:
            return {"applied": False, "decided_by": None}
        info: dict[str, Any] = {"applied": True, "decided_by": decided_by or self.decided_by,
                "tied_bid_ids": sorted(q.bid_id for q in self.quotes)}
        if self.seed is not None:
            info["seed"] = self.seed
        return info


def _scores(method: str, pool: list[Quote], criteria: tuple[Criterion, ...], price_weight: float,
            pairwise_weights: Mapping[str, float] | None) -> dict[int, Score]:
    if method == "PRICE":
        scores = price_scores(pool)
    elif method == "WEIGHTED_SUM":
        scores = weighted_sum(pool, criteria, price_weight)
    elif method == "TOPSIS":
        scores = topsis(pool, criteria, price_weight)
    else:
        if pairwise_weights is None:
            raise ValueError("AHP needs the stored pairwise weights (settings['pairwise']['weights']).")
        scores = ahp(pool, criteria, pairwise_weights)
    return {s.bid_id: s for s in scores}


def _score_groups(pool: list[Quote], scores: dict[int, Score]) -> list[list[Quote]]:
    ordered = sorted(pool, key=lambda q: (-scores[q.bid_id].value, q.bid_id))
    groups = [[ordered[0]]]
    for previous, quote in zip(ordered, ordered[1:], strict=False):
        if scores[previous.bid_id].value - scores[quote.bid_id].value <= TIE_TOLERANCE:
            groups[-1].append(quote)
        else:
            groups.append([quote])
    return groups


def _resolve(group: list[Quote], criteria: Sequence[Criterion], chain: Sequence[str], fallback: str,
             seed: int) -> _Group:
    """Dominance layers first, then the tie-break chain inside each layer."""
    layers = dominance_layers(group, criteria)
    results = [break_ties(layer, chain, fallback, seed) for layer in layers]
    places = [place for result in results for place in result.places]
    if len(group) == 1:
        decided_by = None
    elif len(layers[0]) == 1:
        decided_by = "pareto_dominance"
    else:
        decided_by = results[0].decided_by
    seeds = [r.seed for r in results if r.seed is not None]
    return _Group(group, places, decided_by, seeds[0] if seeds else None)


def _row(rank_number: int, quote: Quote, score: Score, within: Callable[[Quote], bool] | None) -> dict[str, Any]:
    breakdown = dict(score.breakdown)
    if not quote.complete:
        breakdown["_coverage"] = {
            "complete": False, "items_quoted": quote.items_quoted, "items_total": quote.items_total,
            "note": f"Partial quote ({quote.items_quoted} of {quote.items_total} line items): scored against the "
                    "other partial quotes and ranked after every complete quote."}
    row = {"rank": rank_number, "bid_id": quote.bid_id,
           "supplier": {"id": quote.supplier_id, "name": quote.supplier_name},
           "total": decimal_string(quote.total), "score": score.display, "breakdown": breakdown}
    if within is not None:
        row["within_reserve"] = within(quote)
    return row


def rank(quotes: Iterable[Quote], *, method: str, criteria: Criteria = (), price_weight: float = 0,
         pairwise_weights: Mapping[str, float] | None = None, tie_breaking: Mapping[str, Any] | None = None,
         seed: int, reserve: Mapping[str, Any] | None = None, pricing: str = "FIRST_PRICE") -> Evaluation:
    """Evaluate the valid quotes of a closed RFQ (one per supplier, its latest version).

    method: "PRICE" (sealed bid and reverse auction: score = price score) or the
    multi-attribute `scoring_method` ("WEIGHTED_SUM", "TOPSIS", "AHP"). `criteria`,
    `price_weight` and `pairwise_weights` are the multi-attribute settings (ignored for PRICE).
    `tie_breaking` is the RFQ's {"criteria", "final_fallback"}; `seed` is recorded by the caller
    so a random draw replays. `reserve` is {"enabled", "amount", "visibility"} (visibility
    missing: hidden). `pricing` is the sealed-bid setting; SECOND_PRICE applies to PRICE
    ranking only, and only a reserve the suppliers were shown caps its payment (pricing.py).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    if pricing not in PRICING_RULES:
        raise ValueError(f"pricing must be one of {', '.join(PRICING_RULES)}; got {pricing!r}.")
    if pricing == "SECOND_PRICE" and method != "PRICE":
        raise ValueError("SECOND_PRICE is defined for ranking by price only.")
    tie = {**DEFAULT_TIE_BREAKING, **(tie_breaking or {})}
    chain, fallback = list(tie["criteria"]), tie["final_fallback"]
    validate_chain(chain, fallback)
    parsed = () if method == "PRICE" else parse_criteria(criteria)
    ordered = canonical(quotes)
    pools = [p for p in ([q for q in ordered if q.complete], [q for q in ordered if not q.complete]) if p]

    scores: dict[int, Score] = {}
    groups: list[_Group] = []
    for pool in pools:
        pool_scores = _scores(method, pool, parsed, price_weight, pairwise_weights)
        scores.update(pool_scores)
        groups.extend(_resolve(g, parsed, chain, fallback, seed) for g in _score_groups(pool, pool_scores))

    reserve_settings = {**NO_RESERVE, **(reserve or {})}
    enabled = bool(reserve_settings["enabled"])
    amount = as_decimal(reserve_settings["amount"]) if enabled and reserve_settings["amount"] is not None else None
    # Judged on the comparable quotes: the complete ones, or the partial ones when none is complete.
    reserve_info = reserve_status(enabled, amount, min(q.total for q in pools[0]) if pools else None)

    def within(q: Quote) -> bool:
        return amount is None or q.total <= amount

    outcome, chosen, tie_break = _recommend(groups, reserve_info, within, fallback)
    rankings: list[dict[str, Any]] = []
    rank_number = 1
    for place in (place for g in groups for place in g.places):
        rankings.extend(_row(rank_number, q, scores[q.bid_id], within if enabled else None) for q in place)
        rank_number += len(place)
    return Evaluation(
        method=method, rankings=rankings,
        recommended_bid_id=chosen[0].bid_id if outcome in ("AWARD", "SPLIT_AWARD") else None,
        reserve=reserve_info, tie_break=tie_break, pricing=_pricing(pricing, outcome, chosen, pools, _cap(reserve_settings, amount)),
        outcome=outcome, recommended_bid_ids=[q.bid_id for q in chosen] if outcome != "MANUAL_SELECTION" else [],
        tie_groups=[g.summary() for g in groups if len(g.quotes) > 1])


def _recommend(groups: list[_Group], reserve_info: dict[str, Any], within: Callable[[Quote], bool],
               fallback: str) -> tuple[str, list[Quote], dict[str, Any]]:
    """(outcome, the quotes the recommendation is about, the tie-break summary for them)."""
    if not groups:
        return "NO_AWARD", [], {"applied": False, "decided_by": None}
    if reserve_info["met"] is False:
        return "NO_AWARD", [], groups[0].summary()
    for group in groups:
        for place in group.places:
            candidates = [q for q in place if within(q)]
            if not candidates:
                continue
            # The reserve decided when it passed over better-placed quotes of the same tie.
            passed_over = [q.bid_id for q in candidates] != [q.bid_id for q in group.places[0]]
            summary = group.summary("reserve" if passed_over else None)
            if len(candidates) == 1:
                return "AWARD", candidates, summary
            summary["shared_by"] = [q.bid_id for q in candidates]
            return ("SPLIT_AWARD" if fallback == "split_award" else "MANUAL_SELECTION"), candidates, summary
    raise AssertionError("the reserve is met, so some quote is within it")  # pragma: no cover


def _cap(reserve: Mapping[str, Any], amount: Decimal | None) -> Decimal | None:
    """The reserve as the second-price payment's cap, only where the suppliers know it: a
    hidden reserve in the winner's payment would tell the winner what it is."""
    return amount if reserve.get("visibility", "hidden") != "hidden" else None


def _pricing(rule: str, outcome: str, chosen: list[Quote], pools: list[list[Quote]],
             reserve: Decimal | None) -> dict[str, Any]:
    if outcome not in ("AWARD", "SPLIT_AWARD"):
        return {"rule": rule, "winner_payment": None}
    pool = next(p for p in pools if chosen[0].bid_id in {q.bid_id for q in p})
    payments = [{"bid_id": q.bid_id, "amount": decimal_string(
        winner_payment(rule, q.total, [o.total for o in pool if o.bid_id != q.bid_id], reserve))} for q in chosen]
    info: dict[str, Any] = {"rule": rule, "winner_payment": payments[0]["amount"]}
    if outcome == "SPLIT_AWARD":
        info["payments"] = payments
    return info

