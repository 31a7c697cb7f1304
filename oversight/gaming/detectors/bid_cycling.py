"""Bid cycling (MEDIUM): two suppliers taking turns, bid after bid, in minimal steps.

Two honest rivals also alternate, so alternation alone is not the signal: a long strict
A-B-A-B run (MIN_RUN bids) whose median step is tiny (at most MAX_MEDIAN_STEP_PCT of the
price) is — the price barely moves while the pair keeps the appearance of competition.
"""
from __future__ import annotations

import statistics
from decimal import Decimal
from itertools import pairwise

from ..base import AlertSeverity, AuctionFacts, Finding, bids_evidence, detector, pct

NAME = "bid_cycling"


def _runs(bids):
    """Maximal runs in which bids strictly alternate between the same two suppliers."""
    run = bids[:1]
    for bid in bids[1:]:
        alternates = bid.supplier_id != run[-1].supplier_id and (
            len(run) < 2 or bid.supplier_id == run[-2].supplier_id)
        if alternates:
            run.append(bid)
        else:
            yield run
            run = [run[-1], bid] if bid.supplier_id != run[-1].supplier_id else [bid]
    if run:
        yield run


@detector(NAME)
def bid_cycling(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    longest = {}
    for run in _runs(facts.priced):
        pair = tuple(sorted({b.supplier_id for b in run}))
        if len(pair) == 2 and len(run) >= cfg["MIN_RUN"] and len(run) > len(longest.get(pair, ())):
            longest[pair] = run
    findings = []
    for pair, run in sorted(longest.items()):
        steps = [pct(abs(a.amount - b.amount), a.amount) for a, b in pairwise(run)]
        median = statistics.median(steps)
        if Decimal(str(median)) > Decimal(str(cfg["MAX_MEDIAN_STEP_PCT"])):
            continue
        names = sorted({b.supplier_name for b in run})
        findings.append(Finding(
            key=f"suppliers:{pair[0]},{pair[1]}", severity=AlertSeverity.MEDIUM,
            summary=f"{names[0]} and {names[1]} alternated {len(run)} bids in a row, median step {median}%.",
            supplier_ids=list(pair),
            evidence={"run_length": len(run), "median_step_pct": median, "steps_pct": steps,
                      "bids": bids_evidence(run)}))
    return findings
