"""Last-second flooding (LOW): one supplier firing many bids in the final seconds.

A burst just before a deadline (MIN_BIDS within WINDOW_SECONDS of it) crowds rivals out of
the last moments or keeps triggering anti-sniping. Every deadline the auction had counts —
the original and each extension — since each extension creates new final seconds. LOW: the
rate limit already bounds the burst; the alert tells the buyer it happened.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from ..base import AlertSeverity, AuctionFacts, Finding, bids_evidence, detector

NAME = "last_second_flooding"


def _seconds_before(at, deadlines, window):
    """Seconds from `at` to the deadline whose final `window` it falls in, if any."""
    for deadline in sorted(deadlines):
        if deadline - window <= at <= deadline:
            return round((deadline - at).total_seconds(), 3)
    return None


@detector(NAME)
def last_second_flooding(facts: AuctionFacts, cfg: dict) -> list[Finding]:
    window = timedelta(seconds=cfg["WINDOW_SECONDS"])
    late = defaultdict(list)
    for bid in facts.bids:
        before = _seconds_before(bid.at, facts.deadlines, window)
        if before is not None:
            late[bid.supplier_id].append((bid, before))
    findings = []
    for supplier_id, hits in sorted(late.items()):
        if len(hits) < cfg["MIN_BIDS"]:
            continue
        bids = [bid for bid, _ in hits]
        findings.append(Finding(
            key=f"supplier:{supplier_id}", severity=AlertSeverity.LOW,
            summary=f"{bids[0].supplier_name} placed {len(bids)} bids in the final {cfg['WINDOW_SECONDS']} s "
                    f"before a deadline.",
            supplier_ids=[supplier_id],
            evidence={"late_bids": len(bids), "window_seconds": cfg["WINDOW_SECONDS"],
                      "seconds_before_deadline": [before for _, before in hits],
                      "deadlines": sorted({d.isoformat() for d in facts.deadlines}), "bids": bids_evidence(bids)}))
    return findings
