"""Loading an auction's bids and deadlines as the detectors read them (`AuctionFacts`)."""
from __future__ import annotations

from django.utils.dateparse import parse_datetime

from auctions.models import Bid
from audit.models import AuditEvent, rfq_stream
from rfqs.models import RFQ

from .base import AuctionFacts, BidFact


def auction_facts(rfq: RFQ) -> AuctionFacts:
    rows = (Bid.objects.filter(rfq=rfq).order_by("submitted_at", "id")
            .values_list("id", "supplier_id", "supplier__name", "amount", "submitted_at", "ip_address",
                         "device_fingerprint", "user_agent", "status", "withdrawn_at"))
    bids = [BidFact(id=r[0], supplier_id=r[1], supplier_name=r[2], amount=r[3], at=r[4], ip=r[5],
                    fingerprint=r[6], user_agent=r[7], status=r[8], withdrawn_at=r[9]) for r in rows]
    return AuctionFacts(rfq_id=rfq.pk, bids=bids, deadlines=_deadlines(rfq))


def _deadlines(rfq: RFQ) -> list:
    """The original deadline, every anti-sniping extension's and amendment's (from the audit
    trail: an amendment's old deadline was in force until it moved), the current."""
    events = AuditEvent.objects.filter(stream=rfq_stream(rfq.pk), type__in=("deadline.extended", "rfq.amended"))
    moved = []
    for payload in events.values_list("payload", flat=True):
        change = (payload.get("changes") or {}).get("bidding_deadline") or {}
        moved += [parse_datetime(str(value)) for value in (payload.get("new_deadline"), change.get("from"),
                                                           change.get("to")) if value]
    # The trail keeps times to the millisecond: compare at that precision, so the current
    # deadline and its extension event count once.
    return sorted({_ms(d) for d in (rfq.original_deadline, rfq.bidding_deadline, *moved) if d is not None})


def _ms(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
