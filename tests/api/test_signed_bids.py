"""Signed bids against a live server (api.md "Signed bids", issue 16's acceptance): a valid
Ed25519 signature is accepted and its key id kept in the audit event; a tampered body, a wrong
key, an unknown or revoked key, a `created` 61 s old and a replayed nonce are each refused with
rule `bid_signature`; an RFQ or a company that requires signatures refuses an unsigned bid.

Requests go over real HTTP (requests → the live server), signed by http-message-signatures
as a supplier's system would sign them (tests/signing.py), not by the server's own code."""
from __future__ import annotations

import datetime
import json
import re
import uuid

import pytest
import requests
from rest_framework.authtoken.models import Token

from auctions.models import Bid
from audit.models import AuditEvent
from tests.engine.helpers import reverse_auction
from tests.signing import new_key, signature_headers

pytestmark = pytest.mark.django_db(transaction=True)


class Supplier:
    """A supplier's system talking to the live server."""

    def __init__(self, live_server, demo, username: str):
        self.base = live_server.url
        token, _ = Token.objects.get_or_create(user=demo.user(username))
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token.key}"

    def register(self, public_key: str, label: str = "ERP") -> dict:
        response = self.session.post(f"{self.base}/api/v1/suppliers/me/keys/",
                                     json={"public_key": public_key, "label": label}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def bid(self, rfq_id: int, amount: str, *, sign=None, body: bytes | None = None, headers=None,
            idempotency_key: str | None = None) -> requests.Response:
        """POST a bid. `sign` = (private key, key id, extra signing options); `body` replaces the
        signed body after signing (a tampered request)."""
        path = f"/api/v1/rfqs/{rfq_id}/bids/"
        signed_body = json.dumps({"amount": amount}).encode()
        sent = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        if sign is not None:
            key, key_id, options = sign
            sent.update(signature_headers(key, key_id, path, signed_body, **options))
        sent.update(headers or {})
        return self.session.post(self.base + path, data=body if body is not None else signed_body,
                                 headers=sent, timeout=10)


def refused_for_signature(response: requests.Response, reason: str) -> dict:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "bid_rejected"
    found = [v for v in error["violations"] if v["rule"] == "bid_signature"]
    assert found and found[0]["severity"] == "block" and found[0]["metadata"]["reason"] == reason, error
    return found[0]


def test_a_valid_signature_is_accepted_and_every_kind_of_bad_one_is_refused(live_server, demo):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    supplier = Supplier(live_server, demo, "supplier1")
    key, public = new_key()
    registered = supplier.register(public)
    key_id = registered["key_id"]
    assert registered["fingerprint"].startswith("SHA256:")

    # Valid: accepted, and the audit event keeps the key id and the signature itself.
    retry_key = str(uuid.uuid4())
    accepted = supplier.bid(rfq_id, "9900.00", sign=(key, key_id, {"nonce": "first-nonce"}),
                            idempotency_key=retry_key)
    assert accepted.status_code == 201, accepted.text
    event = AuditEvent.objects.get(rfq_id=rfq_id, type="bid.placed", payload__bid_id=accepted.json()["id"])
    assert event.payload["signature"]["key_id"] == key_id
    assert event.payload["signature"]["signature"].startswith("sig1=:")
    assert event.payload["signature"]["nonce"] == "first-nonce"
    assert Bid.objects.get(pk=accepted.json()["id"]).signature_key_id == key_id

    # The same request retried with its Idempotency-Key is the first answer, not a replay.
    again = supplier.bid(rfq_id, "9900.00", sign=(key, key_id, {"nonce": "first-nonce"}), idempotency_key=retry_key)
    assert again.status_code == 201 and again.json()["id"] == accepted.json()["id"]
    # The same signed request as a new bid is a replay: its nonce was used with this key.
    refused_for_signature(supplier.bid(rfq_id, "9900.00", sign=(key, key_id, {"nonce": "first-nonce"})),
                          "replayed_nonce")

    bad_signatures_are_refused(live_server, demo, supplier, rfq_id, key, registered)

    # Only the valid bid was taken; every refusal is in the audit trail under bid_signature.
    assert Bid.objects.filter(rfq_id=rfq_id).count() == 1
    rejections = AuditEvent.objects.filter(rfq_id=rfq_id, type="bid.place_rejected")
    assert rejections.count() == 10
    assert all(e.payload["violations"][0]["rule"] == "bid_signature" for e in rejections)


def bad_signatures_are_refused(live_server, demo, supplier: Supplier, rfq_id: int, key, registered: dict) -> None:
    """Every kind of bad signature, each refused with its reason; the key is revoked at the end."""
    key_id = registered["key_id"]
    # A body other than the one signed: the digest no longer matches it.
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(key, key_id, {}), body=b'{"amount": "1.00"}'),
                          "digest")
    # A body other than the one signed, with its digest recomputed: the signature fails.
    path = f"/api/v1/rfqs/{rfq_id}/bids/"
    forged = signature_headers(key, key_id, path, b'{"amount": "1.00"}')
    genuine = signature_headers(key, key_id, path, json.dumps({"amount": "9800.00"}).encode())
    refused_for_signature(supplier.bid(rfq_id, "9800.00", headers={
        **genuine, "Content-Digest": forged["Content-Digest"]}, body=b'{"amount": "1.00"}'), "signature")
    # Signed by another key under this key's id.
    other, _ = new_key()
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(other, key_id, {})), "signature")
    # A key id nobody registered, and another company's key.
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(key, "qk-000000000000000000000000", {})),
                          "unknown_key")
    stranger_key, stranger_public = new_key()
    stranger = Supplier(live_server, demo, "supplier2").register(stranger_public)
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(stranger_key, stranger["key_id"], {})),
                          "unknown_key")
    # Created 61 s before server time (and, with a margin for the time the requests take, after it).
    now = datetime.datetime.now(datetime.UTC)
    stale = refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(
        key, key_id, {"created": now - datetime.timedelta(seconds=61)})), "stale")
    assert re.search(r"created 6\d s before server time", stale["message"]), stale  # 61 s and the requests' time
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(
        key, key_id, {"created": now + datetime.timedelta(seconds=65)})), "stale")
    # Not covering the body's digest.
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(key, key_id, {"covered": ("@method", "@path")})),
                          "malformed")
    # Revoked: refused from then on.
    revoked = supplier.session.delete(f"{supplier.base}/api/v1/suppliers/me/keys/{registered['id']}/", timeout=10)
    assert revoked.status_code == 204
    refused_for_signature(supplier.bid(rfq_id, "9800.00", sign=(key, key_id, {})), "revoked_key")


def test_an_rfq_or_a_company_that_requires_signatures_refuses_unsigned_bids(live_server, demo, api):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2), require_signed_bids=True)
    supplier1 = Supplier(live_server, demo, "supplier1")
    refused = refused_for_signature(supplier1.bid(rfq_id, "9900.00"), "unsigned")
    assert refused["metadata"]["required_by"] == "rfq"
    key, public = new_key()
    key_id = supplier1.register(public)["key_id"]
    assert supplier1.bid(rfq_id, "9900.00", sign=(key, key_id, {})).status_code == 201

    # A company's own policy: its unsigned bids are refused on any RFQ.
    open_rfq = reverse_auction(demo, suppliers=(2, 3), accept=(2,))
    supplier2 = Supplier(live_server, demo, "supplier2")
    no_key = supplier2.session.patch(f"{supplier2.base}/api/v1/suppliers/me/", json={"require_signed_bids": True},
                                     timeout=10)
    assert no_key.status_code == 409 and "require_signed_bids" in no_key.json()["error"]["fields"]
    key2, public2 = new_key()
    key2_id = supplier2.register(public2)["key_id"]
    policy = supplier2.session.patch(f"{supplier2.base}/api/v1/suppliers/me/", json={"require_signed_bids": True},
                                     timeout=10)
    assert policy.status_code == 200 and policy.json()["require_signed_bids"] is True
    refused = refused_for_signature(supplier2.bid(open_rfq, "9900.00"), "unsigned")
    assert refused["metadata"]["required_by"] == "supplier"
    assert supplier2.bid(open_rfq, "9900.00", sign=(key2, key2_id, {})).status_code == 201
    assert AuditEvent.objects.filter(type="supplier.signing_policy_changed").count() == 1