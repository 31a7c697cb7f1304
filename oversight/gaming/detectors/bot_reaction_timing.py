"""Bot-like reaction timing (LOW): a supplier answering rivals' bids after a near-constant delay.

People react to a new best bid after varying pauses; a script reacts after the same one. A
supplier with at least MIN_REACTIONS bids that directly follow another supplier's bid
(within MAX_REACTION_SECONDS) whose delays spread (population standard deviation) by at
most MAX_SPREAD_SECONDS is flagged. LOW: automated bidding is not forbidden as such, but the
buyer and compliance should know one bidder is a machine.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from itertools import pairwise

from ..base import AlertSeverity, AuctionFacts, Finding, detector

NAME = "bot_reaction_timing"


@detector(NAME)
def bot_reaction_timing(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    reactions = defaultdict(list)
    for previous, bid in pairwise(facts.bids):
        delay = (bid.at - previous.at).total_seconds()
        if bid.supplier_id != previous.supplier_id and 0 <= delay <= cfg["MAX_REACTION_SECONDS"]:
            reactions[bid.supplier_id].append((previous, bid, round(delay, 3)))
    findings = []
    for supplier_id, pairs in sorted(reactions.items()):
        delays = [delay for _, _, delay in pairs]
        if len(delays) < cfg["MIN_REACTIONS"]:
            continue
        spread = round(statistics.pstdev(delays), 3)
        if spread > cfg["MAX_SPREAD_SECONDS"]:
            continue
        mean = round(statistics.fmean(delays), 3)
        findings.append(Finding(
            key=f"supplier:{supplier_id}", severity=AlertSeverity.LOW,
            summary=f"{pairs[0][1].supplier_name} answered {len(delays)} rival bids after {mean} s "
                    f"± {spread} s each time.",
            supplier_ids=[supplier_id],
            evidence={"reactions": len(delays), "mean_delay_seconds": mean, "spread_seconds": spread,
                      "pairs": [{"trigger": t.evidence(), "reaction": r.evidence(), "delay_seconds": d}
                                for t, r, d in pairs]}))
    return findings
