"""May this supplier bid now? One answer for the supplier's page (whether to offer the form)
and the bid rules (whether to accept): the page words a refusal for a person, by its code."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rfqs.models import Amendment, RFQStatus
from suppliers.models import InvitationStatus

if TYPE_CHECKING:
    from auctions.models import Bid
    from auctions.rules.context import OwnBid
    from auctions.types import RFQ

WITHDRAWAL_LIMIT = 3  # per supplier and auction


@dataclass(frozen=True)
class Refusal:
    code: str  # not_accepted | paused | not_open | not_opened_yet | deadline_passed
    message: str
    metadata: dict[str, Any] = field(default_factory=dict)


def invitation_refusal(invitation_status: str | None) -> Refusal | None:
    """Only a supplier who accepted the invitation bids."""
    if invitation_status != InvitationStatus.ACCEPTED:
        return Refusal("not_accepted", "Accept the invitation to this RFQ before bidding.")
    return None


def bidding_window_refusal(rfq: RFQ, now: datetime) -> Refusal | None:
    """Whether bidding runs at `now`: enforced at bid time, whether or not a job has closed
    the auction yet."""
    if rfq.status == RFQStatus.PAUSED:
        return Refusal("paused", "Bidding is paused by the buyer.")
    if rfq.status != RFQStatus.OPEN:
        return Refusal("not_open", f"Bidding is not open (the RFQ is {rfq.get_status_display().lower()}).")
    if rfq.bidding_opens_at and now < rfq.bidding_opens_at:
        return Refusal("not_opened_yet", "Bidding has not opened yet.")
    if now >= rfq.bidding_deadline:
        return Refusal("deadline_passed", "The bidding deadline has passed.",
                       {"deadline": rfq.bidding_deadline.isoformat(), "at": now.isoformat()})
    return None


def bidding_refusal(rfq: RFQ, invitation_status: str | None, now: datetime) -> Refusal | None:
    """Why this supplier may not bid on the RFQ now; None when they may."""
    return invitation_refusal(invitation_status) or bidding_window_refusal(rfq, now)


def withdrawals_used(own_bids: Iterable[Bid | OwnBid]) -> int:
    return sum(1 for bid in own_bids if bid.withdrawn_at is not None)


def withdrawals_left(own_bids: Iterable[Bid | OwnBid]) -> int:
    return max(0, WITHDRAWAL_LIMIT - withdrawals_used(own_bids))


def unacknowledged_amendments(rfq: RFQ, supplier_id: int) -> list[int]:
    """The numbers of the RFQ's amendments this supplier has not acknowledged, oldest first.
    An RFQ never amended answers without a query (its row counts them)."""
    if not getattr(rfq, "amendment_count", 0):
        return []
    return list(Amendment.objects.filter(rfq_id=rfq.pk).exclude(acknowledgements__supplier_id=supplier_id)
                .order_by("number").values_list("number", flat=True))


def amendment_refusal(rfq: RFQ, supplier_id: int) -> Refusal | None:
    """A supplier bids on the RFQ as amended: every amendment acknowledged first."""
    missing = unacknowledged_amendments(rfq, supplier_id)
    if not missing:
        return None
    names = ", ".join(str(n) for n in missing)
    plural = "s" if len(missing) > 1 else ""
    return Refusal("amendment_not_acknowledged",
                   f"The buyer amended this RFQ: acknowledge amendment{plural} {names} before bidding.",
                   {"amendments": missing})
