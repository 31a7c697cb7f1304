"""The reserve's two after-close options (product.md §4.4), run by the after-close job:

- `notify_buyer_if_not_met`: when bidding closes and no valid bid meets the reserve, the
  buyer's organisation is e-mailed, once (the job may run twice), so it can reopen, negotiate
  or close without an award while the RFQ waits for its decision;
- `auto_accept_if_met`: when the reserve is met, the RFQ is evaluated and the recommended bid
  (or allocation) awarded without the buyer, through the same certification gate as any
  award. Where the gate holds it back (high value or a high alert: compliance must approve)
  or the recommendation is a tie for the buyer to settle, the RFQ stays in evaluation.
"""
from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from auctions.evaluation.rank import Evaluation
from common.errors import ApplicationError
from rfqs.models import RFQ, RFQStatus
from suppliers.notifications import mail_on_commit

logger = logging.getLogger(__name__)


def reserve_after_close(*, rfq_id: int) -> str | None:
    """Apply the closed RFQ's reserve options; what was done ("notified", "awarded",
    "evaluated"), or None when nothing applies (no reserve, not closed, done before).

    The evaluation is read without a lock: a closed RFQ's quotes no longer change. The notice
    is claimed by one conditional UPDATE, so a second run of the job finds it taken; the award
    takes its own locks (rfq_evaluate, rfq_award)."""
    from auctions.selectors.evaluation import rfq_evaluation

    rfq = RFQ.objects.filter(pk=rfq_id, status=RFQStatus.CLOSED, reserve_enabled=True).first()
    if rfq is None:
        return None
    evaluation = rfq_evaluation(rfq)
    met = evaluation.reserve["met"]
    if met is False and rfq.reserve_notify_buyer_if_not_met:
        with transaction.atomic():
            claimed = RFQ.objects.filter(pk=rfq_id, status=RFQStatus.CLOSED, reserve_notice_sent_at__isnull=True
                                         ).update(reserve_notice_sent_at=timezone.now(), updated_at=timezone.now())
            if claimed:
                _mail_buyers(rfq)
        return "notified" if claimed else None
    if met is True and rfq.reserve_auto_accept_if_met:
        return _accept(rfq, evaluation)
    return None


def _accept(rfq: RFQ, evaluation: Evaluation) -> str:
    from auctions.selectors.allocation import allocates

    from .services import rfq_award, rfq_evaluate

    rfq = rfq_evaluate(rfq=rfq, user=None)
    if rfq.status != RFQStatus.EVALUATION:
        return "evaluated"
    try:
        if allocates(rfq):  # split, bundles, lots: the recommended allocation
            rfq_award(rfq=rfq, user=None, allocation="recommended")
        else:  # a tie the buyer settles has no recommended bid: the award asks for one
            bid = evaluation.recommended_bid_id if evaluation.outcome in ("AWARD", "SPLIT_AWARD") else None
            rfq_award(rfq=rfq, user=None, bid_id=bid)
    except ApplicationError as exc:  # the gate, or a tie the buyer settles: the buyer decides
        logger.info("RFQ %s met its reserve but stays in evaluation: %s", rfq.pk, exc)
        return "evaluated"
    return "awarded"


def _mail_buyers(rfq: RFQ) -> None:
    buyers = User.objects.filter(role="buyer", buyer_organization_id=rfq.buyer_organization_id, is_active=True)
    mail_on_commit(to=sorted({user.email for user in buyers if user.email}),
                   subject=f"{rfq.reference}: the reserve price was not met",
                   template="emails/reserve_not_met.txt", context={"rfq": rfq})
