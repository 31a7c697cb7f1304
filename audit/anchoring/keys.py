"""The Ed25519 key that seals checkpoints. It comes from settings, never from the database."""
from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Domain separation: the derived key must differ from every other use of SECRET_KEY.
DERIVATION_LABEL = b"quayside.audit-signing-key/1\x00"


def _raw(text: str, setting: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")  # either base64 alphabet
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting} must be base64 of 32 bytes (an Ed25519 key)")
    return raw


def signing_key() -> Ed25519PrivateKey:
    """AUDIT_SIGNING_KEY, or on the embedded default a key derived from SECRET_KEY."""
    configured = settings.AUDIT_SIGNING_KEY
    seed = (_raw(configured, "AUDIT_SIGNING_KEY") if configured else
            hashlib.sha256(DERIVATION_LABEL + settings.SECRET_KEY.encode()).digest())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def fingerprint(public: bytes) -> str:
    """OpenSSH's style: SHA256 of the raw public key, base64 without padding."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode().rstrip("=")


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """Keys a checkpoint may be signed with, by fingerprint: the current one and the earlier
    ones still listed in AUDIT_PREVIOUS_PUBLIC_KEYS (a rotation keeps old checkpoints valid)."""
    publics = [public_raw(signing_key())] + [_raw(text, "AUDIT_PREVIOUS_PUBLIC_KEYS")
                                            for text in settings.AUDIT_PREVIOUS_PUBLIC_KEYS if text.strip()]
    return {fingerprint(raw): Ed25519PublicKey.from_public_bytes(raw) for raw in publics}
