"""Reads of the buyer's workflow: the RFQ list as searched and filtered, what blocks a
transition, what the sweeps have to do."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from auctions.access import rfq_list
from auctions.mechanisms import settings_problems
from common.fsm import transition_blockers
from common.listing import QueryReader, reference_id
from rfqs.models import RFQ, AuctionType, RFQStatus
from suppliers.selectors import invitation_count_active, pending_invitations_no_longer_eligible

# ?ordering= fields and the columns they sort by (the reference is the id, zero-padded).
RFQ_ORDERING = {"bidding_deadline": "bidding_deadline", "created_at": "created_at", "title": "title",
                "status": "status", "reference": "pk"}
RFQ_DEFAULT_ORDERING = "-created_at"
RFQ_QUERY = ("search", "status", "auction_type", "category", "deadline_after", "deadline_before", "ordering")


@dataclass(frozen=True)
class RFQFilters:
    """GET /rfqs/'s and the RFQ list page's search, filters and ordering (api.md "Lots and
    finding things"). deadline_after is inclusive, deadline_before exclusive."""

    search: str = ""
    status: str | None = None
    auction_type: str | None = None
    category: str | None = None
    deadline_after: datetime | None = None
    deadline_before: datetime | None = None
    ordering: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> RFQFilters:
        """Raises ValidationFailed naming every bad parameter."""
        read = QueryReader(params)
        filters = cls(search=read.text(), status=read.choice("status", RFQStatus.values),
                      auction_type=read.choice("auction_type", AuctionType.values), category=read.slug("category"),
                      deadline_after=read.moment("deadline_after"), deadline_before=read.moment("deadline_before"),
                      ordering=read.ordering(RFQ_ORDERING))
        read.done()
        return filters


def _rfq_search(text: str) -> Q:
    found = Q(title__icontains=text) | Q(description__icontains=text)
    pk = reference_id(text)
    return found | Q(pk=pk) if pk is not None else found


def rfq_list_filtered(*, user: User, filters: RFQFilters) -> QuerySet[RFQ]:
    """The RFQs `user` may see (auctions.access.rfq_list: tenancy first), narrowed by `filters`."""
    qs = rfq_list(user=user)
    if filters.search:
        qs = qs.filter(_rfq_search(filters.search))
    exact = {"status": filters.status, "auction_type": filters.auction_type, "category__slug": filters.category,
             "bidding_deadline__gte": filters.deadline_after, "bidding_deadline__lt": filters.deadline_before}
    qs = qs.filter(**{lookup: value for lookup, value in exact.items() if value is not None})
    ordering = filters.ordering or RFQ_DEFAULT_ORDERING
    descending = "-" if ordering.startswith("-") else ""
    column = RFQ_ORDERING[ordering.removeprefix("-")]
    # The id breaks ties, so a page boundary never repeats or skips a row.
    return qs.order_by(f"{descending}{column}", f"{descending}pk")


def rfq_transition_blockers(rfq: RFQ, name: str) -> list[str]:
    """Why the RFQ's transition `name` may not run now, empty when it may: the row's own
    guards (RFQ.<name>_blockers), then what other apps hold — for publishing, the auction
    mechanism's settings and the invitations."""
    reasons = transition_blockers(rfq, name)
    if name == "publish" and rfq.status == RFQStatus.DRAFT:
        reasons += settings_problems(rfq.auction_type, rfq.auction_settings)
        # Eligibility was checked when each supplier was invited on the draft; KYC can lapse
        # and qualifications change before publishing sends the invitations (product.md §2).
        reasons += pending_invitations_no_longer_eligible(rfq=rfq)
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


def rfqs_due_after_close(*, limit: int = 100) -> list[int]:
    """Closed RFQs whose after-close work (the at-close gaming scan, the fairness report) never
    finished: no report generated since the close, which is older than
    AFTER_CLOSE_GRACE_SECONDS (its own job has had its time). The after-close sweep's work
    list: the job was lost with the broker, or its worker died mid-job. A reopened RFQ has no
    `closed_at` until it closes again."""
    closed_before = timezone.now() - timedelta(seconds=settings.AFTER_CLOSE_GRACE_SECONDS)
    unreported = Q(fairness_report__isnull=True) | Q(fairness_report__generated_at__lt=F("closed_at"))
    return list(RFQ.objects.filter(unreported, closed_at__lte=closed_before)
                .order_by("closed_at").values_list("pk", flat=True)[:limit])
