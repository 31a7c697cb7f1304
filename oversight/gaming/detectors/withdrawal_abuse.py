"""Withdrawal abuse (MEDIUM): a supplier withdrawing bids again and again.

One withdrawal corrects a mistake; repeated ones (MIN_WITHDRAWALS) are how a bidder probes
or scares rivals with prices it never meant to keep. The evidence pairs each withdrawal
with the supplier's next bid, so withdraw-and-rebid cycles (a rebid within REBID_SECONDS)
and the price they moved to are on record.
"""
from __future__ import annotations

from collections import defaultdict

from ..base import AlertSeverity, AuctionFacts, Finding, detector

NAME = "withdrawal_abuse"


def _rebid(withdrawn, own_bids):
    return next((b for b in own_bids if b.at >= withdrawn.withdrawn_at and b.id != withdrawn.id), None)


@detector(NAME)
def withdrawal_abuse(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    by_supplier = defaultdict(list)
    for bid in facts.bids:
        by_supplier[bid.supplier_id].append(bid)
    findings = []
    for supplier_id, own in sorted(by_supplier.items()):
        withdrawn = [b for b in own if b.withdrawn_at is not None]
        if len(withdrawn) < cfg["MIN_WITHDRAWALS"]:
            continue
        cycles = []
        for bid in withdrawn:
            rebid = _rebid(bid, own)
            delay = round((rebid.at - bid.withdrawn_at).total_seconds(), 3) if rebid else None
            cycles.append({"withdrawn": bid.evidence(), "rebid": rebid.evidence() if rebid else None,
                           "rebid_after_seconds": delay})
        quick = sum(1 for c in cycles if c["rebid_after_seconds"] is not None
                    and c["rebid_after_seconds"] <= cfg["REBID_SECONDS"])
        name = own[0].supplier_name
        findings.append(Finding(
            key=f"supplier:{supplier_id}", severity=AlertSeverity.MEDIUM,
            summary=f"{name} withdrew {len(withdrawn)} bids, {quick} followed by a rebid within "
                    f"{cfg['REBID_SECONDS']} s.",
            supplier_ids=[supplier_id],
            evidence={"withdrawals": len(withdrawn), "quick_rebids": quick, "cycles": cycles}))
    return findings
