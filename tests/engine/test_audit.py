"""What the audit trail records of bids (product.md §6): time, amount (reverse only), supplier,
IP, user agent, device fingerprint, session — and for sealed quotes only the commitment."""
import hashlib
import re

from django.utils.dateparse import parse_datetime

from auctions.models import Bid
from audit.models import AuditEvent
from oversight.selectors import audit_verify
from tests.api.helpers import mentions_amount

from .helpers import bid, created, items, quote, refused, reverse_auction, sealed_auction, withdraw

UA = "QuaysideBidder/2.1 (+https://example.test)"


def placed_event(rfq_id, bid_id) -> AuditEvent:
    return AuditEvent.objects.get(rfq_id=rfq_id, type="bid.placed", payload__bid_id=bid_id)


def test_a_reverse_bid_placed_in_a_browser_session(demo, login):
    rfq = reverse_auction(demo)
    client = login("supplier1")
    response = client.post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9500.00"}, content_type="application/json",
                           HTTP_USER_AGENT=UA, HTTP_X_DEVICE_FINGERPRINT="fp-7d1c", REMOTE_ADDR="203.0.113.7")
    placed = created(response)
    event = placed_event(rfq, placed["id"])
    payload = event.payload
    supplier = demo.supplier(1)
    assert event.actor_name == "supplier1" and event.actor_id == demo.user("supplier1").pk
    assert payload["amount"] == "9500.00" and payload["version"] == 1
    assert (payload["supplier_id"], payload["supplier"]) == (supplier.pk, "Poseidon Marine Supply")
    assert abs(parse_datetime(payload["submitted_at"]) - parse_datetime(placed["submitted_at"])).total_seconds() < 0.001
    assert (payload["ip"], payload["user_agent"], payload["fingerprint"]) == ("203.0.113.7", UA, "fp-7d1c")
    # The session is identified (to link bids from one session) but the trail never holds the
    # session key itself, which would let anyone who reads the trail take over the session.
    session_key = client.session.session_key
    assert payload["session"] and session_key not in str(payload)
    again = created(client.post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9400.00"},
                                content_type="application/json", HTTP_USER_AGENT=UA))
    assert placed_event(rfq, again["id"]).payload["session"] == payload["session"]
    other = login("supplier2")
    third = created(other.post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9300.00"}, content_type="application/json"))
    assert placed_event(rfq, third["id"]).payload["session"] not in ("", payload["session"])
    # The bid row keeps the same facts for gaming detection.
    row = Bid.objects.get(pk=placed["id"])
    assert (row.ip_address, row.user_agent, row.device_fingerprint, row.audit_seq) == (
        "203.0.113.7", UA, "fp-7d1c", event.seq)


def test_a_token_client_without_fingerprint_gets_a_derived_one(api, demo):
    rfq = reverse_auction(demo)
    placed = created(api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/", {"amount": "9500.00"}, format="json",
                                           HTTP_USER_AGENT=UA, HTTP_ACCEPT_LANGUAGE="el-GR"))
    payload = placed_event(rfq, placed["id"]).payload
    assert payload["fingerprint"] == "ua:" + hashlib.sha256(f"{UA}|el-GR".encode()).hexdigest()[:32]
    assert payload["session"] == "" and payload["ip"] == "127.0.0.1"


def test_a_sealed_quote_is_audited_by_its_commitment_only(api, demo):
    rfq = sealed_auction(demo)
    rice, flour = items(rfq)
    placed = created(quote(api, "supplier1", rfq, {rice: "123.45", flour: "67.89"}, terms="Net 30"))
    event = placed_event(rfq, placed["id"])
    bid_row = Bid.objects.get(pk=placed["id"])
    assert event.payload["commitment"] == bid_row.sealed_commitment and len(bid_row.sealed_commitment) == 64
    assert "amount" not in event.payload and "total" not in event.payload
    # The hashes are hex by construction (so they hide no figure), and random: "4938" turns up
    # in one now and then. Every other value is read for the prices and terms.
    assert re.fullmatch(r"[0-9a-f]{64}", event.payload["commitment"])
    assert re.fullmatch(r"[a-z]+:[0-9a-f]+", event.payload["fingerprint"])
    text = str({key: value for key, value in event.payload.items() if key not in ("commitment", "fingerprint")})
    # Figures of their own only: "4938" could also be digits of submitted_at's microseconds.
    assert not [s for s in ("123.45", "67.89", "6295.8", "6295.80", "4938", "1357.8", "1357.80")
                if mentions_amount(text, s)], text
    assert "Net 30" not in text, text
    assert {"ip", "user_agent", "fingerprint", "session", "submitted_at", "supplier_id"} <= set(event.payload)


def test_every_step_is_chained_and_verifies(api, demo):
    rfq = reverse_auction(demo, rate_limit_bids_per_minute=2)
    first = created(bid(api, "supplier1", rfq, "9500.00"))
    created(bid(api, "supplier2", rfq, "9400.00"))
    refused(bid(api, "supplier3", rfq, "9399.00"), "minimum_decrement")
    assert withdraw(api, "supplier1", rfq, first["id"]).status_code == 200
    types = list(AuditEvent.objects.filter(rfq_id=rfq).order_by("seq").values_list("type", flat=True))
    assert types[-4:] == ["bid.placed", "bid.placed", "bid.place_rejected", "bid.withdrawn"]
    seqs = list(AuditEvent.objects.filter(rfq_id=rfq).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert audit_verify(rfq_id=rfq).ok
    assert api("compliance").get(f"/api/v1/audit/verify/?rfq={rfq}").json()["ok"] is True
