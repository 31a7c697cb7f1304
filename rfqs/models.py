from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition

from common.models import ConcurrentTransitions, TimeStampedModel


class RFQStatus(models.TextChoices):
    DRAFT = "draft", "Draft"  # being prepared by the buyer; invisible to suppliers
    PUBLISHED = "published", "Published"  # invitations sent; bidding not yet open
    OPEN = "open", "Open"  # bidding window running
    PAUSED = "paused", "Paused"  # suspended by the buyer; the deadline moves by the pause
    CLOSED = "closed", "Closed"  # window over; sealed prices opened
    EVALUATION = "evaluation", "Evaluation"  # valid bids being compared by the buyer
    AWARDED = "awarded", "Awarded"  # a bid won; final
    NO_AWARD = "no_award", "No award"  # no valid bid or reserve not met; may reopen
    CANCELLED = "cancelled", "Cancelled"  # stopped by the buyer with a reason; final


class AuctionType(models.TextChoices):
    SEALED_BID = "SEALED_BID", "Sealed bid"
    REVERSE_AUCTION = "REVERSE_AUCTION", "Reverse auction"
    MULTI_ATTRIBUTE = "MULTI_ATTRIBUTE", "Multi-attribute auction"
    COMBINATORIAL = "COMBINATORIAL", "Combinatorial (bundle) auction"


class ReserveVisibility(models.TextChoices):
    HIDDEN = "hidden", "Hidden"  # never shown to suppliers
    DISCLOSED = "disclosed", "Disclosed"  # shown to invited suppliers
    DISCLOSED_AS_STARTING = "disclosed_as_starting", "Disclosed as starting price"  # bids must be below it


CANCELLABLE = [RFQStatus.DRAFT, RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED,
               RFQStatus.CLOSED, RFQStatus.EVALUATION, RFQStatus.NO_AWARD]


class RFQ(ConcurrentTransitions, TimeStampedModel):
    """A request for quotation, run as one auction. The status moves only through services."""

    buyer_organization = models.ForeignKey("accounts.BuyerOrganization", on_delete=models.PROTECT,
                                           related_name="rfqs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey("suppliers.Category", on_delete=models.PROTECT, related_name="rfqs")
    currency = models.CharField(max_length=3)
    delivery_port = models.ForeignKey("suppliers.Port", on_delete=models.PROTECT, related_name="rfqs")
    delivery_date = models.DateField()

    bidding_opens_at = models.DateTimeField(null=True, blank=True)
    bidding_deadline = models.DateTimeField(help_text="The current deadline; anti-sniping and pauses move it.")
    original_deadline = models.DateTimeField()
    extensions = models.PositiveIntegerField(default=0)
    # Bumped whenever the deadline moves, so a close job scheduled for an old deadline
    # can tell it is stale.
    deadline_version = models.PositiveIntegerField(default=1)
    # Amendments published so far (numbered 1..n): the bid rule `amendment_acknowledged` reads
    # it from the locked row, so an auction never amended costs no query.
    amendment_count = models.PositiveIntegerField(default=0)

    status = FSMField(max_length=20, choices=RFQStatus.choices, default=RFQStatus.DRAFT, protected=True)

    # The live state of the auction, on this one row: the bid path locks it, re-checks and
    # updates it in one short transaction (architecture.md "Hot path").
    best_amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    best_bid = models.ForeignKey("auctions.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bid_count = models.PositiveIntegerField(default=0, help_text="Standing bids (sealed: suppliers who quoted)")
    last_extension_at = models.DateTimeField(null=True, blank=True)
    bids_opened_at = models.DateTimeField(null=True, blank=True)
    # Drawn at close and recorded in the audit trail, so a random tie-break can be replayed.
    tie_break_seed = models.BigIntegerField(null=True, blank=True)

    awarded_bid = models.ForeignKey("auctions.Bid", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    award_override = models.BooleanField(default=False, help_text="Awarded against the recommendation")

    auction_type = models.CharField(max_length=20, choices=AuctionType.choices)
    auction_settings = models.JSONField(default=dict)
    template = models.CharField(max_length=40, blank=True, help_text="Scenario template it started from")

    reserve_enabled = models.BooleanField(default=False)
    reserve_amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    reserve_visibility = models.CharField(max_length=24, choices=ReserveVisibility.choices,
                                          default=ReserveVisibility.HIDDEN)
    reserve_auto_accept_if_met = models.BooleanField(default=False)
    reserve_notify_buyer_if_not_met = models.BooleanField(default=True)
    # When the buyer was told that the close left the reserve unmet (once: the after-close job
    # may run twice).
    reserve_notice_sent_at = models.DateTimeField(null=True, blank=True)

    tie_breaking = models.JSONField(default=dict)

    published_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Set when the buyer switched a live reverse auction to sealed-bid collection for the
    # rest of the window (product.md §4.2 fallback): later bids are sealed until the close.
    sealed_fallback_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Reason given with the last transition")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "RFQ"
        verbose_name_plural = "RFQs"
        indexes = [models.Index(fields=["buyer_organization", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"RFQ-{self.pk:06d}" if self.pk else "RFQ-new"

    # --- Guards: side-effect-free; each returns the reasons a transition may not run. ---
    def publish_blockers(self) -> list[str]:
        """This row's own reasons; what other apps hold (the mechanism's settings, the
        invitations) is added by procurement.selectors.rfq_transition_blockers."""
        reasons = []
        if not self.line_items.exists():
            reasons.append("The RFQ needs at least one line item.")
        if self.auction_settings.get("award_mode") == "SPLIT" and any(
                q != q.to_integral_value() for q in self.line_items.values_list("quantity", flat=True)):
            reasons.append("A split award divides line quantities in whole units: every line item's quantity must "
                           "be a whole number.")
        if self.bidding_deadline <= timezone.now():
            reasons.append("The bidding deadline must be in the future.")
        return reasons

    def open_blockers(self) -> list[str]:
        if self.bidding_opens_at and self.bidding_opens_at > timezone.now():
            return [f"Bidding opens at {self.bidding_opens_at:%Y-%m-%d %H:%M} UTC."]
        if self.bidding_deadline <= timezone.now() and not self.opening_after_lapse:
            return ["The bidding deadline has passed."]
        return []

    def close_blockers(self) -> list[str]:
        if self.bidding_deadline > timezone.now():
            return [f"Bidding runs until {self.bidding_deadline:%Y-%m-%d %H:%M:%S} UTC; "
                    "it cannot be closed early (cancel it instead)."]
        return []

    def pause_blockers(self) -> list[str]:
        if self.bidding_deadline <= timezone.now():
            return ["The bidding deadline has passed; the auction can only close now."]
        return []

    def reopen_blockers(self) -> list[str]:
        if self.bidding_deadline <= timezone.now():
            return ["Reopening needs a new bidding deadline in the future."]
        return []

    def can_publish(self) -> bool:
        return not self.publish_blockers()

    # Set only by the opening job on a locked row whose whole window passed before any job
    # ran: it opens late and closes in the same transaction, so no bid can slip in.
    opening_after_lapse = False

    def can_open(self) -> bool:
        return not self.open_blockers()

    def can_close(self) -> bool:
        return not self.close_blockers()

    def can_pause(self) -> bool:
        return not self.pause_blockers()

    def can_reopen(self) -> bool:
        return not self.reopen_blockers()

    @property
    def minimum_invited_suppliers(self) -> int:
        configured = settings.QUAYSIDE["MIN_INVITED_SUPPLIERS"]
        return max(configured, int(self.auction_settings.get("minimum_bidders") or 0))

    @property
    def is_live(self) -> bool:
        return self.status in (RFQStatus.OPEN, RFQStatus.PAUSED)

    # --- Transitions: they change only this row; services lock, audit and notify. ---
    @transition(field=status, source=RFQStatus.DRAFT, target=RFQStatus.PUBLISHED, conditions=[can_publish])
    def publish(self) -> None:
        self.published_at = timezone.now()

    @transition(field=status, source=RFQStatus.PUBLISHED, target=RFQStatus.OPEN, conditions=[can_open])
    def open(self) -> None:
        self.opened_at = timezone.now()

    @transition(field=status, source=RFQStatus.OPEN, target=RFQStatus.PAUSED, conditions=[can_pause])
    def pause(self) -> None:
        self.paused_at = timezone.now()

    @transition(field=status, source=RFQStatus.PAUSED, target=RFQStatus.OPEN)
    def resume(self) -> None:
        # The window is extended by exactly the time bidding was suspended.
        self.bidding_deadline += timezone.now() - self.paused_at
        self.deadline_version += 1
        self.paused_at = None

    @transition(field=status, source=RFQStatus.OPEN, target=RFQStatus.CLOSED, conditions=[can_close])
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(field=status, source=RFQStatus.CLOSED,
                target=RETURN_VALUE(RFQStatus.EVALUATION, RFQStatus.NO_AWARD))
    def evaluate(self, *, awardable: bool) -> str:
        """EVALUATION when a valid bid meets the reserve; otherwise NO_AWARD (reopen or cancel)."""
        if not awardable:
            self.decided_at = timezone.now()
        return RFQStatus.EVALUATION if awardable else RFQStatus.NO_AWARD

    @transition(field=status, source=RFQStatus.EVALUATION, target=RFQStatus.AWARDED)
    def award(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=status, source=RFQStatus.NO_AWARD, target=RFQStatus.OPEN, conditions=[can_reopen])
    def reopen(self) -> None:
        self.opened_at = timezone.now()
        self.closed_at = None
        self.decided_at = None
        self.bids_opened_at = None  # quotes submitted from now on are sealed until the next close
        # A new round: its own anti-sniping allowance, counted from its own deadline.
        self.original_deadline = self.bidding_deadline
        self.extensions = 0
        self.last_extension_at = None

    @transition(field=status, source=CANCELLABLE, target=RFQStatus.CANCELLED)
    def cancel(self) -> None:
        self.decided_at = timezone.now()


class LineItem(models.Model):
    """One thing to be priced: quantity and unit, optionally an IMPA catalogue code."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="line_items")
    position = models.PositiveIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=20)
    impa_code = models.CharField(max_length=6, blank=True,
                                 validators=[RegexValidator(r"^\d{6}$", "An IMPA code has six digits.")])
    # A reverse auction bid per line (`bidding_basis: PER_LINE`): the line's ceiling, and its live
    # state, written by the bid path under the auction row's lock like the RFQ's own best.
    starting_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    best_amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    best_bid = models.ForeignKey("auctions.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bid_count = models.PositiveIntegerField(default=0, help_text="Standing bids on this line (PER_LINE)")

    class Meta:
        ordering = ["rfq_id", "position"]
        constraints = [models.UniqueConstraint(fields=["rfq", "position"], name="line_item_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class Clarification(models.Model):
    """A supplier's question on an RFQ and the buyer's answer.

    The answer goes to the asker only, or, when published, to every invited supplier
    without saying who asked (procurement.clarifications decides who sees what).
    """

    QUESTION_MAX = 2000
    ANSWER_MAX = 4000

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="+")
    asked_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(max_length=QUESTION_MAX)
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(max_length=ANSWER_MAX, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rfq_id", "asked_at", "id"]

    def __str__(self) -> str:
        return f"Clarification {self.pk} on RFQ {self.rfq_id}"
class Amendment(models.Model):
    """A numbered change to a published RFQ, with the buyer's reason (product.md §8).

    `changes` is {field: {"from": ..., "to": ...}} as recorded in the `rfq.amended` audit
    event; invited suppliers acknowledge each one before they bid again.
    """

    REASON_MAX = 2000

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveIntegerField()
    reason = models.TextField(max_length=REASON_MAX)
    changes = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rfq_id", "number"]
        constraints = [models.UniqueConstraint(fields=["rfq", "number"], name="amendment_number_unique")]

    def __str__(self) -> str:
        return f"Amendment {self.number} to RFQ {self.rfq_id}"


class AmendmentAcknowledgement(models.Model):
    """An invited supplier's acknowledgement that it read one amendment."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="acknowledgements")
    supplier = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["amendment_id", "acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["amendment", "supplier"],
                                               name="one_acknowledgement_per_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier_id} acknowledged amendment {self.amendment_id}"


def rfq_attachment_path(instance: "RFQAttachment", filename: str) -> str:
    # The stored name never reuses the uploader's file name (it is kept in original_name).
    return f"rfq-attachments/{instance.rfq_id}/{instance.sha256[:16]}{instance.extension}"


class RFQAttachment(models.Model):
    """A document the buyer attached to an RFQ (drawings, specifications). Private: served only
    through a view that asks auctions.access who may see the RFQ."""

    rfq = models.ForeignKey(RFQ, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=rfq_attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Detected from the content, not the name")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    extension = models.CharField(max_length=8)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.rfq_id})"
