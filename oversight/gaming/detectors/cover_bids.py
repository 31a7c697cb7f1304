"""Cover bids (MEDIUM): a losing supplier whose bids keep landing just above the leader's.

A complementary ("cover") bidder makes a show of competing while letting a partner win: its
bids sit a whisker above the eventual winner's price at the time. The leader is the supplier
of the lowest standing bid; for each other supplier, each priced bid is compared with the
leader's best bid standing at that moment. At least MIN_BIDS of them, and a MIN_SHARE of
all that could be compared, within MAX_GAP_PCT above it, is the pattern. With sealed quotes
the loser could not have seen that price, which makes the pattern telling.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..base import AlertSeverity, AuctionFacts, Finding, detector, pct

NAME = "cover_bids"


def _standing_at(bids, at):
    """The leader's standing price at `at`: its latest bid by then that was not withdrawn by then.
    (A revised sealed quote replaces the earlier one, even when it is dearer; in a reverse
    auction the latest bid is also the lowest.)"""
    live = [b for b in bids if b.at <= at and (b.withdrawn_at is None or b.withdrawn_at > at)]
    return max(live, key=lambda b: (b.at, b.id)).amount if live else None


@detector(NAME)
def cover_bids(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    standing = [b for b in facts.priced if b.status == "accepted"]
    if not standing:
        return []
    leader = min(standing, key=lambda b: (b.amount, b.at, b.id))
    by_supplier = defaultdict(list)
    for bid in facts.priced:
        by_supplier[bid.supplier_id].append(bid)
    leader_bids, max_gap = by_supplier[leader.supplier_id], Decimal(str(cfg["MAX_GAP_PCT"]))
    findings = []
    for supplier_id, own in sorted(by_supplier.items()):
        if supplier_id == leader.supplier_id:
            continue
        compared = [(b, _standing_at(leader_bids, b.at)) for b in own]
        compared = [(b, best) for b, best in compared if best is not None]
        covers = [{"bid": b.evidence(), "leader_amount": str(best), "gap_pct": pct(b.amount - best, best)}
                  for b, best in compared if best < b.amount <= best * (1 + max_gap / 100)]
        if len(covers) < cfg["MIN_BIDS"] or len(covers) < cfg["MIN_SHARE"] * len(compared):
            continue
        findings.append(Finding(
            key=f"supplier:{supplier_id},leader:{leader.supplier_id}", severity=AlertSeverity.MEDIUM,
            summary=f"{own[0].supplier_name} bid just above the leader {leader.supplier_name} "
                    f"{len(covers)} of {len(compared)} times (within {max_gap}%).",
            supplier_ids=[supplier_id, leader.supplier_id],
            evidence={"leader": {"supplier_id": leader.supplier_id, "supplier": leader.supplier_name,
                                 "bid_id": leader.id, "amount": str(leader.amount)},
                      "compared": len(compared), "covers": covers}))
    return findings
