"""Suppliers' bid-signing keys (api.md "Signed bids"): register, list, revoke, and the
company's policy of refusing its unsigned bids. Each write audits itself."""
from __future__ import annotations

import base64
import binascii
import hashlib

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import audit_append
from common.errors import Conflict, NotFound, ValidationFailed

from .models import SigningKey, SupplierCompany

KEY_BYTES = 32  # a raw Ed25519 public key
KEY_ID_PREFIX = "qk-"


def decode_public_key(text: object) -> bytes:
    """The raw key from base64 (either alphabet, padding optional); 400 naming the field otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("Give the public key.", fields={"public_key": [
            "Base64 of the 32-byte Ed25519 public key (quayside-bid keygen prints it)."]})
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ValidationFailed("That is not an Ed25519 public key.", fields={"public_key": [
            f"Base64 of exactly {KEY_BYTES} bytes (the raw Ed25519 public key), not a PEM file or a private key."]})
    return raw


def fingerprint(raw: bytes) -> str:
    """The key's fingerprint as OpenSSH prints it (`ssh-keygen -l`): SHA256 of the key, base64."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def key_id_for(raw: bytes) -> str:
    """A key id derived from the key itself, so the same key always has the same id."""
    return KEY_ID_PREFIX + hashlib.sha256(b"quayside-signing-key\x00" + raw).hexdigest()[:24]


def _payload(key: SigningKey, **extra: object) -> dict[str, object]:
    return {"supplier_id": key.supplier_id, "key_id": key.key_id, "fingerprint": key.fingerprint,
            "label": key.label, **extra}


def signing_key_register(*, supplier: SupplierCompany, user: User, public_key: object, label: str = "") -> SigningKey:
    raw = decode_public_key(public_key)
    encoded = base64.b64encode(raw).decode()
    with transaction.atomic():
        if SigningKey.objects.select_for_update().filter(public_key=encoded).exists():
            # Registered before, by this company or another, perhaps revoked: a key identifies
            # one company for good, and a revoked key stays revoked.
            raise Conflict("This key is already registered.", fields={"public_key": [
                "This public key is already registered (a revoked key cannot be registered again): "
                "generate a new key pair."]})
        key = SigningKey.objects.create(supplier=supplier, key_id=key_id_for(raw), public_key=encoded,
                                        fingerprint=fingerprint(raw), label=label.strip()[:100], created_by=user)
        audit_append(type="signing_key.registered", actor=user, payload=_payload(key))
    return key


def signing_key_revoke(*, supplier: SupplierCompany, user: User, pk: int) -> SigningKey:
    """Revoke one of the company's keys; revoking a revoked key changes nothing."""
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(supplier=supplier, pk=pk).first()
        if key is None:
            raise NotFound("Key not found.")
        if key.revoked_at is None:
            key.revoked_at, key.revoked_by = timezone.now(), user
            key.save(update_fields=["revoked_at", "revoked_by"])
            audit_append(type="signing_key.revoked", actor=user, payload=_payload(key))
    return key


def signing_policy_set(*, supplier: SupplierCompany, user: User, require_signed_bids: bool) -> SupplierCompany:
    with transaction.atomic():
        company = SupplierCompany.objects.select_for_update().get(pk=supplier.pk)
        if company.require_signed_bids != require_signed_bids:
            if require_signed_bids and not company.signing_keys.filter(revoked_at__isnull=True).exists():
                raise Conflict("Register a signing key first.", fields={"require_signed_bids": [
                    "With no active key every bid of your company would be refused: register a key first."]})
            company.require_signed_bids = require_signed_bids
            company.save(update_fields=["require_signed_bids", "updated_at"])
            audit_append(type="supplier.signing_policy_changed", actor=user, payload={
                "supplier_id": company.pk, "supplier": company.name, "require_signed_bids": require_signed_bids})
    return company


def signing_keys_for(supplier: SupplierCompany) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(supplier=supplier)


def signing_key_for_bidding(*, supplier_id: int, key_id: str) -> SigningKey | None:
    """The company's key a signature names (active or revoked), or None: another company's key
    is as unknown to this supplier's bids as a key nobody registered."""
    return SigningKey.objects.filter(supplier_id=supplier_id, key_id=key_id).first()
