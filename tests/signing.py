"""Signing bid requests in tests as a supplier's system would (api.md "Signed bids"), with
http-message-signatures: independent of the server's verifier and of the Python client."""
from __future__ import annotations

import base64
import datetime
import secrets
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

COVERED = ("@method", "@path", "content-digest")


@dataclass
class _Request:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


class _Resolver(HTTPSignatureKeyResolver):
    def __init__(self, key: Ed25519PrivateKey):
        self.key = key

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        return self.key


def new_key() -> tuple[Ed25519PrivateKey, str]:
    """A private key and its public half as api.md registers it (base64 of the raw 32 bytes)."""
    key = Ed25519PrivateKey.generate()
    return key, base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def signature_headers(key: Ed25519PrivateKey, key_id: str, path: str, body: bytes, *, method: str = "POST",
                      created: datetime.datetime | None = None, nonce: str | None = None,
                      covered: tuple[str, ...] = COVERED) -> dict[str, str]:
    """Content-Digest, Signature-Input and Signature for a request of `body` to `path`."""
    request = _Request(method, f"http://testserver{path}")
    # Given the body, the library adds its Content-Digest and covers it; without, it covers `covered` only.
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Resolver(key)).sign(
        request, key_id=key_id, covered_component_ids=covered, body=body if "content-digest" in covered else None,
        label="sig1",
        created=created or datetime.datetime.now(datetime.UTC), nonce=nonce or secrets.token_urlsafe(16),
        include_alg=True)
    return dict(request.headers)
