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
