"""A checkpoint document: one stream's head, signed. The same bytes go to every store.

    {"format": "quayside.audit-checkpoint/1", "stream": "rfq:12", "seq": 40,
     "head_hash": "<hash of event 40>", "at": "2026-12-03T14:53:00.123456Z",
     "public_key": "<base64>", "key_fingerprint": "SHA256:…", "signature": "<base64>"}

The signature covers the canonical JSON (sorted keys, no spaces) of every other field, so
anyone holding the public key can check a copy without Quayside.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature

from audit.chain import canonical_json

from . import keys

FORMAT = "quayside.audit-checkpoint/1"
FIELDS = ("format", "stream", "seq", "head_hash", "at", "public_key", "key_fingerprint", "signature")


def _signed_part(document: dict) -> bytes:
    return canonical_json({name: document[name] for name in FIELDS if name != "signature"}).encode()


def seal(*, stream: str, seq: int, head_hash: str, at: datetime) -> dict:
    key = keys.signing_key()
    public = keys.public_raw(key)
    document = {"format": FORMAT, "stream": stream, "seq": seq, "head_hash": head_hash,
                "at": at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
                "public_key": keys.encode(public), "key_fingerprint": keys.fingerprint(public)}
    document["signature"] = keys.encode(key.sign(_signed_part({**document, "signature": ""})))
    return document


def to_bytes(document: dict) -> bytes:
    return (canonical_json(document) + "\n").encode()


def from_bytes(raw: bytes) -> dict | None:
    """The document, or None if it is not one (unreadable, or a field missing)."""
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or set(FIELDS) - set(document) or document["format"] != FORMAT:
        return None
    return document


def signature_problem(document: dict) -> str | None:
    """Why the document's seal does not hold (unknown key, bad signature); None if it does."""
    key = keys.trusted_keys().get(document["key_fingerprint"])
    if key is None or keys.fingerprint(_b64(document["public_key"])) != document["key_fingerprint"]:
        return f"signed by a key this deployment does not trust ({document['key_fingerprint']})"
    try:
        key.verify(_b64(document["signature"]), _signed_part(document))
    except InvalidSignature:
        return "its signature does not verify"
    return None


def _b64(text) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        return b""
