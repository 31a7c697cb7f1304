"""Suppliers' signing keys and signed bids beyond the live-server acceptance
(tests/api/test_signed_bids.py): the keys API's validation and authorisation, a sealed quote's
signature sealed until the opening, a signed withdrawal, the fairness report, the pages."""
from __future__ import annotations

import base64
import json

import pytest

from auctions.models import Bid
from audit.models import AuditEvent
from oversight.reports.builder import build_report
from rfqs.models import RFQ
from suppliers.models import SigningKey
from tests.engine.helpers import bid, created, items, reverse_auction, sealed_auction, transition
from tests.factories import move_deadline_into_past, rfq_payload
from tests.signing import new_key, signature_headers

KEYS = "/api/v1/suppliers/me/keys/"


def register(api, user="supplier1", label="ERP"):
    key, public = new_key()
    response = api(user).post(KEYS, {"public_key": public, "label": label}, format="json")
    assert response.status_code == 201, response.content
    return key, response.json()


def signed_post(api, user, path, body: dict | None, key, key_id, **options):
    raw = json.dumps(body).encode() if body is not None else b""
    headers = signature_headers(key, key_id, path, raw, **options)
    return api(user).generic("POST", path, raw, content_type="application/json",
                             **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})


def test_keys_are_registered_listed_and_revoked_by_their_own_company_only(api, demo):
    _, first = register(api)
    assert set(first) >= {"id", "key_id", "fingerprint", "created_at"}
    assert first["key_id"].startswith("qk-") and first["revoked_at"] is None
    raw = base64.b64decode(first["public_key"])
    assert len(raw) == 32
    listed = api("supplier1").get(KEYS).json()
    assert [k["key_id"] for k in listed] == [first["key_id"]]
    assert api("supplier2").get(KEYS).json() == []  # another company sees none of them
    # Another company cannot revoke it (404, not 403: it does not exist for them).
    assert api("supplier2").delete(f"{KEYS}{first['id']}/").status_code == 404
    assert api("buyer").get(KEYS).status_code == 403
    assert api(None).get(KEYS).status_code == 401
    assert api("supplier1").delete(f"{KEYS}{first['id']}/").status_code == 204
    assert api("supplier1").delete(f"{KEYS}{first['id']}/").status_code == 204  # harmless twice
    assert SigningKey.objects.get(pk=first["id"]).revoked_at is not None
    types = list(AuditEvent.objects.filter(type__startswith="signing_key.").values_list("type", flat=True))
    assert types == ["signing_key.registered", "signing_key.revoked"]


@pytest.mark.parametrize("public_key", ["", "not base64!", base64.b64encode(b"x" * 31).decode(),
                                        base64.b64encode(b"x" * 64).decode(), 12345, None])
def test_a_bad_public_key_is_400_naming_the_field(api, demo, public_key):
    response = api("supplier1").post(KEYS, {"public_key": public_key}, format="json")
    assert response.status_code == 400
    assert "public_key" in response.json()["error"]["fields"]


def test_a_key_registered_once_cannot_be_registered_again_by_anyone(api, demo):
    key, first = register(api)
    for user in ("supplier1", "supplier2"):
        response = api(user).post(KEYS, {"public_key": first["public_key"]}, format="json")
        assert response.status_code == 409 and "public_key" in response.json()["error"]["fields"]
    assert SigningKey.objects.count() == 1


def test_a_sealed_quotes_signature_is_sealed_with_it_until_the_opening(api, demo):
    rfq = sealed_auction(demo)
    key, registered = register(api)
    path = f"/api/v1/rfqs/{rfq}/bids/"
    body = {"line_items": [{"line_item_id": item, "unit_price": "77.35"} for item in items(rfq)]}
    placed = created(signed_post(api, "supplier1", path, body, key, registered["key_id"]))
    event = AuditEvent.objects.get(rfq_id=rfq, type="bid.placed")
    # The trail says now which key signed; the signature itself (an oracle for guessed prices)
    # and the digest wait in the sealed quote.
    assert event.payload["signature"] == {**{name: event.payload["signature"][name] for name in (
        "key_id", "fingerprint", "alg", "created", "nonce")}, "sealed": True}
    assert "77.35" not in json.dumps(event.payload)
    created(api("supplier2").post(path, {"line_items": [
        {"line_item_id": item, "unit_price": "80.00"} for item in items(rfq)]}, format="json"))
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    opened = AuditEvent.objects.get(rfq_id=rfq, type="bids.opened").payload["quotes"]
    signed = next(q for q in opened if q["bid_id"] == placed["id"])
    assert signed["signature"]["signature"].startswith("sig1=:")
    assert signed["signature"]["content_digest"].startswith("sha-256=:")
    assert "signature" not in next(q for q in opened if q["bid_id"] != placed["id"])
    report = build_report(RFQ.objects.get(pk=rfq))
    assert report["signatures"]["signed_bids"] == 1 and report["signatures"]["unsigned_bids"] == 1
    row = report["signatures"]["rows"][0]
    assert (row["bid_id"], row["key_id"]) == (placed["id"], registered["key_id"])
    assert row["signature"].startswith("sig1=:") and not row["sealed_until_opening"]
    assert next(b for b in report["bids"] if b["id"] == placed["id"])["signature"]["key_id"] == registered["key_id"]


def test_a_signed_withdrawal_keeps_its_signature_and_a_bad_one_is_refused(api, demo):
    rfq = reverse_auction(demo)
    key, registered = register(api)
    placed = created(bid(api, "supplier1", rfq, "9900.00"))
    path = f"/api/v1/rfqs/{rfq}/bids/{placed['id']}/withdraw/"
    other, _ = new_key()
    refused = signed_post(api, "supplier1", path, None, other, registered["key_id"])
    assert refused.status_code == 422
    assert [v["rule"] for v in refused.json()["error"]["violations"]] == ["bid_signature"]
    assert signed_post(api, "supplier1", path, None, key, registered["key_id"]).status_code == 200
    event = AuditEvent.objects.get(rfq_id=rfq, type="bid.withdrawn")
    assert event.payload["signature"]["key_id"] == registered["key_id"]


def test_the_company_policy_needs_an_active_key_and_is_audited(api, demo):
    me = "/api/v1/suppliers/me/"
    assert api("supplier1").get(me).json()["require_signed_bids"] is False
    assert api("supplier1").patch(me, {"require_signed_bids": "yes"}, format="json").status_code == 400
    assert api("supplier1").patch(me, {"require_signed_bids": True}, format="json").status_code == 409
    assert api("supplier1").patch(me, {}, format="json").json()["require_signed_bids"] is False  # nothing to change
    register(api)
    assert api("supplier1").patch(me, {"require_signed_bids": True}, format="json").json()["require_signed_bids"]
    assert api("buyer").patch(me, {"require_signed_bids": True}, format="json").status_code == 403
    rfq = reverse_auction(demo)
    refused = bid(api, "supplier1", rfq, "9900.00")
    assert refused.status_code == 422 and refused.json()["error"]["violations"][0]["metadata"]["required_by"] == "supplier"
    assert not Bid.objects.filter(rfq_id=rfq).exists()


def test_the_rfq_setting_is_validated_and_shown(api, demo, login):
    rfq = reverse_auction(demo, require_signed_bids=True)
    assert RFQ.objects.get(pk=rfq).auction_settings["require_signed_bids"] is True
    page = login("supplier1").get(f"/supplier/rfqs/{rfq}/").content.decode()
    assert "Signed bids" in page and "bids from this page are refused" in page
    response = api("buyer").post("/api/v1/rfqs/", rfq_payload(
        auction={"type": "SEALED_BID", "settings": {"require_signed_bids": "x"}}), format="json")
    assert response.status_code == 400


def test_the_profile_page_registers_lists_and_revokes_keys(login, demo):
    client = login("supplier1")
    _, public = new_key()
    page = client.get("/supplier/profile/").content.decode()
    assert "Bid-signing keys" in page and "No keys yet" in page
    bad = client.post("/supplier/profile/keys/", {"label": "ERP", "public_key": "nonsense"})
    assert bad.status_code == 400 and "Base64 of exactly 32 bytes" in bad.content.decode()
    response = client.post("/supplier/profile/keys/", {"label": "ERP", "public_key": public}, follow=True)
    key = SigningKey.objects.get()
    text = response.content.decode()
    assert key.key_id in text and key.fingerprint in text and "Active" in text
    response = client.post("/supplier/profile/signing-policy/", {"require_signed_bids": "on"}, follow=True)
    assert "unsigned bids are refused" in response.content.decode()
    assert demo.supplier(1).require_signed_bids is True
    response = client.post(f"/supplier/profile/keys/{key.pk}/revoke/", follow=True)
    assert "Revoked" in response.content.decode()
    assert login("supplier2").post(f"/supplier/profile/keys/{key.pk}/revoke/").status_code == 404
    assert login("buyer").get("/supplier/profile/").status_code == 403
