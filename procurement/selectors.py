"""Reads of the buyer's workflow: what blocks a transition, what the sweeps have to do."""
from __future__ import annotations

from django.utils import timezone

from auctions.mechanisms import settings_problems
from common.fsm import transition_blockers
from rfqs.models import RFQ, RFQStatus
from suppliers.selectors import invitation_count_active


def rfq_transition_blockers(rfq: RFQ, name: str) -> list[str]:
    """Why the RFQ's transition `name` may not run now, empty when it may: the row's own
    guards (RFQ.<name>_blockers), then what other apps hold — for publishing, the auction
    mechanism's settings and the invitations."""
    reasons = transition_blockers(rfq, name)
    if name == "publish" and rfq.status == RFQStatus.DRAFT:
        reasons += settings_problems(rfq.auction_type, rfq.auction_settings)
        minimum, invited = rfq.minimum_invited_suppliers, invitation_count_active(rfq=rfq)
        if invited < minimum:
            reasons.append(f"At least {minimum} suppliers must be invited (currently {invited}).")
    return reasons


def rfqs_due_to_close(*, limit: int = 500) -> list[int]:
    """Open RFQs whose deadline has passed, oldest deadline first (the sweep's work list)."""
    return list(RFQ.objects.filter(status=RFQStatus.OPEN, bidding_deadline__lte=timezone.now())
                .order_by("bidding_deadline").values_list("pk", flat=True)[:limit])


def rfqs_due_to_open(*, limit: int = 500) -> list[int]:
    """Published RFQs whose opening time has come (including any whose whole window has
    passed: the open job opens and closes those at once)."""
    now = timezone.now()
    return list(RFQ.objects.filter(status=RFQStatus.PUBLISHED, bidding_opens_at__lte=now)
                .order_by("bidding_opens_at").values_list("pk", flat=True)[:limit])
