"""bid_place and bid_withdraw called directly (no API, no socket), on auctions built with the
factories: what each writes, what it returns, and every live message it publishes
(tests/capture.py records them instead of sending)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from auctions.mechanisms import get_mechanism
from auctions.models import Bid
from auctions.services import BidRejected, bid_place, bid_withdraw
from common import presence, realtime
from common.errors import Forbidden, NotFound
from common.request_meta import RequestMeta
from rfqs.models import RFQ
from tests.capture import by_group, capture_live_messages
from tests.factories import RFQFactory

META = RequestMeta(ip="203.0.113.7", user_agent="service test")
ALL = {"buyer", "bidders", "observers"}


def reverse_auction(suppliers, **settings) -> RFQ:
    """An open reverse auction (ceiling 10 000, decrement 100) all of `suppliers` accepted."""
    rfq = RFQFactory(open_reverse=True, settings=settings, accepted=[user.supplier for user in suppliers])
    return RFQ.objects.get(pk=rfq.pk)  # as the API hands it to the service: read back from the database


@pytest.fixture
def rfq(suppliers):
    return reverse_auction(suppliers)


def place(rfq: RFQ, user, amount: str):
    fresh = RFQ.objects.get(pk=rfq.pk)
    return bid_place(rfq=fresh, user=user, draft=get_mechanism(fresh.auction_type).parse_bid({"amount": amount}),
                     meta=META)


def withdraw(rfq: RFQ, user, bid_id: int):
    return bid_withdraw(rfq=RFQ.objects.get(pk=rfq.pk), user=user, bid_id=bid_id, meta=META)


def bodies(sent, audience: str) -> list[dict]:
    return [body for group, body in sent if group.endswith(f".{audience}")]


# --- bid_place ---------------------------------------------------------------------------------

def test_a_live_bid_is_published_to_every_audience_once(rfq, s1):
    with capture_live_messages() as sent:
        placed = place(rfq, s1, "9000.00")
    assert by_group(sent, rfq.pk) == {"buyer": ["bid_placed"], "bidders": ["bid_placed"], "observers": ["bid_placed"]}
    assert {body["seq"] for _, body in sent} == {placed.bid.audit_seq}
    [buyer], [bidders], [observers] = bodies(sent, "buyer"), bodies(sent, "bidders"), bodies(sent, "observers")
    assert buyer["supplier"]["id"] == s1.supplier_id and buyer["amount"] == "9000.00"
    assert buyer["bid_id"] == placed.bid.pk and buyer["version"] == 1
    assert (bidders["leading_bid"], bidders["bid_count"]) == (buyer["leading_bid"], 1)
    assert not {"supplier", "amount", "bid_id"} & set(bidders)  # the figures, never who bid
    assert not {"amount", "leading_bid", "bid_count", "supplier"} & set(observers)  # that a bid came, no figures


def test_the_placed_bid_moves_the_auction_row_and_is_returned_with_it(rfq, s1, s2):
    place(rfq, s1, "9500.00")
    placed = place(rfq, s2, "9300.00")
    assert (placed.bid.amount, placed.bid.status, placed.bid.supplier_id) == (9300, "accepted", s2.supplier_id)
    assert (placed.rfq.best_amount, placed.rfq.best_bid_id, placed.rfq.bid_count) == (9300, placed.bid.pk, 2)
    stored = RFQ.objects.get(pk=rfq.pk)
    assert (stored.best_amount, stored.best_bid_id, stored.bid_count) == (9300, placed.bid.pk, 2)
    assert placed.warnings == []


def test_consecutive_live_events_chain_by_prev_seq(rfq, s1, s2):
    with capture_live_messages() as first:
        place(rfq, s1, "9500.00")
    with capture_live_messages() as second:
        place(rfq, s2, "9300.00")
    [one], [two] = bodies(first, "bidders"), bodies(second, "bidders")
    assert two["prev_seq"] == one["seq"] < two["seq"]  # a client that missed `one` sees the gap


def test_a_bid_in_the_trigger_window_publishes_the_extension_after_the_bid(rfq, s1):
    RFQ.objects.filter(pk=rfq.pk).update(bidding_deadline=timezone.now() + timedelta(seconds=60))
    old_deadline = RFQ.objects.get(pk=rfq.pk).bidding_deadline
    with capture_live_messages() as sent:
        placed = place(rfq, s1, "9000.00")
    assert by_group(sent, rfq.pk) == dict.fromkeys(ALL, ["bid_placed", "deadline_extended"])
    [bid_event, extension] = bodies(sent, "observers")
    assert extension["seq"] == bid_event["seq"] + 1 and extension["prev_seq"] == bid_event["seq"]
    assert extension["extension_number"] == 1 and extension["max_extensions"] == 10
    assert placed.rfq.bidding_deadline > old_deadline and placed.rfq.extensions == 1


def test_a_sniping_bids_extension_goes_out_with_the_bid_before_the_bids_ranks(rfq, suppliers, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    s1, s2, _ = suppliers
    place(rfq, s1, "9500.00")
    RFQ.objects.filter(pk=rfq.pk).update(bidding_deadline=timezone.now() + timedelta(seconds=60))
    connected = {s1.supplier_id, s2.supplier_id}
    calls: list[tuple[list[str], int | None]] = []  # each send: the message types, and whose presence it read

    def send(messages, presence_of=None):
        bodies = [json.loads(body) if isinstance(body, str) else body for _, body in messages]  # text or dict
        calls.append(([body["type"] for body in bodies], presence_of))
        return connected if presence_of is not None else set()

    monkeypatch.setattr(realtime, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        place(rfq, s2, "9000.00")  # takes the lead in the trigger window: the deadline moves
    (public, read), *private = calls  # one round trip for both events' public messages, then the ranks
    assert read == rfq.pk and set(public) == {"bid_placed", "deadline_extended"}
    assert public.index("deadline_extended") > public.index("bid_placed")
    assert private == [(["rank_changed", "rank_changed"], None)]  # s2 now first, s1 second


def test_hidden_figures_stay_out_of_the_bidders_messages_not_the_buyers(suppliers, s1):
    rfq = reverse_auction(suppliers, show_leading_bid=False, show_bid_count=False)
    with capture_live_messages() as sent:
        place(rfq, s1, "9000.00")
    [buyer], [bidders] = bodies(sent, "buyer"), bodies(sent, "bidders")
    assert not {"leading_bid", "bid_count"} & set(bidders)
    assert buyer["leading_bid"] and buyer["bid_count"] == 1


def test_rank_changes_go_privately_to_the_connected_suppliers_whose_rank_moved(rfq, suppliers, monkeypatch):
    s1, s2, s3 = suppliers
    place(rfq, s1, "9500.00")
    place(rfq, s2, "9400.00")
    connected = {s1.supplier_id, s3.supplier_id}  # s2 has no socket open
    monkeypatch.setattr(presence, "connected_suppliers", lambda rfq_id: connected)
    with capture_live_messages() as sent:
        place(rfq, s3, "9000.00")  # s3 takes the lead: 1 ← from nothing, s1 3 ← 2, s2 2 ← 1
    ranks = {group: body for group, body in sent if body["type"] == "rank_changed"}
    assert {group: body["your_rank"] for group, body in ranks.items()} == {
        f"rfq.{rfq.pk}.supplier.{s1.supplier_id}": 3, f"rfq.{rfq.pk}.supplier.{s3.supplier_id}": 1}
    assert all(body["private"] for body in ranks.values())


def test_a_sealed_quote_tells_the_buyer_only_that_a_supplier_quoted(suppliers, s1):
    rfq = RFQFactory(open_sealed=True, accepted=[user.supplier for user in suppliers])
    lines = [{"line_item_id": pk, "unit_price": "100.00"} for pk in rfq.line_items.values_list("pk", flat=True)]
    with capture_live_messages() as sent:
        bid_place(rfq=RFQ.objects.get(pk=rfq.pk), user=s1,
                  draft=get_mechanism(rfq.auction_type).parse_bid({"line_items": lines}), meta=META)
    assert [(group, body["type"], body["private"]) for group, body in sent] == [
        (f"rfq.{rfq.pk}.buyer", "bid_placed", True)]
    assert set(sent[0][1]) == {"type", "private", "seq", "rfq", "at", "bid_count"}  # no price, no supplier


def test_a_bid_with_a_warning_is_published_like_any_other(rfq, s1, s2):
    place(rfq, s1, "9000.00")
    with capture_live_messages() as sent:
        placed = place(rfq, s2, "6000.00")  # a third below the best: unusual_drop warns
    assert [w.rule for w in placed.warnings] == ["unusual_drop"]
    assert by_group(sent, rfq.pk) == dict.fromkeys(ALL, ["bid_placed"])


def test_a_refused_bid_publishes_nothing(suppliers, s1):
    rfq = reverse_auction(suppliers)
    place(rfq, s1, "9000.00")
    with capture_live_messages() as sent, pytest.raises(BidRejected) as refused:
        place(rfq, s1, "9999.00")  # above its own standing bid
    assert sent == []
    assert "minimum_decrement" in {v["rule"] for v in refused.value.violations}
    assert Bid.objects.filter(rfq_id=rfq.pk).count() == 1


def test_only_a_supplier_bids(rfq):
    with capture_live_messages() as sent, pytest.raises(Forbidden):
        place(rfq, rfq.created_by, "9000.00")
    assert sent == [] and not Bid.objects.filter(rfq_id=rfq.pk).exists()


# --- bid_withdraw ------------------------------------------------------------------------------

def test_a_withdrawal_is_published_to_every_audience_with_the_best_it_restores(rfq, s1, s2):
    place(rfq, s1, "9500.00")
    best = place(rfq, s2, "9300.00")
    with capture_live_messages() as sent:
        withdrawn = withdraw(rfq, s2, best.bid.pk)
    assert by_group(sent, rfq.pk) == dict.fromkeys(ALL, ["bid_withdrawn"])
    [buyer], [bidders] = bodies(sent, "buyer"), bodies(sent, "bidders")
    assert buyer["bid_id"] == best.bid.pk and buyer["supplier"]["id"] == s2.supplier_id
    assert bidders["leading_bid"] == buyer["leading_bid"] and "9500" in bidders["leading_bid"]
    assert bidders["bid_count"] == 1 and "supplier" not in bidders
    assert Bid.objects.get(pk=best.bid.pk).status == "withdrawn" == withdrawn.bid.status
    assert (withdrawn.rfq.best_amount, withdrawn.rfq.bid_count) == (9500, 1)


def test_a_refused_withdrawal_publishes_nothing(rfq, s1):
    first = place(rfq, s1, "9500.00")
    place(rfq, s1, "9300.00")
    with capture_live_messages() as sent, pytest.raises(BidRejected) as refused:
        withdraw(rfq, s1, first.bid.pk)  # only the latest standing bid can be withdrawn
    assert sent == []
    assert [v["rule"] for v in refused.value.violations] == ["bid_withdrawable"]
    assert Bid.objects.filter(pk=first.bid.pk, status="accepted", withdrawn_at=None).exists()  # untouched


def test_nobody_withdraws_another_suppliers_bid(rfq, s1, s2):
    placed = place(rfq, s1, "9500.00")
    with capture_live_messages() as sent, pytest.raises(NotFound):
        withdraw(rfq, s2, placed.bid.pk)
    assert sent == [] and Bid.objects.get(pk=placed.bid.pk).status == "accepted"


# --- what the locked phase reads -----------------------------------------------------------------

def test_the_locked_phase_reads_the_suppliers_earlier_bids_as_stored(rfq, s1, s2):
    from auctions.rules.context import OwnBid
    from auctions.services.bids import _lock

    place(rfq, s1, "9500.00")
    place(rfq, s2, "9300.00")
    latest = place(rfq, s1, "9100.00").bid
    withdraw(rfq, s1, latest.pk)
    with transaction.atomic():
        own = _lock(rfq.pk, s1.supplier_id)[2]
    stored = Bid.objects.filter(rfq=rfq, supplier=s1.supplier).order_by("submitted_at", "id")
    assert own == list(stored.values_list(*OwnBid._fields))  # the values the ORM reads, both backends
    assert [(bid.version, bid.status) for bid in own] == [(1, "accepted"), (2, "withdrawn")]
    assert own[-1].pk == latest.pk and own[-1].withdrawn_at > own[-1].submitted_at > own[0].submitted_at
    assert own[0].submitted_at.tzinfo is not None and own[0].withdrawn_at is None
