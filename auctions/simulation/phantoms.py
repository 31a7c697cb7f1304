"""Phantom auctions and suppliers: what the real rule engine needs, without the database.

A phantom RFQ copies what the rules read from the real one (currency, reserve, the format's
settings) and is always open, with the deadline a day away: the simulation asks whether a
*price* would be accepted, not whether the calendar allows bidding. A phantom supplier is
verified, invited and qualified. A whole award's phantom quote prices the RFQ as one lot (one
line, quantity 1), so its total is the supplier's bid; split and bundle formats quote the
RFQ's lines (ids 1…n, its quantities). Nothing here touches the database: the context's
cached reads (own bids, quantities, invitation, qualification) are given.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from auctions.drafts import BidDraft, LineInput, MoneyInput
from auctions.evaluation import Quote
from auctions.rules import BidContext, run_rules
from rfqs.models import RFQStatus
from suppliers.models import InvitationStatus, KycStatus

LOT = 1  # the phantom line item's id
EPOCH = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
QUANTITIES = {LOT: Decimal(1)}
SUPPLIER = SimpleNamespace(pk=0, name="Phantom supplier", kyc_status=KycStatus.VERIFIED, require_signed_bids=False,
                           get_kyc_status_display=lambda: KycStatus.VERIFIED.label)


@dataclass(frozen=True)
class Reserve:
    amount: Decimal
    visibility: str  # rfqs.models.ReserveVisibility

    @property
    def disclosed(self) -> bool:
        return self.visibility != "hidden"

    @property
    def as_starting(self) -> bool:
        return self.visibility == "disclosed_as_starting"


def phantom_rfq(*, auction_type: str, settings: dict, currency: str, reserve: Reserve | None,
                category: str = "", quantities: dict[int, Decimal] | None = None) -> SimpleNamespace:
    # The simulation prices the RFQ as one lot (the baseline total). A per-line auction's lines
    # run under the same rules side by side, so it is simulated on that total.
    settings = {**settings, "bidding_basis": "TOTAL"} if settings.get("bidding_basis") == "PER_LINE" else settings
    return SimpleNamespace(
        pk=0, auction_type=auction_type, auction_settings=settings, currency=currency, status=RFQStatus.OPEN,
        get_status_display=lambda: RFQStatus.OPEN.label, bidding_opens_at=None,
        bidding_deadline=EPOCH + datetime.timedelta(days=1), best_amount=None, sealed_fallback_at=None,
        reserve_enabled=reserve is not None, reserve_amount=reserve.amount if reserve else None,
        reserve_visibility=reserve.visibility if reserve else "hidden",
        category=SimpleNamespace(name=category or "this category"), phantom_quantities=quantities or QUANTITIES)


def money(amount: Decimal) -> MoneyInput:
    return MoneyInput(f"{amount:f}", amount)


def context(rfq, draft: BidDraft) -> BidContext:
    ctx = BidContext(rfq=rfq, supplier=SUPPLIER, user=None, now=EPOCH, draft=draft)
    # What BidContext would read from the database, given.
    ctx.__dict__.update(own_bids=[], quantities=rfq.phantom_quantities, invitation_status=InvitationStatus.ACCEPTED,
                        category_qualified=True)
    return ctx


def accepted(rfq, amount: Decimal, *, sealed: bool) -> bool:
    """Whether the rule engine accepts this bid or one-lot quote."""
    draft = (BidDraft(lines=[LineInput(LOT, money(amount))], currency=rfq.currency) if sealed
             else BidDraft(amount=money(amount), currency=rfq.currency))
    return draft_accepted(rfq, draft)


def draft_accepted(rfq, draft: BidDraft) -> bool:
    """Whether the rule engine accepts this attempt (both phases, as the bid path runs them)."""
    ctx = context(rfq, draft)
    for phase in ("pre", "locked"):
        if any(v.blocks for v in run_rules(ctx, phase=phase)):
            return False
    return True


def quote(bidder: int, amount: Decimal, order: int) -> Quote:
    """Evaluation's view of a phantom bid; `order` is its place in submission time."""
    return Quote(bid_id=bidder + 1, supplier_id=bidder + 1, supplier_name=f"Phantom {bidder + 1}", total=amount,
                 submitted_at=EPOCH + datetime.timedelta(seconds=order))
