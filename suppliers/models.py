from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_countries.fields import CountryField
from django_fsm import FSMField, transition

from common.models import ConcurrentTransitions, TimeStampedModel


class Category(models.Model):
    """A procurement category suppliers qualify for and RFQs are filed under."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Port(models.Model):
    """A seaport by UN/LOCODE, with coordinates for proximity tie-breaks."""

    code = models.CharField(max_length=5, unique=True, help_text="UN/LOCODE, e.g. SGSIN")
    name = models.CharField(max_length=100)
    country = CountryField()
    latitude = models.DecimalField(max_digits=8, decimal_places=5,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(max_digits=8, decimal_places=5,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Tier(models.TextChoices):
    PENDING = "PENDING", "Pending"  # not yet rated
    BRONZE = "BRONZE", "Bronze"
    SILVER = "SILVER", "Silver"
    GOLD = "GOLD", "Gold"


class KycStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", "Not started"  # no submission yet
    SUBMITTED = "SUBMITTED", "Submitted"  # waiting in the compliance review queue
    VERIFIED = "VERIFIED", "Verified"  # may be invited and may bid
    REJECTED = "REJECTED", "Rejected"  # compliance said no, with a reason; may resubmit
    EXPIRED = "EXPIRED", "Expired"  # a required document lapsed; must resubmit


class SupplierCompany(ConcurrentTransitions, TimeStampedModel):
    """A ship chandler, maker or service firm that bids on RFQs."""

    name = models.CharField(max_length=200, unique=True)
    country = CountryField()
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.PENDING)
    categories = models.ManyToManyField(Category, blank=True, related_name="suppliers")
    ports = models.ManyToManyField(Port, blank=True, related_name="suppliers")
    performance_score = models.DecimalField(
        max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    contact_email = models.EmailField(blank=True)
    kyc_status = FSMField(max_length=20, choices=KycStatus.choices, default=KycStatus.NOT_STARTED,
                          protected=True)
    kyc_submitted_at = models.DateTimeField(null=True, blank=True)
    kyc_reviewed_at = models.DateTimeField(null=True, blank=True)
    kyc_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    kyc_decision_reason = models.TextField(blank=True)
    # The company's own policy (api.md "Signed bids"): its users' unsigned bids are refused,
    # so a stolen API token alone cannot bid for it.
    require_signed_bids = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "supplier company"
        verbose_name_plural = "supplier companies"

    def __str__(self) -> str:
        return self.name

    # --- KYC state machine. Transitions change only this row; services audit them. ---
    @transition(field=kyc_status, source=[KycStatus.NOT_STARTED, KycStatus.REJECTED, KycStatus.EXPIRED],
                target=KycStatus.SUBMITTED)
    def kyc_submit(self) -> None:
        pass

    @transition(field=kyc_status, source=KycStatus.SUBMITTED, target=KycStatus.VERIFIED)
    def kyc_approve(self) -> None:
        pass

    @transition(field=kyc_status, source=KycStatus.SUBMITTED, target=KycStatus.REJECTED)
    def kyc_reject(self) -> None:
        pass

    @transition(field=kyc_status, source=KycStatus.VERIFIED, target=KycStatus.EXPIRED)
    def kyc_expire(self) -> None:
        pass

    @property
    def is_kyc_verified(self) -> bool:
        return self.kyc_status == KycStatus.VERIFIED


class KycDocumentKind(models.TextChoices):
    CERTIFICATE_OF_INCORPORATION = "certificate_of_incorporation", "Certificate of incorporation"
    TAX_REGISTRATION = "tax_registration", "Tax registration"
    ISO_CERTIFICATE = "iso_certificate", "ISO certificate"
    CLASS_CERTIFICATE = "class_certificate", "Classification society certificate"
    INSURANCE = "insurance", "Insurance"


def kyc_upload_path(instance: "KycDocument", filename: str) -> str:
    # The stored name never reuses the uploader's file name (it is kept in original_name).
    return f"kyc/{instance.supplier_id}/{instance.kind}-{instance.sha256[:16]}{instance.extension}"


class KycDocument(models.Model):
    """An uploaded KYC document. Never edited: a new upload supersedes an old one."""

    supplier = models.ForeignKey(SupplierCompany, on_delete=models.CASCADE, related_name="kyc_documents")
    kind = models.CharField(max_length=40, choices=KycDocumentKind.choices)
    file = models.FileField(upload_to=kyc_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    extension = models.CharField(max_length=8)
    expires_on = models.DateField(null=True, blank=True)
    # Bookkeeping of the expiry job, not part of the document: the expiry date the supplier
    # was last warned about, so each document is warned of once per date.
    expiry_warning_sent_for = models.DateField(null=True, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.supplier})"


class InvitationStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"  # chosen on a draft RFQ; e-mailed when the RFQ is published
    SENT = "SENT", "Sent"  # e-mailed, waiting for the supplier's answer
    ACCEPTED = "ACCEPTED", "Accepted"  # the supplier will take part and may bid
    DECLINED = "DECLINED", "Declined"  # the supplier will not take part
    REVOKED = "REVOKED", "Revoked"  # withdrawn by the buyer


class Invitation(ConcurrentTransitions, TimeStampedModel):
    """An RFQ × supplier invitation."""

    rfq = models.ForeignKey("procurement.RFQ", on_delete=models.CASCADE, related_name="invitations")
    supplier = models.ForeignKey(SupplierCompany, on_delete=models.PROTECT, related_name="invitations")
    status = FSMField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING,
                      protected=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["rfq_id", "supplier__name"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "supplier"], name="one_invitation_per_supplier_per_rfq"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.rfq_id} ({self.status})"

    @transition(field=status, source=InvitationStatus.PENDING, target=InvitationStatus.SENT)
    def send(self) -> None:
        pass

    @transition(field=status, source=InvitationStatus.SENT, target=InvitationStatus.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=status, source=InvitationStatus.SENT, target=InvitationStatus.DECLINED)
    def decline(self) -> None:
        pass

    @transition(field=status, source=[InvitationStatus.PENDING, InvitationStatus.SENT, InvitationStatus.ACCEPTED],
                target=InvitationStatus.REVOKED)
    def revoke(self) -> None:
        pass

    # Re-inviting a supplier whose invitation was revoked reuses the row (one per RFQ).
    @transition(field=status, source=InvitationStatus.REVOKED, target=InvitationStatus.PENDING)
    def reinstate(self) -> None:
        pass


class KycReviewQueue(SupplierCompany):
    """The compliance review queue in the admin: suppliers whose KYC is SUBMITTED."""

    class Meta:
        proxy = True
        verbose_name = "KYC review"
        verbose_name_plural = "KYC review queue"


class SigningKey(models.Model):
    """An Ed25519 public key a supplier signs bids with (RFC 9421). Never edited: revoked, then
    kept, so the audit trail's key ids stay resolvable and a revoked key is never reused."""

    supplier = models.ForeignKey(SupplierCompany, on_delete=models.PROTECT, related_name="signing_keys")
    key_id = models.CharField(max_length=40, unique=True, help_text="The keyid signatures name")
    public_key = models.CharField(max_length=44, unique=True, help_text="Base64 of the raw 32-byte Ed25519 key")
    fingerprint = models.CharField(max_length=60, help_text="SHA256:… of the raw key, as OpenSSH prints it")
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.supplier})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
