"""Identical prices (MEDIUM): different suppliers offering exactly the same amount.

Independent suppliers pricing a basket of goods rarely land on the same total to the cent;
identical tenders are a classic sign of a shared price list or bid rigging. Reverse-auction
bids must beat the best, so this mostly concerns quotes (sealed, multi-attribute) once opened.
Withdrawn bids are left out: after a withdrawal the best price reverts, and the next bid at the
minimum step lands exactly on the withdrawn amount — the rules' doing, not the suppliers'.
"""
from __future__ import annotations

from collections import defaultdict

from ..base import AlertSeverity, AuctionFacts, Finding, bids_evidence, detector

NAME = "identical_prices"


@detector(NAME)
def identical_prices(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    by_amount = defaultdict(list)
    for bid in facts.priced:
        if bid.withdrawn_at is not None:
            continue
        by_amount[bid.amount.normalize()].append(bid)
    findings = []
    for amount, bids in sorted(by_amount.items()):
        names = {b.supplier_id: b.supplier_name for b in bids}
        if len(names) < cfg["MIN_SUPPLIERS"]:
            continue
        findings.append(Finding(
            key=f"amount:{amount:f}", severity=AlertSeverity.MEDIUM,
            summary=f"{len(names)} suppliers bid exactly {amount:f}: {', '.join(sorted(names.values()))}.",
            supplier_ids=sorted(names), evidence={"amount": f"{amount:f}", "suppliers": len(names),
                                                  "bids": bids_evidence(bids)}))
    return findings
