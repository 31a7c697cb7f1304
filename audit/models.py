from django.conf import settings
from django.db import models

PLATFORM_STREAM = "platform"


def rfq_stream(rfq_id: int) -> str:
    return f"rfq:{rfq_id}"


class AuditStream(models.Model):
    """The head of one hash chain: per RFQ, plus one platform stream (KYC decisions).

    Appending locks this row, which orders events and hands out `seq` without gaps.
    It is only a cache of the chain's head: verification trusts the events alone.
    """

    key = models.CharField(max_length=40, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    # The seq of the stream's latest event that live clients receive (common.realtime): each
    # live message names the one before it, so a client tells a lost message from an
    # event it was never meant to get (a refused bid, an invitation).
    last_live_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} @ {self.last_seq}"


class AuditEvent(models.Model):
    """One append-only, hash-chained fact. The database refuses UPDATE and DELETE."""

    stream = models.CharField(max_length=40, db_index=True)
    seq = models.PositiveBigIntegerField()
    rfq = models.ForeignKey("procurement.RFQ", null=True, blank=True, on_delete=models.DO_NOTHING,
                            db_constraint=False, related_name="audit_events")
    type = models.CharField(max_length=60)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    # The actor's name at the time, so the record reads the same if the account changes.
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    # Delivery, not the fact (outside the hash): for an event live clients receive, the seq
    # of the stream's live event before it (0: none); NULL for every other event.
    live_prev_seq = models.PositiveBigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["stream", "seq"]
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="audit_seq_unique_per_stream")]
        indexes = [models.Index(fields=["rfq", "seq"])]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.type}"


class Checkpoint(models.Model):
    """A mirror of one signed checkpoint of a stream's head (audit/anchoring/).

    The checkpoint itself lives outside the database, in the anchor store, and that copy is
    what verification trusts; this row only tells the sealing job where each stream was last
    sealed, without listing the store. Altering it can cost a checkpoint, never forge one.
    """

    stream = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=80)

    class Meta:
        ordering = ["stream", "seq"]
        get_latest_by = "seq"
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="audit_checkpoint_unique_seq")]

    def __str__(self) -> str:
        return f"{self.stream} sealed @ {self.seq}"


class AlertSeverity(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"  # blocks award until a compliance officer certifies `approve`


class GamingAlert(models.Model):
    """One pattern a gaming detector found in an auction's bids (product.md §5).

    A detector may find the same pattern again as bidding goes on: `key` names the
    pattern's instance (e.g. the shared IP and the suppliers behind it), so a rerun updates
    the evidence of its alert instead of raising a second one. Every raise and update is
    audited on the RFQ's stream, so the evidence as it stood at any time is on record.
    """

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="gaming_alerts")
    detector = models.CharField(max_length=40, help_text="The detector's name, e.g. shared_ip")
    key = models.CharField(max_length=200, help_text="Which instance of the pattern this is, per detector")
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    summary = models.TextField()
    # {"bids": [{id, supplier_id, amount, at, ip, fingerprint}], "suppliers": [...], ...}
    evidence = models.JSONField(default=dict)
    supplier_ids = models.JSONField(default=list, help_text="Suppliers the pattern involves")
    phase = models.CharField(max_length=10, default="bidding", help_text="bidding or close: when it was last seen")
    raised_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["rfq", "raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["rfq", "detector", "key"], name="gaming_alert_unique_instance")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.detector} on RFQ {self.rfq_id}"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve"  # fair: award may proceed
    REVIEW = "review", "Review"  # needs more scrutiny: award stays blocked if gated
    REJECT = "reject", "Reject"  # unfair: award stays blocked


class Certification(models.Model):
    """A compliance officer's verdict on an auction's fairness audit. Never edited: a new
    verdict is a new row, and the latest one counts (all are kept and audited)."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="certifications")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    officer_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    findings = models.JSONField(default=list)
    report_version = models.PositiveIntegerField(help_text="The report version the officer certified")

    class Meta:
        ordering = ["rfq", "at", "pk"]
        get_latest_by = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation} by {self.officer_name} on RFQ {self.rfq_id}"


class FairnessReport(models.Model):
    """The fairness-audit report of a closed auction, as last generated (product.md §5).

    `data` is the api.md JSON. It is regenerated when new facts arrive (an alert, a
    certification, the award); each generation bumps `version` and is audited with the
    hash of its content, so a PDF or JSON someone downloaded can be matched to its record.
    """

    rfq = models.OneToOneField("procurement.RFQ", on_delete=models.PROTECT, related_name="fairness_report")
    version = models.PositiveIntegerField(default=1)
    generated_at = models.DateTimeField()
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Fairness report v{self.version} of RFQ {self.rfq_id}"


class ComplianceSample(models.Model):
    """One quarter's random draw of closed auctions for compliance review. The seed is kept
    so anyone can redraw the same sample from the same population."""

    quarter = models.CharField(max_length=7, unique=True, help_text="e.g. 2026-Q3")
    seed = models.BigIntegerField()
    population = models.JSONField(default=list, help_text="Ids of every auction closed in the quarter, sorted")
    size = models.PositiveIntegerField()
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-quarter"]

    def __str__(self) -> str:
        return f"{self.quarter} sample ({self.size} of {len(self.population)})"


class ReviewStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"  # waiting for an officer
    REVIEWED = "REVIEWED", "Reviewed"  # an officer recorded an outcome


class ComplianceReviewItem(models.Model):
    """One auction in the compliance review queue, put there by the quarterly sample."""

    sample = models.ForeignKey(ComplianceSample, on_delete=models.PROTECT, related_name="items")
    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="compliance_reviews")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "sample", "rfq"]
        constraints = [models.UniqueConstraint(fields=["sample", "rfq"], name="review_item_unique_per_sample")]

    def __str__(self) -> str:
        return f"{self.sample.quarter}: RFQ {self.rfq_id} ({self.status})"
