"""The demo's finished auction: a live reverse auction replayed through the real services over
the minutes it would have taken, so its audit trail, report, PDF and charts read like a real
one (bids minutes apart, two anti-sniping extensions, a withdrawal, a gaming alert).

Every service stamps `timezone.now()`; the replay moves the process clock with time-machine
instead of writing timestamps by hand, so nothing here can disagree with what the services
would have recorded."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from auctions.mechanisms import get_mechanism
from auctions.models import BidStatus
from auctions.services import bid_place, bid_withdraw
from common.request_meta import RequestMeta
from procurement import services as rfq_services
from rfqs.models import RFQ
from suppliers import services as supplier_services
from suppliers.models import Invitation

WINDOW = timedelta(minutes=60)
STARTED_AGO = timedelta(hours=3)
# Minutes after opening, bidder (in the order they accepted), amount or None for a withdrawal
# of that bidder's latest bid. The last two bids land inside the final five minutes, so each
# extends the deadline by three (the template's standard anti-sniping).
SCRIPT = [(9, 0, "142000.00"), (16, 1, "139500.00"), (22.5, 2, "138700.00"), (31, 0, "137800.00"),
          (38, 1, "137000.00"), (44, 1, None), (52, 2, "137100.00"), (57.4, 0, "136400.00"),
          (61.5, 1, "135700.00")]
# Each bidder's office address; the second and third bid from one network, which the gaming
# scan reports (HIGH: separate companies behind one address).
ADDRESSES = ["203.0.113.11", "198.51.100.40", "198.51.100.40"]


def finished_auction(create_rfq, owner) -> RFQ:
    """`create_rfq(now, window)` makes and invites the RFQ (the caller's spec) at the replayed
    time; this publishes it, has three suppliers accept and bid, closes it by the close job
    and moves it to evaluation, where the award waits for compliance's certification."""
    start = timezone.now() - STARTED_AGO
    with time_machine.travel(start, tick=True) as clock:
        rfq = create_rfq(timezone.now(), WINDOW)
        rfq_services.rfq_publish(rfq=rfq, user=owner)
        opened = timezone.now()
        bidders = []
        for minutes, invitation in zip((2, 4, 6), Invitation.objects.filter(rfq=rfq).select_related("supplier"), strict=False):
            clock.move_to(opened + timedelta(minutes=minutes))
            member = invitation.supplier.members.first()
            supplier_services.invitation_respond(invitation=invitation, user=member, accept=True)
            bidders.append(member)
        _bid_script(rfq, bidders, opened, clock)
        deadline = RFQ.objects.get(pk=rfq.pk).bidding_deadline
        clock.move_to(deadline + timedelta(seconds=1))
        rfq_services.rfq_close_if_due(rfq_id=rfq.pk)
        clock.move_to(deadline + timedelta(minutes=14))
        rfq_services.rfq_evaluate(rfq=RFQ.objects.get(pk=rfq.pk), user=owner)
    return rfq


def _bid_script(rfq: RFQ, bidders: list, opened: datetime, clock) -> None:
    mechanism = get_mechanism(rfq.auction_type)
    for minutes, who, amount in SCRIPT:
        clock.move_to(opened + timedelta(minutes=minutes))
        user, meta = bidders[who], RequestMeta(ip=ADDRESSES[who], user_agent="Demo browser")
        current = RFQ.objects.get(pk=rfq.pk)
        if amount is None:
            latest = current.bids.filter(supplier=user.supplier, status=BidStatus.ACCEPTED).latest("submitted_at")
            bid_withdraw(rfq=current, user=user, bid_id=latest.pk, meta=meta)
        else:
            bid_place(rfq=current, user=user, draft=mechanism.parse_bid({"amount": amount}), meta=meta)

