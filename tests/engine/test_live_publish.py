"""Services say what live clients see: bid_place, bid_withdraw and the transitions publish
their events explicitly (common.realtime.publish_on_commit), captured here at the service
level without a socket (tests/capture.py)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from auctions.mechanisms import get_mechanism
from auctions.models import Bid
from auctions.services import BidRejected, bid_place, bid_withdraw
from common import realtime
from common.request_meta import RequestMeta
from procurement import services as rfq_services
from procurement.models import RFQ
from tests.capture import capture_live_messages
from tests.factories import published_rfq

from .helpers import reverse_auction

META = RequestMeta(ip="203.0.113.7", user_agent="service test")


def place(demo, rfq_id: int, n: int, amount: str):
    rfq = RFQ.objects.get(pk=rfq_id)
    draft = get_mechanism(rfq.auction_type).parse_bid({"amount": amount})
    return bid_place(rfq=rfq, user=demo.user(f"supplier{n}"), draft=draft, meta=META)


def by_group(sent, rfq_id: int) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for group, body in sent:
        groups.setdefault(group.removeprefix(f"rfq.{rfq_id}."), []).append(body["type"])
    return groups


def test_a_live_bid_is_published_to_every_audience_once(demo):
    rfq_id = reverse_auction(demo, accept=(1, 2))
    with capture_live_messages() as sent:
        placed = place(demo, rfq_id, 1, "9000.00")
    assert by_group(sent, rfq_id) == {"buyer": ["bid_placed"], "bidders": ["bid_placed"],
                                      "observers": ["bid_placed"]}
    seqs = {body["seq"] for _, body in sent}
    assert seqs == {placed.bid.audit_seq}
    buyer = next(body for group, body in sent if group.endswith(".buyer"))
    observers = next(body for group, body in sent if group.endswith(".observers"))
    assert buyer["supplier"]["id"] == demo.supplier(1).pk and buyer["amount"] == "9000.00"
    assert not {"amount", "leading_bid", "bid_count", "supplier"} & set(observers)  # that a bid came, no figures


def test_a_sealed_quote_tells_the_buyer_only_that_a_supplier_quoted(demo):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1, 2))
    rfq = RFQ.objects.get(pk=rfq_id)
    lines = [{"line_item_id": pk, "unit_price": "100.00"} for pk in rfq.line_items.values_list("pk", flat=True)]
    with capture_live_messages() as sent:
        bid_place(rfq=rfq, user=demo.user("supplier1"),
                  draft=get_mechanism(rfq.auction_type).parse_bid({"line_items": lines}), meta=META)
    assert [(group, body["type"], body["private"]) for group, body in sent] == [
        (f"rfq.{rfq_id}.buyer", "bid_placed", True)]
    assert set(sent[0][1]) == {"type", "private", "seq", "rfq", "at", "bid_count"}  # no price, no supplier


def test_a_refused_bid_publishes_nothing(demo):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1,))
    place(demo, rfq_id, 1, "9000.00")
    with capture_live_messages() as sent, pytest.raises(BidRejected):
        place(demo, rfq_id, 1, "9999.00")  # above its own standing bid
    assert sent == []


def test_withdrawal_and_transitions_are_published(demo):
    rfq_id = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))
    placed = place(demo, rfq_id, 1, "9000.00")
    with capture_live_messages() as sent:
        bid_withdraw(rfq=RFQ.objects.get(pk=rfq_id), user=demo.user("supplier1"), bid_id=placed.bid.pk, meta=META)
    assert set(by_group(sent, rfq_id)["bidders"]) == {"bid_withdrawn"}
    assert Bid.objects.get(pk=placed.bid.pk).status == "withdrawn"

    with capture_live_messages() as sent:
        rfq_services.rfq_pause(rfq=RFQ.objects.get(pk=rfq_id), user=demo.user("buyer"), reason="Checking specs")
    assert by_group(sent, rfq_id) == {"buyer": ["auction_paused"], "bidders": ["auction_paused"],
                                      "observers": ["auction_paused"]}


def test_a_family_or_type_is_registered_once():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        realtime.register("auction", {}, lambda event: [])
    with pytest.raises(ImproperlyConfigured, match="another family"):
        realtime.register("another", {"bid.placed": lambda rfq: True}, lambda event: [])
    assert "another" not in realtime._families  # a refused registration leaves nothing behind
