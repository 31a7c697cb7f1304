"""The report's timeline: the RFQ's audit events in their one order, each as a line a person reads.

Sealed prices never entered the audit trail before the opening, so a sealed quote's line
names its supplier and version only; the amounts are in the report's bid list.
"""
from __future__ import annotations

from auctions.rules import REGISTRY

LABELS = {
    "rfq.created": "RFQ created",
    "rfq.updated": "Draft edited",
    "rfq.publish": "Published; invitations sent",
    "rfq.open": "Bidding opened",
    "rfq.pause": "Bidding paused",
    "rfq.resume": "Bidding resumed",
    "rfq.fallback": "Switched to sealed-bid collection",
    "rfq.close": "Bidding closed",
    "rfq.evaluate": "Evaluation started",
    "rfq.award": "Awarded",
    "rfq.reopen": "Reopened for bidding",
    "rfq.cancel": "Cancelled",
    "rfq.amended": "Amendment published",
    "amendment.acknowledged": "Amendment acknowledged",
    "clarification.asked": "Question asked",
    "clarification.answered": "Question answered",
    "invitation.created": "Supplier invited",
    "invitation.sent": "Invitation sent",
    "invitation.accepted": "Invitation accepted",
    "invitation.declined": "Invitation declined",
    "invitation.revoked": "Invitation revoked",
    "bid.placed": "Bid placed",
    "bid.place_rejected": "Bid refused",
    "bid.withdrawn": "Bid withdrawn",
    "bid.withdraw_rejected": "Withdrawal refused",
    "deadline.extended": "Deadline extended (anti-sniping)",
    "bids.opened": "Sealed quotes opened",
    "auction.ranked": "Quotes ranked",
    "fairness.certified": "Fairness audit certified",
    "fairness.report_generated": "Fairness report generated",
    "gaming.alert_raised": "Gaming alert raised",
    "gaming.alert_updated": "Gaming alert updated",
}


def rule_name(rule_id: str) -> str:
    """A rule as a person reads it ("Beats the best bid by the minimum decrement"), not its id."""
    registered = REGISTRY.get(rule_id)
    return registered.name if registered else rule_id.replace("_", " ").capitalize()


def rule_names(violations: list[dict]) -> str:
    return ", ".join(rule_name(v.get("rule", "")) for v in violations)


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _detail(event, money) -> str:
    p = event.payload
    kind = event.type
    if kind == "bid.placed":
        price = f" at {money(p['amount'])}" if p.get("amount") else " (sealed)"
        signed = f", signed with key {p['signature']['key_id']}" if p.get("signature") else ""
        return f"{p.get('supplier', 'supplier')} v{p.get('version', 1)}{price}{signed}"
    if kind == "bid.withdrawn":
        return f"bid {p.get('bid_id')} (withdrawal {p.get('withdrawals_used', '?')} of the supplier)"
    if kind in ("bid.place_rejected", "bid.withdraw_rejected"):
        return rule_names(p.get("violations", []))
    if kind == "deadline.extended":
        return f"extension {p.get('extension_number')}: {p.get('old_deadline')} → {p.get('new_deadline')}"
    if kind == "rfq.amended":
        return _amendment(p)
    if kind == "amendment.acknowledged":
        return f"amendment {p.get('number')} by {p.get('supplier') or 'supplier ' + str(p.get('supplier_id'))}"
    if kind == "bids.opened":
        return f"{len(p.get('quotes', []))} quote(s)"
    if kind == "auction.ranked":
        return f"outcome {p.get('outcome')}, recommended bid {p.get('recommended_bid_id')}"
    if kind == "rfq.award":
        text = f"bid {p.get('bid_id')} at {money(p['total'])}" if p.get("total") else f"bid {p.get('bid_id')}"
        return text + (" — manual override" if p.get("override") else "")
    if kind == "fairness.report_generated":
        return f"version {p.get('version')}, content hash {str(p.get('content_hash', ''))[:12]}…"
    if kind == "fairness.certified":
        return f"{p.get('recommendation')} (report v{p.get('report_version')})"
    if kind.startswith("gaming."):
        return f"{p.get('severity', '')} {p.get('detector', '')}".strip()
    return p.get("reason") or ""


def _amendment(p: dict) -> str:
    changes = p.get("changes") or {}
    parts = []
    if "bidding_deadline" in changes:
        parts.append(f"deadline {changes['bidding_deadline'].get('from')} → {changes['bidding_deadline'].get('to')}")
    parts += [name.replace("_", " ") for name in ("description", "line_items") if name in changes]
    return f"amendment {p.get('number')}: {', '.join(parts)} — {p.get('reason', '')}"


def timeline(events, money) -> list[dict]:
    """[{seq, at, type, label, actor, detail}] in the stream's order."""
    return [{"seq": e.seq, "at": _iso(e.at), "type": e.type,
             "label": LABELS.get(e.type) or e.type.replace(".", " ").replace("_", " ").capitalize(),
             "actor": e.actor_name, "detail": _detail(e, money)} for e in events]


def timeline_note(r: dict) -> str:
    """Why the numbers stop where they do: the report cannot list the event that records it."""
    last = (r.get("basis") or {}).get("last_event_seq", 0)
    return (f"Every event of the RFQ's audit trail, numbered by its sequence number, up to #{last}, the last "
            "fact this report was built from. The generation of this report is recorded after it "
            "(\"Fairness report generated\", with the report's content hash).")
