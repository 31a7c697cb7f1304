import uuid

from django.conf import settings
from django.db import models

from common.request_meta import DERIVED_FINGERPRINT


class BidStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"  # valid and standing
    SUPERSEDED = "superseded", "Superseded"  # replaced by a later version from the same supplier
    WITHDRAWN = "withdrawn", "Withdrawn"  # taken back by the supplier while bidding was open


class Bid(models.Model):
    """A supplier's bid or quote on an RFQ, whatever the auction type.

    Reverse-auction bids carry their amount in clear. Sealed and multi-attribute quotes
    carry only `sealed_payload` (ciphertext) until bidding closes; the opening fills in
    amount, lines, criteria and terms, and is audited.
    """

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="bids")
    # The line a per-line reverse bid prices (`bidding_basis: PER_LINE`); empty otherwise.
    line_item = models.ForeignKey("procurement.LineItem", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BidStatus.choices, default=BidStatus.ACCEPTED)
    version = models.PositiveIntegerField(default=1, help_text="Per supplier and RFQ: 1, 2, …")
    amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True,
                                 help_text="Total price; empty while a sealed quote is unopened")
    sealed_payload = models.TextField(blank=True, help_text="The encrypted quote (sealed types)")
    sealed_commitment = models.CharField(max_length=64, blank=True,
                                         help_text="SHA-256 of the nonce-salted plaintext, in the audit trail")
    opened_at = models.DateTimeField(null=True, blank=True)
    criteria = models.JSONField(default=dict, blank=True)
    terms = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    items_quoted = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    audit_seq = models.PositiveBigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    device_fingerprint = models.CharField(max_length=128, blank=True)
    signature_key_id = models.CharField(max_length=40, blank=True, default="",
                                        help_text="The key that signed the bid request (api.md \"Signed bids\")")

    # Marks a fingerprint the server derived from the user agent (the client sent none): it
    # names a browser build that honest suppliers share, not a device.
    DERIVED_FINGERPRINT = DERIVED_FINGERPRINT  # common.request_meta

    class Meta:
        ordering = ["rfq_id", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "supplier", "version"], name="bid_version_unique"),
        ]
        indexes = [
            models.Index(fields=["rfq", "status", "amount"]),
            models.Index(fields=["rfq", "supplier", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"Bid {self.pk} v{self.version} by {self.supplier} on RFQ {self.rfq_id}"

    @property
    def is_sealed(self) -> bool:
        return bool(self.sealed_payload) and self.opened_at is None


class BidLine(models.Model):
    """One priced line of an opened quote."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="lines")
    line_item = models.ForeignKey("procurement.LineItem", on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(max_digits=18, decimal_places=4)
    line_total = models.DecimalField(max_digits=20, decimal_places=4)
    # Split awards: the most and least of the line's quantity offered (None: all of it, and 1).
    max_quantity = models.PositiveIntegerField(null=True, blank=True)
    min_quantity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["bid_id", "line_item__position"]
        constraints = [models.UniqueConstraint(fields=["bid", "line_item"], name="bid_line_unique")]

    def __str__(self) -> str:
        return f"Bid {self.bid_id}: line {self.line_item_id} at {self.unit_price}"


class BidBundle(models.Model):
    """One all-or-nothing offer of an opened combinatorial quote: these lines, one price."""

    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="bundles")
    index = models.PositiveIntegerField(help_text="Position in the quote, from 0")
    line_item_ids = models.JSONField()
    price = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["bid_id", "index"]
        constraints = [models.UniqueConstraint(fields=["bid", "index"], name="bid_bundle_unique")]

    def __str__(self) -> str:
        return f"Bid {self.bid_id} bundle {self.index}: lines {self.line_item_ids} at {self.price}"


class AwardLine(models.Model):
    """What an award gave one supplier on one line: the stored outcome every participant reads."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="award_lines")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="+")
    line_item = models.ForeignKey("procurement.LineItem", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    # Empty on a bundle's lines: a bundle price does not divide between its lines.
    amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    bundle = models.PositiveIntegerField(null=True, blank=True, help_text="The winning bundle's index in its quote")

    class Meta:
        ordering = ["rfq_id", "line_item__position", "supplier_id", "id"]

    def __str__(self) -> str:
        return f"RFQ {self.rfq_id}: {self.quantity} of line {self.line_item_id} to supplier {self.supplier_id}"


class AwardPayment(models.Model):
    """What each winner of an award is paid (pay as bid, second price, or its VCG payment)."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="award_payments")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="+")
    pay_as_bid = models.DecimalField(max_digits=20, decimal_places=4)
    payment = models.DecimalField(max_digits=20, decimal_places=4)
    rule = models.CharField(max_length=20)

    class Meta:
        ordering = ["rfq_id", "supplier_id"]
        constraints = [models.UniqueConstraint(fields=["rfq", "supplier"], name="award_payment_unique")]

    def __str__(self) -> str:
        return f"RFQ {self.rfq_id}: supplier {self.supplier_id} paid {self.payment}"


class RuleViolation(models.Model):
    """Every rule the engine found broken, kept for the fairness report — blocked or not."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="rule_violations")
    supplier = models.ForeignKey("suppliers.SupplierCompany", null=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    bid = models.ForeignKey(Bid, null=True, blank=True, on_delete=models.PROTECT, related_name="violations")
    attempt = models.UUIDField(default=uuid.uuid4, help_text="Groups the violations of one bid attempt")
    action = models.CharField(max_length=20, default="place")
    rule = models.CharField(max_length=60)
    category = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    message = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    blocked = models.BooleanField(help_text="Whether the attempt was refused")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rfq_id", "at", "id"]
        indexes = [models.Index(fields=["rfq", "rule"])]

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity}) on RFQ {self.rfq_id}"


class IdempotencyRecord(models.Model):
    """The first response to a bid request carrying an Idempotency-Key, replayed for repeats."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the request's JSON body")
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status_code}"


def quote_attachment_path(instance: "QuoteAttachment", filename: str) -> str:
    return f"quote-attachments/{instance.bid.rfq_id}/{instance.bid_id}-{instance.sha256[:16]}.sealed"


class QuoteAttachment(models.Model):
    """A file a supplier attached to its quote. The stored bytes are encrypted with the sealing
    keys (auctions.sealing), like the quote; the buyer may read it only once the quote is opened."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=quote_attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Detected from the content, not the name")
    size = models.PositiveBigIntegerField(help_text="Of the plaintext")
    sha256 = models.CharField(max_length=64, help_text="Of the plaintext")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} (bid {self.bid_id})"
