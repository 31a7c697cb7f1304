from django.conf import settings
from django.db import models


class BidStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"  # valid and counting
    SUPERSEDED = "superseded", "Superseded"  # replaced by a later version from the same supplier
    WITHDRAWN = "withdrawn", "Withdrawn"  # taken back by the supplier while bidding was open


class Bid(models.Model):
    """A supplier's bid or quote on an RFQ, whatever the auction type.

    The auction engine (mechanisms, rule engine, sealed encryption) places bids; this row
    is what evaluation and award refer to.
    """

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey("suppliers.SupplierCompany", on_delete=models.PROTECT, related_name="bids")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BidStatus.choices, default=BidStatus.ACCEPTED)
    version = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True,
                                 help_text="Total price; empty while a sealed quote is unopened")

    class Meta:
        ordering = ["rfq_id", "submitted_at"]
        indexes = [models.Index(fields=["rfq", "status"])]

    def __str__(self) -> str:
        return f"Bid {self.pk} by {self.supplier} on RFQ {self.rfq_id}"
