from django.core.validators import RegexValidator
from rest_framework import serializers

from common.fields import StrictBooleanField, StrictCharField, StrictIntegerField
from common.schema import ID_MAX

from .models import Invitation, KycDocument, KycDocumentKind, SigningKey, SupplierCompany


class PortOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5)


class SupplierOutput(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    ports = PortOutput(many=True, read_only=True)

    class Meta:
        model = SupplierCompany
        fields = ["id", "name", "country", "tier", "kyc_status", "categories", "ports", "performance_score",
                  "kyc_submitted_at", "kyc_reviewed_at", "kyc_decision_reason"]


class KycDocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KycDocumentKind.choices)
    file = serializers.FileField(allow_empty_file=True)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class KycDocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = KycDocument
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "expires_on", "uploaded_at"]


class KycDecisionInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class KycRejectInput(serializers.Serializer):
    """api.md: a rejection carries a reason the supplier can act on."""

    reason = StrictCharField(max_length=2000)


class InvitationCreateInput(serializers.Serializer):
    # Ids beyond a 64-bit integer would overflow the database driver (a 500) in an `IN` lookup.
    supplier_ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=ID_MAX),
                                         min_length=1, max_length=500)


class InvitationOutput(serializers.ModelSerializer):
    supplier = serializers.SerializerMethodField()
    rfq = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "rfq", "supplier", "status", "sent_at", "responded_at"]

    def get_supplier(self, invitation) -> dict:
        return {"id": invitation.supplier_id, "name": invitation.supplier.name}

    def get_rfq(self, invitation) -> dict:
        rfq = invitation.rfq
        return {"id": rfq.pk, "reference": rfq.reference, "title": rfq.title, "status": rfq.status,
                "bidding_deadline": serializers.DateTimeField().to_representation(rfq.bidding_deadline)}


class InvitationResponseInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class OwnSupplierOutput(SupplierOutput):
    """The company as its own users see it: with its signing policy."""

    class Meta(SupplierOutput.Meta):
        fields = [*SupplierOutput.Meta.fields, "require_signed_bids"]


class SigningPolicyInput(serializers.Serializer):
    require_signed_bids = StrictBooleanField(required=False,
                                             help_text="Refuse this company's unsigned bids (api.md \"Signed bids\")")


# Base64 (either alphabet) of 32 bytes: 43 characters, then the padding.
PUBLIC_KEY_PATTERN = r"^[A-Za-z0-9+/_-]{43}=?$"


class SigningKeyInput(serializers.Serializer):
    public_key = StrictCharField(max_length=44, validators=[RegexValidator(PUBLIC_KEY_PATTERN, message=(
        "Base64 of exactly 32 bytes (the raw Ed25519 public key), not a PEM file or a private key."))],
        help_text="Base64 of the raw 32-byte Ed25519 public key")
    label = StrictCharField(required=False, allow_blank=True, default="", max_length=100)


class SigningKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = SigningKey
        fields = ["id", "key_id", "fingerprint", "label", "public_key", "created_at", "revoked_at"]
