"""Check 3, first half: an auction's state rebuilt from its audit events alone.

The bids as placed, superseded, withdrawn and opened; the best bid, bid count, deadline,
extensions, status and award as each event left them — following what the bid path and
the RFQ workflow record, never reading a table. Each value keeps the seq of the event that
set it, so a difference with the tables is reported at that event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.dateparse import parse_datetime

# Quotes replace the supplier's earlier ones; a reverse auction keeps every bid standing.
SUPERSEDING_TYPES = {"SEALED_BID", "MULTI_ATTRIBUTE", "COMBINATORIAL"}


@dataclass
class BidFacts:
    seq: int  # of its bid.placed event
    supplier_id: int | None
    version: int | None
    submitted_at: str | None
    amount: Decimal | None  # in clear when placed, or as opened at the close
    commitment: str
    status: str = "accepted"
    line_item_id: int | None = None  # per-line bidding (lots): the line it prices


@dataclass
class AuctionState:
    values: dict[str, object] = field(default_factory=lambda: {
        "status": None, "bidding_deadline": None, "extensions": 0, "bid_count": 0,
        "best_amount": None, "best_bid_id": None, "awarded_bid_id": None})
    set_at: dict[str, int] = field(default_factory=dict)
    bids: dict[int, BidFacts] = field(default_factory=dict)
    # Per-line bidding (lots): each line's best amount, best bid and count, as the events left them.
    lines: dict[int, dict[str, object]] = field(default_factory=dict)
    auction_type: str = ""
    fallback: bool = False  # a reverse auction switched to sealed bids
    award: dict | None = None  # the rfq.award event's payload: what was awarded, to whom, paid how much
    award_seq: int = 0
    created: bool = False
    last_seq: int = 0

    def set(self, seq: int, **values) -> None:
        for name, value in values.items():
            self.values[name], self.set_at[name] = value, seq

    def lowest(self, line_item_id: int | None = None) -> tuple | None:
        """The lowest standing amount known (on one line, or over the bids of no line), earliest first."""
        known = [(b.amount, parse_datetime(b.submitted_at or ""), bid_id) for bid_id, b in self.bids.items()
                 if b.status == "accepted" and b.amount is not None and b.line_item_id == line_item_id]
        return min(known, key=lambda k: (k[0], k[1] is None, k[1] or 0, k[2]), default=None)

    def recompute_best(self, seq: int) -> None:
        """As after a withdrawal: the lowest standing amount known, earliest first."""
        best = self.lowest()
        self.set(seq, best_amount=best[0] if best else None, best_bid_id=best[2] if best else None)

    def set_line(self, line_item_id: int, seq: int, **values) -> None:
        line = self.lines.setdefault(line_item_id, {"best_amount": None, "best_bid_id": None, "bid_count": 0})
        line.update(values, seq=seq)


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _configured(state: AuctionState, seq: int, p: dict) -> None:
    """rfq.created and rfq.updated (a draft's edit) both carry the whole configuration."""
    state.auction_type = p.get("auction_type", state.auction_type)
    state.set(seq, bidding_deadline=p.get("bidding_deadline"))
    if "status" not in state.set_at:
        state.set(seq, status="draft")


def _transition(state: AuctionState, seq: int, name: str, p: dict) -> None:
    state.set(seq, status=p["to"])
    if "bidding_deadline" in p:
        state.set(seq, bidding_deadline=p["bidding_deadline"])
    if name == "reopen":
        state.set(seq, extensions=0)  # a new round has its own anti-sniping allowance
    elif name == "fallback":
        state.fallback = True
    elif name == "award":
        state.set(seq, awarded_bid_id=p.get("bid_id"))
        state.award, state.award_seq = p, seq


def _amended(state: AuctionState, seq: int, p: dict) -> None:
    """An amendment moves the deadline when its changes name one (`from` → `to`); its other
    changes (description, line items) are not auction state."""
    moved = (p.get("changes") or {}).get("bidding_deadline")
    if moved:
        # The change is written as the API shows it (ISO 8601 to the microsecond), not in the
        # events' own time format: compared as the time it names.
        state.set(seq, bidding_deadline=parse_datetime(moved.get("to") or ""))


def _placed(state: AuctionState, seq: int, p: dict) -> None:
    bid = BidFacts(seq=seq, supplier_id=p.get("supplier_id"), version=p.get("version"),
                   submitted_at=p.get("submitted_at"), amount=_decimal(p.get("amount")),
                   commitment=p.get("commitment", ""), line_item_id=p.get("line_item_id"))
    if state.auction_type in SUPERSEDING_TYPES:
        for earlier in state.bids.values():
            if earlier.supplier_id == bid.supplier_id and earlier.status == "accepted":
                earlier.status = "superseded"
    state.bids[p["bid_id"]] = bid
    state.set(seq, bid_count=p.get("bid_count", state.values["bid_count"]))
    if bid.line_item_id is not None:  # a lot's bid: its line's best; the auction has none
        best = state.lines.get(bid.line_item_id, {}).get("best_amount")
        if bid.amount is not None and (best is None or bid.amount < best):
            state.set_line(bid.line_item_id, seq, best_amount=bid.amount, best_bid_id=p["bid_id"])
        state.set_line(bid.line_item_id, seq, bid_count=p.get("line_bid_count", 0))
        return
    best = state.values["best_amount"]
    if bid.amount is not None and (best is None or bid.amount < best):
        state.set(seq, best_amount=bid.amount, best_bid_id=p["bid_id"])


def _withdrawn(state: AuctionState, seq: int, p: dict) -> None:
    if p.get("bid_id") in state.bids:
        state.bids[p["bid_id"]].status = "withdrawn"
    state.set(seq, bid_count=p.get("bid_count", state.values["bid_count"]))
    if p.get("line_item_id") is not None:
        best = state.lowest(p["line_item_id"])
        state.set_line(p["line_item_id"], seq, best_amount=best[0] if best else None,
                       best_bid_id=best[2] if best else None, bid_count=p.get("line_bid_count", 0))
    elif state.auction_type not in SUPERSEDING_TYPES:
        state.recompute_best(seq)


def _opened(state: AuctionState, seq: int, p: dict) -> None:
    quotes = p.get("quotes", [])
    for quote in quotes:
        if quote.get("bid_id") in state.bids:
            state.bids[quote["bid_id"]].amount = _decimal(quote.get("total"))
    if state.fallback:  # the live bids before the switch and the sealed ones after, together
        state.recompute_best(seq)
    else:
        standing = [_decimal(q.get("total")) for q in quotes if q.get("status") == "accepted"]
        state.set(seq, best_amount=min(standing) if standing else None)


def replay(events) -> AuctionState:
    """The state of one RFQ's stream, from its events in seq order."""
    state = AuctionState()
    for event in events:
        p, seq, kind = event.payload, event.seq, event.type
        state.last_seq = seq
        if kind in ("rfq.created", "rfq.updated"):
            state.created = state.created or kind == "rfq.created"
            _configured(state, seq, p)
        elif kind == "rfq.amended":
            _amended(state, seq, p)
        elif kind.startswith("rfq.") and "to" in p:
            _transition(state, seq, kind.removeprefix("rfq."), p)
        elif kind == "bid.placed" and "bid_id" in p:
            _placed(state, seq, p)
        elif kind == "deadline.extended":
            state.set(seq, bidding_deadline=p.get("new_deadline"), extensions=p.get("extension_number", 0))
        elif kind == "bid.withdrawn":
            _withdrawn(state, seq, p)
        elif kind == "bids.opened":
            _opened(state, seq, p)
    return state
