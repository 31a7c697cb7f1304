"""Sealed quotes: encrypted at rest with a rotatable key, opened only at close.

Keys come from settings.QUAYSIDE_SEALING_KEYS, newest first (Fernet keys). Adding a new key
in front and running `manage.py rotate_sealing_keys` re-encrypts every unopened quote; old
keys can then be removed. The embedded default derives a key from SECRET_KEY so it runs
with no configuration; production must set SEALING_KEYS.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from decimal import Decimal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder


class SealError(Exception):
    """A sealed quote could not be opened as submitted."""


def derived_key(secret: str) -> str:
    """A Fernet key derived from a secret (the embedded default's SECRET_KEY)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"quayside-sealed-bids",
               info=b"fernet").derive(secret.encode())
    return base64.urlsafe_b64encode(raw).decode()


def _cipher() -> MultiFernet:
    keys = settings.QUAYSIDE_SEALING_KEYS or [derived_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(key) for key in keys])


def seal(quote: dict) -> tuple[str, str]:
    """Encrypt a quote; return (token, commitment).

    The commitment is the SHA-256 of the plaintext with a random nonce in it: recorded in the
    audit trail at submission, it binds the supplier to exactly this quote (checked at the
    opening) without revealing a price, and it survives key rotation.
    """
    plaintext = json.dumps({**quote, "nonce": secrets.token_hex(16)}, cls=DjangoJSONEncoder,
                           sort_keys=True).encode()
    return _cipher().encrypt(plaintext).decode(), hashlib.sha256(plaintext).hexdigest()


def unseal(token: str, *, commitment: str | None = None) -> dict:
    """Decrypt a quote; with `commitment`, refuse one that is not what was submitted."""
    try:
        plaintext = _cipher().decrypt(token.encode())
    except InvalidToken as exc:
        raise SealError("A sealed quote cannot be decrypted with the configured keys.") from exc
    if commitment is not None and hashlib.sha256(plaintext).hexdigest() != commitment:
        raise SealError("A sealed quote does not match the commitment recorded when it was submitted.")
    quote = json.loads(plaintext)
    return {**quote, "lines": [{**line, "unit_price": Decimal(line["unit_price"])} for line in quote["lines"]],
            "bundles": [{**bundle, "price": Decimal(bundle["price"])} for bundle in quote.get("bundles", [])],
            "total": Decimal(quote["total"])}


def encrypt_json(data) -> str:
    """Encrypt any JSON-ready value (e.g. a stored response that repeats a sealed total)."""
    return _cipher().encrypt(json.dumps(data, cls=DjangoJSONEncoder).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(_cipher().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SealError("Encrypted data cannot be decrypted with the configured keys.") from exc


def reseal(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate)."""
    return _cipher().rotate(token.encode()).decode()


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file sealed with a quote (its attachments)."""
    return _cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as exc:
        raise SealError("An encrypted file cannot be decrypted with the configured keys.") from exc


def reseal_bytes(token: bytes) -> bytes:
    return _cipher().rotate(token)
