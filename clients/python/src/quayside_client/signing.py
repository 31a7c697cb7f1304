"""Signed bids (api.md "Signed bids"): RFC 9421 HTTP Message Signatures with Ed25519.

The private key stays with the supplier, in a PEM file (PKCS#8, unencrypted, mode 0600);
the server gets the public key as base64 of its 32 raw bytes (`register_key`). A signed
request covers `"@method"`, `"@path"` and `"content-digest"` (SHA-256 of the exact body
bytes sent), with the parameters `created`, `nonce` (fresh per request) and `keyid`, under
the label `sig1`.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

COVERED_COMPONENTS = ("@method", "@path", "content-digest")
LABEL = "sig1"


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def save_private_key(key: Ed25519PrivateKey, path: Path, *, overwrite: bool = False) -> None:
    """Write the key as PEM (PKCS#8), readable by its owner only (0600 from the start: the
    file is created with that mode, never widened and narrowed later)."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(path, 0o600)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """A key saved by save_private_key (PEM), or base64 of the 32 raw private bytes."""
    data = path.read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(data, password=None)
    else:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(data.strip(), validate=True))
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_base64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """What `POST /api/v1/suppliers/me/keys/` takes: base64 of the 32 raw public bytes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA256:… of the raw public key, as OpenSSH prints fingerprints."""
    raw = base64.b64decode(public_key_base64(key))
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, key: Ed25519PrivateKey) -> None:
        self.key_id, self.key = key_id, key

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        if key_id != self.key_id:
            raise KeyError(key_id)
        return self.key

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        return self.key.public_key() if key_id == self.key_id else None


class RequestSigner:
    """Signs outgoing requests with one registered key (`key_id` as the server returned it)."""

    def __init__(self, key: Ed25519PrivateKey, key_id: str) -> None:
        self.key, self.key_id = key, key_id
        self._signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(key_id, key))

    @classmethod
    def from_file(cls, path: Path, key_id: str) -> RequestSigner:
        return cls(load_private_key(path), key_id)

    def sign(self, request: httpx.Request, body: bytes, *, created: datetime | None = None,
             nonce: str | None = None) -> None:
        """Add Content-Digest, Signature-Input and Signature to `request`, whose body must be
        exactly `body`. Each call takes a fresh nonce (a retry is signed anew)."""
        for name in ("Content-Digest", "Signature-Input", "Signature"):
            if name in request.headers:
                del request.headers[name]
        self._signer.sign(request, key_id=self.key_id, label=LABEL, covered_component_ids=COVERED_COMPONENTS,
                          created=created or datetime.now(UTC), nonce=nonce or secrets.token_urlsafe(16),
                          body=body)
