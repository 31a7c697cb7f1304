from __future__ import annotations

from common.errors import ValidationFailed

from .models import Bid, BidStatus


def rfq_has_valid_bids(*, rfq) -> bool:
    return Bid.objects.filter(rfq=rfq, status=BidStatus.ACCEPTED).exists()


def bid_for_award(*, rfq, bid_id) -> Bid:
    """The accepted bid of this RFQ that the buyer wants to award, or 400 naming the problem."""
    try:
        return Bid.objects.get(rfq=rfq, pk=int(bid_id), status=BidStatus.ACCEPTED)
    except (Bid.DoesNotExist, TypeError, ValueError):
        raise ValidationFailed("bid_id is not an accepted bid of this RFQ.",
                               fields={"bid_id": ["Not an accepted bid of this RFQ."]}) from None
