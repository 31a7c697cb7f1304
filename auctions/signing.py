"""Signed bids (api.md "Signed bids"): an RFC 9421 HTTP Message Signature, algorithm ed25519,
over the request's method, path and Content-Digest, with `created`, `nonce` and `keyid`.

The check needs the raw request, so the bid view runs it; its outcome travels with the bid
attempt to the rule `bid_signature`, which refuses through the ordinary rule path (422 with
every violation, the refusal in the audit trail). The cryptography is http-message-signatures';
what is checked here is the policy: whose key, how old, used before.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

import http_sf
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import DisallowedHost
from http_message_signatures import HTTPMessageVerifier, HTTPSignatureKeyResolver, InvalidSignature, algorithms

from common.nonces import nonce_claim
from suppliers.signing_keys import signing_key_for_bidding

WINDOW_SECONDS = 60  # `created` may be this far from server time, either way
# A signature created up to a window ahead of the clock stays acceptable for two windows:
# its nonce is remembered a little longer than that.
NONCE_TTL_SECONDS = 2 * WINDOW_SECONDS + 10
MAX_NONCE_LENGTH = 128
REQUIRED_COMPONENTS = ("@method", "@path", "content-digest")
ALGORITHM = "ed25519"


@dataclass(frozen=True)
class SignatureCheck:
    """A signed bid request's verdict. `problem` is None when the signature verified."""

    key_id: str | None
    problem: str | None = None
    reason: str | None = None  # malformed, unknown_key, revoked_key, stale, digest, signature, replayed_nonce
    record: dict[str, Any] = field(default_factory=dict)  # what the audit trail keeps of a verified one

    @property
    def verified(self) -> bool:
        return self.problem is None


def is_signed(request) -> bool:
    return "Signature" in request.headers or "Signature-Input" in request.headers


def keep_raw_body(request) -> None:
    """Read a signed request's body before anything parses it: the digest is of these bytes,
    and Django lets the raw body be read only before the stream is."""
    if is_signed(request):
        request.body  # noqa: B018  (cached on the request for the check)


@dataclass
class _Message:
    """The request as http-message-signatures reads one: method, absolute URL, header lines."""

    method: str
    url: str
    headers: dict[str, str]


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key: Ed25519PublicKey):
        self.key = key

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey:
        return self.key


class _Verifier(HTTPMessageVerifier):
    # The window is checked (with a clear message) before verification; this only keeps the
    # library from refusing a `created` within it as "in the future".
    max_clock_skew = datetime.timedelta(seconds=WINDOW_SECONDS)


def _refused(key_id: str | None, reason: str, problem: str) -> SignatureCheck:
    return SignatureCheck(key_id=key_id, problem=problem, reason=reason)


def _signature_input(request) -> tuple[str, list[str], dict[str, Any]] | str:
    """(label, covered component names, parameters) of the one signature, or what is wrong."""
    if "Signature" not in request.headers or "Signature-Input" not in request.headers:
        return "A signed bid carries both Signature-Input and Signature headers."
    try:
        members = http_sf.parse(request.headers["Signature-Input"].encode("latin-1"), tltype="dictionary")
    except Exception:  # the parser raises ValueError and friends on any malformed field
        return "The Signature-Input header is not a valid structured field (RFC 9421 §4.1)."
    if len(members) != 1:
        return "Sign a bid with exactly one signature."
    label, value = next(iter(members.items()))
    if not isinstance(value, tuple) or not isinstance(value[0], list):
        return "The Signature-Input member must be an inner list of covered components."
    covered = [item[0] for item in value[0] if isinstance(item, tuple)]
    return label, [name for name in covered if isinstance(name, str)], dict(value[1])


def _parameters_problem(covered: list[str], params: dict[str, Any]) -> str | None:
    missing = [name for name in REQUIRED_COMPONENTS if name not in covered]
    if missing:
        return f"The signature must cover {', '.join(REQUIRED_COMPONENTS)}; it does not cover {', '.join(missing)}."
    for name, kind in (("keyid", str), ("created", int), ("nonce", str)):
        if not isinstance(params.get(name), kind) or isinstance(params.get(name), bool):
            return f"The signature needs the parameter {name} ({'an integer' if kind is int else 'a string'})."
    if params.get("alg", ALGORITHM) != ALGORITHM:
        return f"Bids are signed with {ALGORITHM}, not {params['alg']}."
    if not 0 < len(params["nonce"]) <= MAX_NONCE_LENGTH:
        return f"The nonce must be 1 to {MAX_NONCE_LENGTH} characters."
    return None


def _digest_problem(request, body: bytes) -> str | None:
    try:
        digests = http_sf.parse(request.headers.get("Content-Digest", "").encode("latin-1"), tltype="dictionary")
    except Exception:  # the parser raises ValueError and friends on any malformed field
        return "The Content-Digest header is not a valid structured field (RFC 9530)."
    sent = digests.get("sha-256")
    if not isinstance(sent, tuple) or not isinstance(sent[0], bytes):
        return "Send a sha-256 Content-Digest of the body (RFC 9530)."
    if sent[0] != hashlib.sha256(body).digest():
        return "The Content-Digest does not match the body: the body is not what was signed."
    return None


def _absolute_url(request) -> str:
    try:
        return request.build_absolute_uri()
    except DisallowedHost:  # only @path is required; an unknown host changes nothing signed
        return "http://quayside.invalid" + request.get_full_path()


def signature_check(request, *, supplier_id: int, now: datetime.datetime) -> SignatureCheck | None:
    """The verdict on a bid request's signature, or None for an unsigned request. A verified
    signature's nonce is claimed here, so the same signed request is accepted at most once.

    Judged once per request and supplier: a bid placed again within its own request (the lean
    route's, auctions.bidders) gets the same verdict, not a refusal of the nonce it claimed."""
    if not is_signed(request):
        return None
    http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    judged = getattr(http_request, VERDICT, None)
    if judged is not None and judged[0] == supplier_id:
        return judged[1]
    verdict = _judged(request, supplier_id=supplier_id, now=now)
    setattr(http_request, VERDICT, (supplier_id, verdict))
    return verdict


VERDICT = "quayside_signature_verdict"


def _judged(request, *, supplier_id: int, now: datetime.datetime) -> SignatureCheck:
    parsed = _signature_input(request)
    if isinstance(parsed, str):
        return _refused(None, "malformed", parsed)
    label, covered, params = parsed
    key_id = params.get("keyid") if isinstance(params.get("keyid"), str) else None
    problem = _parameters_problem(covered, params)
    if problem:
        return _refused(key_id, "malformed", problem)
    key = signing_key_for_bidding(supplier_id=supplier_id, key_id=params["keyid"])
    if key is None:
        return _refused(key_id, "unknown_key", f"The key {key_id} is not one of your company's signing keys.")
    if key.revoked_at is not None:
        return _refused(key_id, "revoked_key", f"The key {key_id} was revoked on {key.revoked_at:%Y-%m-%d %H:%M} UTC.")
    age = int(now.timestamp()) - params["created"]
    if abs(age) > WINDOW_SECONDS:
        when = f"{age} s before" if age > 0 else f"{-age} s after"
        return _refused(key_id, "stale", f"The signature was created {when} server time; at most {WINDOW_SECONDS} s "
                                         "either way is accepted (check the clock, sign each request anew).")
    body = request.body
    problem = _digest_problem(request, body)
    if problem:
        return _refused(key_id, "digest", problem)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    message = _Message(request.method, _absolute_url(request), dict(request.headers.items()))
    try:
        _Verifier(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public)).verify(
            message, max_age=None, require_components=REQUIRED_COMPONENTS, body=body)
    except InvalidSignature:
        return _refused(key_id, "signature", f"The signature does not verify with the key {key_id}: the request is "
                                             "not what was signed, or another key signed it.")
    if not nonce_claim(scope=key.key_id, nonce=params["nonce"], ttl_seconds=NONCE_TTL_SECONDS):
        return _refused(key_id, "replayed_nonce", "This nonce was already used with this key: a signed request is "
                                                  "accepted once (sign each request with a new nonce).")
    return SignatureCheck(key_id=key.key_id, record={
        "key_id": key.key_id, "fingerprint": key.fingerprint, "alg": ALGORITHM, "created": params["created"],
        "nonce": params["nonce"], "covered": covered, "label": label,
        "signature_input": request.headers["Signature-Input"], "signature": request.headers["Signature"],
        "content_digest": request.headers["Content-Digest"]})
